-- purpose: tool-call metrics broken down by tool: sessions, calls, success rate (ok / all calls),
--          errors, timeouts and exact duration percentiles
-- grain: one row per tool_name with a call in the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT
    tool_name AS value,
    count(DISTINCT session_id) AS active_sessions,
    count(*) AS tool_calls,
    sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS tool_calls_ok,
    sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS errors,
    sum(CASE WHEN status = 'timeout' THEN 1 ELSE 0 END) AS timeouts,
    CAST(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS DOUBLE) / count(*) AS tool_call_success_rate,
    quantile_cont(CAST(duration_ms AS DOUBLE), 0.5) AS duration_p50,
    quantile_cont(CAST(duration_ms AS DOUBLE), 0.95) AS duration_p95
FROM tool_calls
WHERE started_at >= $start AND started_at < $end
GROUP BY tool_name
ORDER BY tool_calls DESC, value
