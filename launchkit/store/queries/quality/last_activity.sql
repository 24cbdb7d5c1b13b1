-- purpose: the last activity (a turn, a tool call or a session start) before $end: how fresh the data
--          was at that time (an exporter that stopped leaves this behind the clock)
-- grain: one row
-- parameters: $end (TIMESTAMPTZ)
SELECT max(event_at) AS last_at
FROM ({{ session_events }}) AS ev
WHERE event_at < $end
