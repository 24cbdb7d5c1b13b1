-- purpose: the headline metrics broken down by a session attribute ({column}: tenant_id, cohort or release,
--          chosen from an allow-list); sessions missing from the sessions table fall under '(unknown)'
-- grain: one row per value of the session attribute among the window's active sessions
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH turns_priced AS ({{ turns_priced }}),
{{ window_events }},
dim AS (
    SELECT a.session_id, coalesce(CAST(s.{column} AS VARCHAR), '(unknown)') AS value,
           CASE WHEN s.started_at >= $start AND s.started_at < $end THEN 1 ELSE 0 END AS is_new
    FROM active AS a
    LEFT JOIN sessions AS s ON s.session_id = a.session_id
),
s_agg AS (
    SELECT value, count(*) AS active_sessions, sum(is_new) AS new_sessions
    FROM dim
    GROUP BY value
),
t_agg AS (
    SELECT
        d.value,
        count(*) AS turns,
        sum(CASE WHEN t.status = 'error' THEN 1 ELSE 0 END) AS turn_errors,
        quantile_cont(CASE WHEN t.status = 'ok' THEN CAST(t.latency_ms AS DOUBLE) END, 0.5) AS latency_p50,
        quantile_cont(CASE WHEN t.status = 'ok' THEN CAST(t.latency_ms AS DOUBLE) END, 0.95) AS latency_p95,
        quantile_cont(CASE WHEN t.status = 'ok' THEN CAST(t.ttft_ms AS DOUBLE) END, 0.95) AS ttft_p95,
        sum(CASE WHEN t.cost_usd IS NOT NULL THEN 1 ELSE 0 END) AS priced_turns,
        sum(t.cost_usd) AS total_cost_usd,
        sum(t.input_tokens) AS input_tokens,
        sum(t.output_tokens) AS output_tokens
    FROM turns_w AS t
    JOIN dim AS d ON d.session_id = t.session_id
    GROUP BY d.value
),
c_agg AS (
    SELECT
        d.value,
        count(*) AS tool_calls,
        sum(CASE WHEN c.status = 'ok' THEN 1 ELSE 0 END) AS tool_calls_ok
    FROM calls_w AS c
    JOIN dim AS d ON d.session_id = c.session_id
    GROUP BY d.value
),
f_agg AS (
    SELECT
        d.value,
        count(*) AS responses,
        count(f.rating) AS ratings,
        avg(CAST(f.rating AS DOUBLE)) AS mean_rating,
        sum(CASE WHEN f.rating >= 4 THEN 1 ELSE 0 END) AS ratings_4_5,
        count(f.thumbs) AS thumbs,
        sum(CASE WHEN f.thumbs = 'up' THEN 1 ELSE 0 END) AS thumbs_up
    FROM feedback_w AS f
    JOIN dim AS d ON d.session_id = f.session_id
    GROUP BY d.value
)
SELECT
    s.value,
    s.active_sessions,
    s.new_sessions,
    coalesce(c.tool_calls, 0) AS tool_calls,
    CASE WHEN c.tool_calls > 0 THEN CAST(c.tool_calls_ok AS DOUBLE) / c.tool_calls END AS tool_call_success_rate,
    coalesce(t.turns, 0) AS turns,
    CASE WHEN t.turns > 0 THEN CAST(t.turn_errors AS DOUBLE) / t.turns END AS turn_error_rate,
    t.latency_p50,
    t.latency_p95,
    t.ttft_p95,
    coalesce(t.priced_turns, 0) AS priced_turns,
    t.total_cost_usd,
    t.total_cost_usd / s.active_sessions AS cost_per_session,
    t.input_tokens,
    t.output_tokens,
    coalesce(f.responses, 0) AS responses,
    f.mean_rating,
    CASE WHEN f.ratings > 0 THEN CAST(f.ratings_4_5 AS DOUBLE) / f.ratings END AS csat,
    CASE WHEN f.thumbs > 0 THEN CAST(f.thumbs_up AS DOUBLE) / f.thumbs END AS thumbs_up_rate
FROM s_agg AS s
LEFT JOIN t_agg AS t ON t.value = s.value
LEFT JOIN c_agg AS c ON c.value = s.value
LEFT JOIN f_agg AS f ON f.value = s.value
ORDER BY s.active_sessions DESC, s.value
