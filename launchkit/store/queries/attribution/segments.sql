-- purpose: the counts that attribute a day's change to the values of one dimension (launchkit.analytics.attribution):
--          per value and period ('day' [$start1, $end1), 'baseline' [$start2, $end2)), aggregates only, so both
--          engines run it. level 'calls': tool calls (n) and failed ones (bad: error or timeout); 'turns': turns
--          (n) and errors (bad), ok turns with a latency (n2) and those slower than $latency_cut (bad2), ok turns
--          with a TTFT (n3) and those slower than $ttft_cut (bad3); 'sessions': active sessions (n) and the
--          cost of their turns in the period (amount); 'feedback': ratings (n) and ratings below 4 (bad),
--          thumbs (n2) and thumbs down (bad2); 'evaluations' (by the time they were made): answers judged for
--          correctness ($eval_correct: n, those below $eval_threshold: bad) and for hallucination
--          ($eval_hallucination: n2, those at or above $eval_threshold: bad2), a model's or a program's judgement.
--          $by picks the value (the column comes from this fixed list, never from the caller): tenant, cohort,
--          release: the session's ('(unknown)' without one, as in metrics/breakdown_session), for every level;
--          model, provider: the turn's, for turns, the calls those turns made and the evaluations of them (an
--          evaluation of a whole session has no turn: '(unknown)'); tool: the call's, for calls only. A level the dimension does not split into parts (a session may use several models) has no rows.
-- grain: one row per (level, period, value) with events
-- parameters: $by ('tenant', 'cohort', 'release', 'model', 'provider' or 'tool'), $start1, $end1 (the day),
--             $start2, $end2 (the baseline; TIMESTAMPTZ, half-open, not overlapping the day), $latency_cut,
--             $ttft_cut (DOUBLE: the baseline's p95; NULL counts no turn as slower), $eval_correct,
--             $eval_hallucination (VARCHAR: the evaluation names counted), $eval_threshold (DOUBLE)
WITH turns_priced AS ({{ turns_priced }}),
sess AS (
    SELECT
        session_id,
        CASE $by
            WHEN 'tenant' THEN CAST(tenant_id AS VARCHAR)
            WHEN 'cohort' THEN CAST(cohort AS VARCHAR)
            WHEN 'release' THEN CAST(release AS VARCHAR)
        END AS value
    FROM sessions
),
turn_rows AS (
    SELECT
        t.turn_id,
        t.session_id,
        t.status,
        t.latency_ms,
        t.ttft_ms,
        t.cost_usd,
        CASE WHEN t.started_at >= $start1 AND t.started_at < $end1 THEN 'day' ELSE 'baseline' END AS period,
        coalesce(CASE
            WHEN $by IN ('tenant', 'cohort', 'release') THEN s.value
            WHEN $by = 'model' THEN t.model
            WHEN $by = 'provider' THEN t.provider
        END, '(unknown)') AS value
    FROM turns_priced AS t
    LEFT JOIN sess AS s ON s.session_id = t.session_id
    WHERE (t.started_at >= $start1 AND t.started_at < $end1) OR (t.started_at >= $start2 AND t.started_at < $end2)
),
call_rows AS (
    SELECT
        c.status,
        CASE WHEN c.started_at >= $start1 AND c.started_at < $end1 THEN 'day' ELSE 'baseline' END AS period,
        coalesce(CASE
            WHEN $by IN ('tenant', 'cohort', 'release') THEN s.value
            WHEN $by = 'model' THEN t.model
            WHEN $by = 'provider' THEN t.provider
            WHEN $by = 'tool' THEN c.tool_name
        END, '(unknown)') AS value
    FROM tool_calls AS c
    LEFT JOIN sess AS s ON s.session_id = c.session_id
    LEFT JOIN turns AS t ON t.turn_id = c.turn_id
    WHERE (c.started_at >= $start1 AND c.started_at < $end1) OR (c.started_at >= $start2 AND c.started_at < $end2)
),
active_rows AS (
    SELECT DISTINCT
        ev.session_id,
        CASE WHEN ev.event_at >= $start1 AND ev.event_at < $end1 THEN 'day' ELSE 'baseline' END AS period
    FROM ({{ session_events }}) AS ev
    WHERE (ev.event_at >= $start1 AND ev.event_at < $end1) OR (ev.event_at >= $start2 AND ev.event_at < $end2)
),
session_cost AS (
    SELECT session_id, period, sum(cost_usd) AS cost_usd
    FROM turn_rows
    GROUP BY session_id, period
),
feedback_rows AS (
    SELECT
        f.rating,
        f.thumbs,
        CASE WHEN f.submitted_at >= $start1 AND f.submitted_at < $end1 THEN 'day' ELSE 'baseline' END AS period,
        coalesce(s.value, '(unknown)') AS value
    FROM feedback AS f
    LEFT JOIN sess AS s ON s.session_id = f.session_id
    WHERE ((f.submitted_at >= $start1 AND f.submitted_at < $end1)
           OR (f.submitted_at >= $start2 AND f.submitted_at < $end2))
),
eval_rows AS (
    SELECT
        e.name,
        e.value,
        CASE WHEN e.evaluated_at >= $start1 AND e.evaluated_at < $end1 THEN 'day' ELSE 'baseline' END AS period,
        coalesce(CASE
            WHEN $by IN ('tenant', 'cohort', 'release') THEN s.value
            WHEN $by = 'model' THEN t.model
            WHEN $by = 'provider' THEN t.provider
        END, '(unknown)') AS value_of
    FROM evaluations AS e
    LEFT JOIN sess AS s ON s.session_id = e.session_id
    LEFT JOIN turns AS t ON t.turn_id = e.turn_id
    WHERE e.name IN ($eval_correct, $eval_hallucination) AND e.value IS NOT NULL
      AND ((e.evaluated_at >= $start1 AND e.evaluated_at < $end1)
           OR (e.evaluated_at >= $start2 AND e.evaluated_at < $end2))
)
SELECT
    'calls' AS level, period, value,
    count(*) AS n,
    sum(CASE WHEN status <> 'ok' THEN 1 ELSE 0 END) AS bad,
    CAST(NULL AS BIGINT) AS n2, CAST(NULL AS BIGINT) AS bad2, CAST(NULL AS BIGINT) AS n3, CAST(NULL AS BIGINT) AS bad3,
    CAST(NULL AS DOUBLE) AS amount
FROM call_rows
GROUP BY period, value
UNION ALL
SELECT
    'turns' AS level, period, value,
    count(*) AS n,
    sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS bad,
    sum(CASE WHEN status = 'ok' AND latency_ms IS NOT NULL THEN 1 ELSE 0 END) AS n2,
    sum(CASE WHEN status = 'ok' AND latency_ms > $latency_cut THEN 1 ELSE 0 END) AS bad2,
    sum(CASE WHEN status = 'ok' AND ttft_ms IS NOT NULL THEN 1 ELSE 0 END) AS n3,
    sum(CASE WHEN status = 'ok' AND ttft_ms > $ttft_cut THEN 1 ELSE 0 END) AS bad3,
    CAST(NULL AS DOUBLE) AS amount
FROM turn_rows
WHERE $by <> 'tool'
GROUP BY period, value
UNION ALL
SELECT
    'sessions' AS level, a.period, coalesce(s.value, '(unknown)') AS value,
    count(*) AS n,
    CAST(NULL AS BIGINT) AS bad,
    CAST(NULL AS BIGINT) AS n2, CAST(NULL AS BIGINT) AS bad2, CAST(NULL AS BIGINT) AS n3, CAST(NULL AS BIGINT) AS bad3,
    sum(c.cost_usd) AS amount
FROM active_rows AS a
LEFT JOIN sess AS s ON s.session_id = a.session_id
LEFT JOIN session_cost AS c ON c.session_id = a.session_id AND c.period = a.period
WHERE $by IN ('tenant', 'cohort', 'release')
GROUP BY a.period, coalesce(s.value, '(unknown)')
UNION ALL
SELECT
    'feedback' AS level, period, value,
    count(rating) AS n,
    sum(CASE WHEN rating < 4 THEN 1 ELSE 0 END) AS bad,
    count(thumbs) AS n2,
    sum(CASE WHEN thumbs = 'down' THEN 1 ELSE 0 END) AS bad2,
    CAST(NULL AS BIGINT) AS n3, CAST(NULL AS BIGINT) AS bad3,
    CAST(NULL AS DOUBLE) AS amount
FROM feedback_rows
WHERE $by IN ('tenant', 'cohort', 'release')
GROUP BY period, value
UNION ALL
SELECT
    'evaluations' AS level, period, value_of AS value,
    sum(CASE WHEN name = $eval_correct THEN 1 ELSE 0 END) AS n,
    sum(CASE WHEN name = $eval_correct AND value < $eval_threshold THEN 1 ELSE 0 END) AS bad,
    sum(CASE WHEN name = $eval_hallucination THEN 1 ELSE 0 END) AS n2,
    sum(CASE WHEN name = $eval_hallucination AND value >= $eval_threshold THEN 1 ELSE 0 END) AS bad2,
    CAST(NULL AS BIGINT) AS n3, CAST(NULL AS BIGINT) AS bad3,
    CAST(NULL AS DOUBLE) AS amount
FROM eval_rows
WHERE $by <> 'tool'
GROUP BY period, value_of
