-- purpose: the files and tables with rows held for a reason that can change (the time window, a configured
--          cap), oldest load first, with how many rows each holds and why
-- grain: one row per (path, table, reason) with held rows not yet taken
-- parameters: none
SELECT path, table_name, reason, count(*) AS held_rows, min(load_id) AS first_load
FROM rejects
WHERE held AND resolved_by IS NULL
GROUP BY path, table_name, reason
ORDER BY first_load, path, table_name, reason
