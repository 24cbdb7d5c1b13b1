-- purpose: what earlier hourly runs left for the alert decision: the latest hour checked and the start
--          of the last successful run (one that wrote its report)
-- grain: one row
-- parameters: none
SELECT
    max(last_checked_hour) AS last_checked,
    max(started_at) FILTER (WHERE succeeded) AS last_success
FROM hourly_runs
