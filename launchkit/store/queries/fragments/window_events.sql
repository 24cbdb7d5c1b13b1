-- fragment: window_events: the CTEs turns_w (priced turns), calls_w (tool calls), starts_w (sessions started),
--           feedback_w (feedback submitted) and active (active sessions) of the window [$start, $end).
--           Insert it as `WITH {{ window_events }}, ...`; it needs a turns_priced CTE before it.
-- grain: one row per event of each kind in the window; active: one row per active session
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
turns_w AS (
    SELECT session_id, status, latency_ms, ttft_ms, input_tokens, output_tokens, cost_usd
    FROM turns_priced
    WHERE started_at >= $start AND started_at < $end
),
calls_w AS (
    SELECT session_id, status
    FROM tool_calls
    WHERE started_at >= $start AND started_at < $end
),
starts_w AS (
    SELECT session_id
    FROM sessions
    WHERE started_at >= $start AND started_at < $end
),
feedback_w AS (
    SELECT session_id, rating, thumbs
    FROM feedback
    WHERE submitted_at >= $start AND submitted_at < $end
),
active AS (
    SELECT DISTINCT session_id
    FROM ({{ session_events }}) AS ev
    WHERE event_at >= $start AND event_at < $end
)
