-- fragment: bucket_metrics: the headline metrics per hour or day bucket of metrics/timeseries (the CTEs buckets,
--           turns_w, calls_w, active, t_agg, c_agg and the SELECT), from a turns_priced CTE defined before it:
--           `WITH turns_priced AS (...), {{ bucket_metrics }}`. Buckets without data have NULL metrics.
-- grain: one row per bucket ($grain: 'hour' or 'day') in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, on bucket edges), $grain ('hour' or 'day')
buckets AS (
    SELECT unnest(generate_series(
        CAST($start AS TIMESTAMPTZ),
        CAST($end AS TIMESTAMPTZ) - CASE WHEN $grain = 'day' THEN INTERVAL 1 DAY ELSE INTERVAL 1 HOUR END,
        CASE WHEN $grain = 'day' THEN INTERVAL 1 DAY ELSE INTERVAL 1 HOUR END
    )) AS bucket
),
turns_w AS (
    SELECT date_trunc($grain, started_at) AS bucket, session_id, status, latency_ms, ttft_ms, cost_usd
    FROM turns_priced
    WHERE started_at >= $start AND started_at < $end
),
calls_w AS (
    SELECT date_trunc($grain, started_at) AS bucket, session_id, status
    FROM tool_calls
    WHERE started_at >= $start AND started_at < $end
),
active AS (
    SELECT date_trunc($grain, event_at) AS bucket, count(DISTINCT session_id) AS active_sessions
    FROM ({{ session_events }}) AS ev
    WHERE event_at >= $start AND event_at < $end
    GROUP BY date_trunc($grain, event_at)
),
t_agg AS (
    SELECT
        bucket,
        count(*) AS turns,
        CAST(sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS DOUBLE) / count(*) AS turn_error_rate,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(latency_ms AS DOUBLE) END, 0.5) AS latency_p50,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(latency_ms AS DOUBLE) END, 0.95) AS latency_p95,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(ttft_ms AS DOUBLE) END, 0.95) AS ttft_p95,
        sum(cost_usd) AS total_cost_usd
    FROM turns_w
    GROUP BY bucket
),
c_agg AS (
    SELECT
        bucket,
        count(*) AS tool_calls,
        CAST(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS DOUBLE) / count(*) AS tool_call_success_rate
    FROM calls_w
    GROUP BY bucket
)
SELECT
    b.bucket,
    a.active_sessions,
    c.tool_calls,
    c.tool_call_success_rate,
    t.turns,
    t.turn_error_rate,
    t.latency_p50,
    t.latency_p95,
    t.ttft_p95,
    t.total_cost_usd,
    t.total_cost_usd / a.active_sessions AS cost_per_session
FROM buckets AS b
LEFT JOIN active AS a ON a.bucket = b.bucket
LEFT JOIN t_agg AS t ON t.bucket = b.bucket
LEFT JOIN c_agg AS c ON c.bucket = b.bucket
ORDER BY b.bucket
