-- fragment: window_summary: the headline metrics of metrics/summary (the CTEs failed, succeeded, s_agg, t_agg,
--           c_agg, f_agg and the one-row SELECT) over window_events' CTEs. Insert it after them:
--           `WITH turns_priced AS (...), {{ window_events }}, {{ window_summary }}`.
-- grain: one row for the window [$start, $end)
-- parameters: $start, $end (through window_events)
failed AS (
    SELECT session_id FROM turns_w WHERE status <> 'ok'
    UNION
    SELECT session_id FROM calls_w WHERE status <> 'ok'
),
succeeded AS (
    SELECT DISTINCT t.session_id
    FROM turns_w AS t
    LEFT JOIN failed AS f ON f.session_id = t.session_id
    WHERE t.status = 'ok' AND f.session_id IS NULL
),
s_agg AS (
    SELECT
        (SELECT count(*) FROM active) AS active_sessions,
        (SELECT count(DISTINCT session_id) FROM starts_w) AS new_sessions,
        (SELECT count(*) FROM succeeded) AS successful_sessions
),
t_agg AS (
    SELECT
        count(*) AS turns,
        coalesce(sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END), 0) AS turn_errors,
        coalesce(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0) AS ok_turns,
        coalesce(sum(CASE WHEN status = 'ok' AND latency_ms IS NOT NULL THEN 1 ELSE 0 END), 0) AS latency_n,
        coalesce(sum(CASE WHEN status = 'ok' AND ttft_ms IS NOT NULL THEN 1 ELSE 0 END), 0) AS ttft_n,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(latency_ms AS DOUBLE) END, 0.5) AS latency_p50,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(latency_ms AS DOUBLE) END, 0.9) AS latency_p90,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(latency_ms AS DOUBLE) END, 0.95) AS latency_p95,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(latency_ms AS DOUBLE) END, 0.99) AS latency_p99,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(ttft_ms AS DOUBLE) END, 0.5) AS ttft_p50,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(ttft_ms AS DOUBLE) END, 0.9) AS ttft_p90,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(ttft_ms AS DOUBLE) END, 0.95) AS ttft_p95,
        quantile_cont(CASE WHEN status = 'ok' THEN CAST(ttft_ms AS DOUBLE) END, 0.99) AS ttft_p99,
        coalesce(sum(CASE WHEN cost_usd IS NOT NULL THEN 1 ELSE 0 END), 0) AS priced_turns,
        sum(cost_usd) AS total_cost_usd,
        coalesce(sum(CASE WHEN input_tokens IS NOT NULL AND output_tokens IS NOT NULL THEN 1 ELSE 0 END), 0)
            AS turns_with_tokens,
        sum(input_tokens) AS input_tokens,
        sum(output_tokens) AS output_tokens
    FROM turns_w
),
c_agg AS (
    SELECT
        count(*) AS tool_calls,
        coalesce(sum(CASE WHEN status = 'ok' THEN 1 ELSE 0 END), 0) AS tool_calls_ok
    FROM calls_w
),
f_agg AS (
    SELECT
        count(*) AS responses,
        count(rating) AS ratings,
        avg(CAST(rating AS DOUBLE)) AS mean_rating,
        stddev_samp(CAST(rating AS DOUBLE)) AS rating_sd,
        coalesce(sum(CASE WHEN rating >= 4 THEN 1 ELSE 0 END), 0) AS ratings_4_5,
        count(thumbs) AS thumbs,
        coalesce(sum(CASE WHEN thumbs = 'up' THEN 1 ELSE 0 END), 0) AS thumbs_up,
        (SELECT count(DISTINCT fw.session_id) FROM feedback_w AS fw JOIN active AS a ON a.session_id = fw.session_id)
            AS responding_sessions
    FROM feedback_w
)
SELECT
    s.active_sessions,
    s.new_sessions,
    s.successful_sessions,
    c.tool_calls,
    c.tool_calls_ok,
    CASE WHEN c.tool_calls > 0 THEN CAST(c.tool_calls_ok AS DOUBLE) / c.tool_calls END AS tool_call_success_rate,
    t.turns,
    t.turn_errors,
    CASE WHEN t.turns > 0 THEN CAST(t.turn_errors AS DOUBLE) / t.turns END AS turn_error_rate,
    t.ok_turns,
    t.latency_n,
    t.latency_p50, t.latency_p90, t.latency_p95, t.latency_p99,
    t.ttft_n,
    t.ttft_p50, t.ttft_p90, t.ttft_p95, t.ttft_p99,
    t.priced_turns,
    t.total_cost_usd,
    CASE WHEN s.active_sessions > 0 THEN t.total_cost_usd / s.active_sessions END AS cost_per_session,
    CASE WHEN s.successful_sessions > 0 THEN t.total_cost_usd / s.successful_sessions END
        AS cost_per_successful_session,
    t.turns_with_tokens,
    t.input_tokens,
    t.output_tokens,
    f.responses,
    f.ratings,
    f.mean_rating,
    f.rating_sd,
    f.ratings_4_5,
    CASE WHEN f.ratings > 0 THEN CAST(f.ratings_4_5 AS DOUBLE) / f.ratings END AS csat,
    f.thumbs,
    f.thumbs_up,
    CASE WHEN f.thumbs > 0 THEN CAST(f.thumbs_up AS DOUBLE) / f.thumbs END AS thumbs_up_rate,
    f.responding_sessions,
    CASE WHEN s.active_sessions > 0 THEN CAST(f.responding_sessions AS DOUBLE) / s.active_sessions END
        AS response_rate
FROM s_agg AS s
CROSS JOIN t_agg AS t
CROSS JOIN c_agg AS c
CROSS JOIN f_agg AS f
