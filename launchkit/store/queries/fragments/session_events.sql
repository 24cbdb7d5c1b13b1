-- fragment: session_events: every event that makes a session active in a period: a turn, a tool call, or
--           the session's start. "Active session" means a session with event_at least one of these in the period.
-- grain: one row per event (event_at, session_id)
-- parameters: none
SELECT started_at AS event_at, session_id FROM turns
UNION ALL
SELECT started_at AS event_at, session_id FROM tool_calls
UNION ALL
SELECT started_at AS event_at, session_id FROM sessions
