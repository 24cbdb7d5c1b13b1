-- fragment: hourly_counts: per time bucket, the counts a change point is found in (launchkit.analytics.changepoint):
--           tool calls and failed ones, turns and errors, ok turns with a latency / TTFT and those slower than
--           $latency_cut / $ttft_cut, active sessions and their turns' cost, ratings and those below 4, thumbs and
--           thumbs down, answers judged for correctness and those judged incorrect, and for hallucination and those
--           judged hallucinated (evaluations, by the time they were made). Insert after a turns_priced CTE: `WITH turns_priced AS (...), {{ hourly_counts }}`.
--           Buckets as in fragments/bucket_metrics.sql (given, matched by an equality join on the UTC hour).
-- grain: one row per bucket [$starts[k], $ends[k]); a bucket without events has zero counts
-- parameters: $starts, $ends, $key_hours, $key_buckets, $start, $end (see fragments/bucket_metrics.sql);
--             $latency_cut, $ttft_cut (DOUBLE; NULL counts no turn as slower); $eval_correct, $eval_hallucination
--             (VARCHAR: the evaluation names), $eval_threshold (DOUBLE: a value below it is incorrect, at or above
--             it hallucinated)
{{ bucket_hours }},
t_agg AS (
    SELECT
        b.bucket,
        count(*) AS turns,
        sum(CASE WHEN t.status = 'error' THEN 1 ELSE 0 END) AS turns_bad,
        sum(CASE WHEN t.status = 'ok' AND t.latency_ms IS NOT NULL THEN 1 ELSE 0 END) AS latency_n,
        sum(CASE WHEN t.status = 'ok' AND t.latency_ms > $latency_cut THEN 1 ELSE 0 END) AS latency_bad,
        sum(CASE WHEN t.status = 'ok' AND t.ttft_ms IS NOT NULL THEN 1 ELSE 0 END) AS ttft_n,
        sum(CASE WHEN t.status = 'ok' AND t.ttft_ms > $ttft_cut THEN 1 ELSE 0 END) AS ttft_bad,
        sum(t.cost_usd) AS amount
    FROM (SELECT * FROM turns_priced WHERE started_at >= $start AND started_at < $end) AS t
    JOIN bucket_hours AS b ON date_trunc('hour', t.started_at) = b.key_hour
    WHERE t.started_at >= b.bucket AND t.started_at < b.bucket_end
    GROUP BY b.bucket
),
c_agg AS (
    SELECT
        b.bucket,
        count(*) AS calls,
        sum(CASE WHEN c.status <> 'ok' THEN 1 ELSE 0 END) AS calls_bad
    FROM (SELECT * FROM tool_calls WHERE started_at >= $start AND started_at < $end) AS c
    JOIN bucket_hours AS b ON date_trunc('hour', c.started_at) = b.key_hour
    WHERE c.started_at >= b.bucket AND c.started_at < b.bucket_end
    GROUP BY b.bucket
),
a_agg AS (
    SELECT b.bucket, count(DISTINCT ev.session_id) AS sessions
    FROM (SELECT * FROM ({{ session_events }}) AS e WHERE event_at >= $start AND event_at < $end) AS ev
    JOIN bucket_hours AS b ON date_trunc('hour', ev.event_at) = b.key_hour
    WHERE ev.event_at >= b.bucket AND ev.event_at < b.bucket_end
    GROUP BY b.bucket
),
f_agg AS (
    SELECT
        b.bucket,
        count(f.rating) AS ratings,
        sum(CASE WHEN f.rating < 4 THEN 1 ELSE 0 END) AS ratings_bad,
        count(f.thumbs) AS thumbs,
        sum(CASE WHEN f.thumbs = 'down' THEN 1 ELSE 0 END) AS thumbs_bad
    FROM (SELECT * FROM feedback WHERE submitted_at >= $start AND submitted_at < $end) AS f
    JOIN bucket_hours AS b ON date_trunc('hour', f.submitted_at) = b.key_hour
    WHERE f.submitted_at >= b.bucket AND f.submitted_at < b.bucket_end
    GROUP BY b.bucket
),
e_agg AS (
    SELECT
        b.bucket,
        sum(CASE WHEN e.name = $eval_correct THEN 1 ELSE 0 END) AS judged,
        sum(CASE WHEN e.name = $eval_correct AND e.value < $eval_threshold THEN 1 ELSE 0 END) AS judged_bad,
        sum(CASE WHEN e.name = $eval_hallucination THEN 1 ELSE 0 END) AS hallucination_n,
        sum(CASE WHEN e.name = $eval_hallucination AND e.value >= $eval_threshold THEN 1 ELSE 0 END)
            AS hallucination_bad
    FROM (
        SELECT * FROM evaluations
        WHERE evaluated_at >= $start AND evaluated_at < $end AND value IS NOT NULL
          AND name IN ($eval_correct, $eval_hallucination)
    ) AS e
    JOIN bucket_hours AS b ON date_trunc('hour', e.evaluated_at) = b.key_hour
    WHERE e.evaluated_at >= b.bucket AND e.evaluated_at < b.bucket_end
    GROUP BY b.bucket
)
SELECT
    b.bucket,
    coalesce(c.calls, 0) AS calls,
    coalesce(c.calls_bad, 0) AS calls_bad,
    coalesce(t.turns, 0) AS turns,
    coalesce(t.turns_bad, 0) AS turns_bad,
    coalesce(t.latency_n, 0) AS latency_n,
    coalesce(t.latency_bad, 0) AS latency_bad,
    coalesce(t.ttft_n, 0) AS ttft_n,
    coalesce(t.ttft_bad, 0) AS ttft_bad,
    coalesce(a.sessions, 0) AS sessions,
    coalesce(t.amount, 0) AS amount,
    coalesce(f.ratings, 0) AS ratings,
    coalesce(f.ratings_bad, 0) AS ratings_bad,
    coalesce(f.thumbs, 0) AS thumbs,
    coalesce(f.thumbs_bad, 0) AS thumbs_bad,
    coalesce(e.judged, 0) AS judged,
    coalesce(e.judged_bad, 0) AS judged_bad,
    coalesce(e.hallucination_n, 0) AS hallucination_n,
    coalesce(e.hallucination_bad, 0) AS hallucination_bad
FROM buckets AS b
LEFT JOIN t_agg AS t ON t.bucket = b.bucket
LEFT JOIN c_agg AS c ON c.bucket = b.bucket
LEFT JOIN a_agg AS a ON a.bucket = b.bucket
LEFT JOIN f_agg AS f ON f.bucket = b.bucket
LEFT JOIN e_agg AS e ON e.bucket = b.bucket
ORDER BY b.bucket
