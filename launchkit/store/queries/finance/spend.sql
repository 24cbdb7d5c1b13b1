-- purpose: computed spend (effective turn cost from turns_priced) per period ($grain: 'day', 'week' =
--          ISO week starting Monday, 'month') and optionally per model or tenant ({column}: model,
--          tenant_id or total); unpriced turns are counted, not valued
-- grain: one row per period and value of {column} with a turn in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open range), $grain ('day', 'week' or 'month')
WITH turns_attributed AS ({{ turns_attributed }}),
t AS (
    SELECT
        CAST(date_trunc($grain, started_at) AS DATE) AS period,
        coalesce(model, '(unknown)') AS model,
        tenant_id,
        'all' AS total,
        session_id,
        cost_usd
    FROM turns_attributed
    WHERE started_at >= $start AND started_at < $end
)
SELECT
    period,
    {column} AS value,
    sum(cost_usd) AS cost_usd,
    count(*) AS turns,
    count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced_turns,
    count(DISTINCT session_id) AS sessions
FROM t
GROUP BY period, {column}
ORDER BY period, value
