-- purpose: data-quality coverage for a window: turns with tokens, turns with a known price (turns_priced),
--          ok turns with latency / TTFT, tool calls and feedback whose session exists in sessions
-- grain: one row for the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH turns_priced AS ({{ turns_priced }}),
t AS (
    SELECT
        count(*) AS turns,
        coalesce(sum(CASE WHEN input_tokens IS NOT NULL AND output_tokens IS NOT NULL THEN 1 ELSE 0 END), 0)
            AS turns_with_tokens,
        coalesce(sum(CASE WHEN cost_usd IS NOT NULL THEN 1 ELSE 0 END), 0) AS turns_priced,
        coalesce(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0) AS ok_turns,
        coalesce(sum(CASE WHEN status = 'ok' AND latency_ms IS NOT NULL THEN 1 ELSE 0 END), 0) AS ok_turns_with_latency,
        coalesce(sum(CASE WHEN status = 'ok' AND ttft_ms IS NOT NULL THEN 1 ELSE 0 END), 0) AS ok_turns_with_ttft
    FROM turns_priced
    WHERE started_at >= $start AND started_at < $end
),
c AS (
    SELECT
        count(*) AS tool_calls,
        coalesce(sum(CASE WHEN s.session_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS tool_calls_with_session
    FROM tool_calls AS tc
    LEFT JOIN (SELECT DISTINCT session_id FROM sessions) AS s ON s.session_id = tc.session_id
    WHERE tc.started_at >= $start AND tc.started_at < $end
),
f AS (
    SELECT
        count(*) AS feedback,
        coalesce(sum(CASE WHEN s.session_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS feedback_with_session
    FROM feedback AS fb
    LEFT JOIN (SELECT DISTINCT session_id FROM sessions) AS s ON s.session_id = fb.session_id
    WHERE fb.submitted_at >= $start AND fb.submitted_at < $end
)
SELECT t.*, c.*, f.*
FROM t CROSS JOIN c CROSS JOIN f
