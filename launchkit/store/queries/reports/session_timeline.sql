-- purpose: one session's timeline for the debrief's drill-down: its start, every turn, tool call and piece
--          of feedback in time order (what a comment or a failed tool call opens in JupyterLab)
-- grain: one row per event of the session: the session row, each turn_id, call_id and feedback_id
-- parameters: $session_id (VARCHAR)
SELECT occurred_at, kind, name, status, duration_ms, error_type, cost_usd, tokens, detail
FROM (
    SELECT s.started_at AS occurred_at, 'session' AS kind, s.tenant_id AS name, NULL AS status,
           NULL::DOUBLE AS duration_ms, NULL AS error_type, NULL::DOUBLE AS cost_usd, NULL::BIGINT AS tokens,
           concat_ws(', ', 'user ' || s.user_id, 'cohort ' || s.cohort, 'release ' || s.release) AS detail, 0 AS ord,
           s.session_id AS id
    FROM sessions AS s WHERE s.session_id = $session_id
    UNION ALL
    SELECT t.started_at, 'turn', t.model, t.status, t.latency_ms, t.error_type, t.cost_usd,
           t.input_tokens + t.output_tokens, NULL, 1, t.turn_id
    FROM turns AS t WHERE t.session_id = $session_id
    UNION ALL
    SELECT c.started_at, 'tool call', c.tool_name, c.status, c.duration_ms, c.error_type, NULL, NULL, NULL, 2, c.call_id
    FROM tool_calls AS c WHERE c.session_id = $session_id
    UNION ALL
    SELECT f.submitted_at, 'feedback',
           concat_ws(' ', 'rating ' || CAST(f.rating AS VARCHAR), 'thumbs ' || f.thumbs),
           NULL, NULL, NULL, NULL, NULL, f.comment, 3, f.feedback_id
    FROM feedback AS f WHERE f.session_id = $session_id
)
ORDER BY occurred_at NULLS LAST, ord, id
