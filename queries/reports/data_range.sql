-- purpose: first and last activity time in the warehouse (sessions, turns, tool calls), so a report run
--          without --at/--date can default to the latest hour or day that has data
-- grain: one row for the whole warehouse
-- parameters: none
WITH t AS (
    SELECT min(started_at) AS first_at, max(started_at) AS last_at FROM sessions
    UNION ALL SELECT min(started_at), max(started_at) FROM turns
    UNION ALL SELECT min(started_at), max(started_at) FROM tool_calls
)
SELECT min(first_at) AS first_at, max(last_at) AS last_at FROM t
