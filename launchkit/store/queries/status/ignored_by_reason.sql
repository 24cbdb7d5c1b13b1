-- purpose: the ignored-by-reason counts the load manifest keeps per load (a JSON object {reason: count}),
--          for `launchkit status` to add up by reason
-- grain: one row per load that ignored records
-- parameters: none
SELECT load_id, ignored_by_reason
FROM loads
WHERE ignored_by_reason IS NOT NULL
ORDER BY load_id
