-- purpose: computed spend (effective turn cost from turns_priced) per period ($grain: 'day', 'week' =
--          ISO week starting Monday, 'month') and optionally per model or tenant ({column}: model,
--          tenant_id or total); unpriced turns are counted, not valued
-- grain: one row per period and value of {column} with a turn in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open range), $grain ('day', 'week' or 'month')
WITH turns_priced AS ({{ turns_priced }}),
t AS (
    SELECT
        CAST(date_trunc($grain, tp.started_at) AS DATE) AS period,
        coalesce(tp.model, '(unknown)') AS model,
        coalesce(s.tenant_id, '(unknown)') AS tenant_id,
        'all' AS total,
        tp.session_id,
        tp.cost_usd
    FROM turns_priced AS tp
    LEFT JOIN sessions AS s ON s.session_id = tp.session_id
    WHERE tp.started_at >= $start AND tp.started_at < $end
)
SELECT
    period,
    {column} AS value,
    sum(cost_usd) AS cost_usd,
    count(*) AS turns,
    sum(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced_turns,
    count(DISTINCT session_id) AS sessions
FROM t
GROUP BY period, {column}
ORDER BY period, value
