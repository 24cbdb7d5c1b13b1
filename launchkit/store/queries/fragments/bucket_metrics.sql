-- fragment: bucket_metrics: the headline metrics per time bucket of metrics/timeseries (the CTEs buckets,
--           turns_w, calls_w, active, t_agg, c_agg and the SELECT), from a turns_priced CTE defined before it:
--           `WITH turns_priced AS (...), {{ bucket_metrics }}`. Buckets without data have NULL metrics.
--           The buckets are given (launchkit.window computes them: the report zone's clock hours or calendar
--           days, 23 or 25 hours long when the clocks change), so no time-zone arithmetic happens here.
-- grain: one row per bucket [$starts[k], $ends[k])
--           A row finds its bucket by an equality join on its UTC hour ($key_hours: every UTC hour a bucket
--           overlaps) and then the bucket's edges, never by a range join on the edges alone (much slower).
-- parameters: $starts, $ends (lists of TIMESTAMPTZ of the same length: each bucket's first instant and end);
--             $start, $end (TIMESTAMPTZ: the first bucket's start and the last one's end; rows outside are
--             left out before they are matched to a bucket); $key_hours, $key_buckets (lists of TIMESTAMPTZ
--             of the same length: a UTC hour and the start of a bucket it overlaps; launchkit.analytics.metrics.bucket_params)
{{ bucket_hours }},
turns_w AS (
    SELECT b.bucket, t.session_id, t.status, t.latency_ms, t.ttft_ms, t.cost_usd
    FROM (SELECT * FROM turns_priced WHERE started_at >= $start AND started_at < $end) AS t
    JOIN bucket_hours AS b ON date_trunc('hour', t.started_at) = b.key_hour
    WHERE t.started_at >= b.bucket AND t.started_at < b.bucket_end
),
calls_w AS (
    SELECT b.bucket, c.session_id, c.status
    FROM (SELECT * FROM tool_calls WHERE started_at >= $start AND started_at < $end) AS c
    JOIN bucket_hours AS b ON date_trunc('hour', c.started_at) = b.key_hour
    WHERE c.started_at >= b.bucket AND c.started_at < b.bucket_end
),
active AS (
    SELECT b.bucket, count(DISTINCT ev.session_id) AS active_sessions
    FROM (SELECT * FROM ({{ session_events }}) AS e WHERE event_at >= $start AND event_at < $end) AS ev
    JOIN bucket_hours AS b ON date_trunc('hour', ev.event_at) = b.key_hour
    WHERE ev.event_at >= b.bucket AND ev.event_at < b.bucket_end
    GROUP BY b.bucket
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
