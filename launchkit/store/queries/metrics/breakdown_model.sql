-- purpose: turn metrics broken down by model: sessions, turns, error rate, exact latency/TTFT percentiles
--          over ok turns, tokens and cost (from turns_priced); turns without a model fall under '(unknown)'
-- grain: one row per model with a turn in the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH turns_priced AS ({{ turns_priced }})
SELECT
    coalesce(model, '(unknown)') AS value,
    count(DISTINCT session_id) AS active_sessions,
    count(*) AS turns,
    CAST(sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS DOUBLE) / count(*) AS turn_error_rate,
    quantile_cont(CASE WHEN status = 'ok' THEN CAST(latency_ms AS DOUBLE) END, 0.5) AS latency_p50,
    quantile_cont(CASE WHEN status = 'ok' THEN CAST(latency_ms AS DOUBLE) END, 0.95) AS latency_p95,
    quantile_cont(CASE WHEN status = 'ok' THEN CAST(latency_ms AS DOUBLE) END, 0.99) AS latency_p99,
    quantile_cont(CASE WHEN status = 'ok' THEN CAST(ttft_ms AS DOUBLE) END, 0.5) AS ttft_p50,
    quantile_cont(CASE WHEN status = 'ok' THEN CAST(ttft_ms AS DOUBLE) END, 0.95) AS ttft_p95,
    sum(CASE WHEN cost_usd IS NOT NULL THEN 1 ELSE 0 END) AS priced_turns,
    sum(cost_usd) AS total_cost_usd,
    sum(cost_usd) / count(DISTINCT session_id) AS cost_per_session,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens
FROM turns_priced
WHERE started_at >= $start AND started_at < $end
GROUP BY coalesce(model, '(unknown)')
ORDER BY turns DESC, value
