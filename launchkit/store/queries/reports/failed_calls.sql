-- purpose: the tool calls that failed in a window, with their session's tenant, for the debrief's drill-down
--          (each opens its session's timeline)
-- grain: one row per call_id started in [$start, $end) whose status is not ok
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT
    c.call_id,
    c.session_id,
    c.started_at,
    s.tenant_id,
    c.tool_name,
    c.status,
    c.error_type,
    c.duration_ms
FROM tool_calls AS c
LEFT JOIN sessions AS s ON s.session_id = c.session_id
WHERE c.started_at >= $start AND c.started_at < $end AND c.status <> 'ok'
ORDER BY c.started_at, c.call_id
