-- purpose: computed spend (effective turn cost from turns_priced) per period ($grain: 'day', 'week' =
--          ISO week starting Monday, 'month') and optionally per model or tenant ({column}: model,
--          tenant_id or total); unpriced turns are counted, not valued. A turn's day is the calendar day
--          $days[k] whose [$starts[k], $ends[k]) holds it (the report zone's days, computed by
--          launchkit.analytics.finance.spend), so no time-zone arithmetic happens here.
-- grain: one row per period and value of {column} with a turn in one of the given days
-- parameters: $days (list of DATE), $starts, $ends (lists of TIMESTAMPTZ), all of the same length;
--             $start, $end (TIMESTAMPTZ: the first day's start and the last one's end; turns outside are
--             left out before they are matched to a day); $grain ('day', 'week' or 'month')
WITH turns_attributed AS ({{ turns_attributed }}),
days AS (
    SELECT
        unnest(CAST($days AS DATE[])) AS day,
        unnest(CAST($starts AS TIMESTAMPTZ[])) AS day_start,
        unnest(CAST($ends AS TIMESTAMPTZ[])) AS day_end
),
t AS (
    SELECT
        CAST(date_trunc($grain, d.day) AS DATE) AS period,
        coalesce(ta.model, '(unknown)') AS model,
        ta.tenant_id,
        'all' AS total,
        ta.session_id,
        ta.cost_usd
    FROM (SELECT * FROM turns_attributed WHERE started_at >= $start AND started_at < $end) AS ta
    JOIN days AS d ON ta.started_at >= d.day_start AND ta.started_at < d.day_end
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
