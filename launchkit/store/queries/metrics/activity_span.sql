-- purpose: first and last activity (a turn, a tool call or a session start) in the warehouse: the pilot's
--          first day when launchkit.toml sets no pilot.start, and the default hour / day of a report
-- grain: one row for the whole warehouse
-- parameters: none
SELECT min(event_at) AS first_at, max(event_at) AS last_at
FROM ({{ session_events }}) AS ev
