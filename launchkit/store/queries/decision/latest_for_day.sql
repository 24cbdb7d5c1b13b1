-- purpose: the most recent stored decision for one day (to say what changed since yesterday)
-- grain: at most one row
-- parameters: $day (DATE)
SELECT decision_id, day, decided_at, recommendation, ga_ready, data_sufficient, reasons, inputs
FROM decisions
WHERE day = $day
ORDER BY decided_at DESC
LIMIT 1
