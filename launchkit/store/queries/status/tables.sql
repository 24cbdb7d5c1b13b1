-- purpose: row counts and time ranges of every contract table, for `launchkit status`
-- grain: one row per contract table
-- parameters: none
SELECT 'sessions' AS table_name, count(*) AS row_count, min(started_at) AS first_at, max(started_at) AS last_at FROM sessions
UNION ALL SELECT 'turns', count(*), min(started_at), max(started_at) FROM turns
UNION ALL SELECT 'tool_calls', count(*), min(started_at), max(started_at) FROM tool_calls
UNION ALL SELECT 'feedback', count(*), min(submitted_at), max(submitted_at) FROM feedback
UNION ALL SELECT 'vendor_costs', count(*), CAST(min(usage_date) AS TIMESTAMPTZ), CAST(max(usage_date) AS TIMESTAMPTZ) FROM vendor_costs
UNION ALL SELECT 'incidents', count(*), min(opened_at), max(opened_at) FROM incidents
UNION ALL SELECT 'releases', count(*), min(shipped_at), max(shipped_at) FROM releases
UNION ALL SELECT 'rollout', count(*), min(enabled_at), max(enabled_at) FROM rollout
UNION ALL SELECT 'evaluations', count(*), min(evaluated_at), max(evaluated_at) FROM evaluations
