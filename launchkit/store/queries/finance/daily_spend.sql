-- purpose: computed spend and active sessions per calendar day over a range; every given day is a row, so
--          days without turns appear with NULL spend (never 0). The days are the report zone's (launchkit.window
--          computes their edges: 23 or 25 hours when the clocks change), so no time-zone arithmetic happens here.
-- grain: one row per day $days[k], the turns started in [$starts[k], $ends[k])
-- parameters: $days (list of DATE), $starts, $ends (lists of TIMESTAMPTZ), all of the same length;
--             $start, $end (TIMESTAMPTZ: the first day's start and the last one's end; turns outside are
--             left out before they are matched to a day)
WITH turns_priced AS ({{ turns_priced }}),
days AS (
    SELECT
        unnest(CAST($days AS DATE[])) AS day,
        unnest(CAST($starts AS TIMESTAMPTZ[])) AS day_start,
        unnest(CAST($ends AS TIMESTAMPTZ[])) AS day_end
),
t AS (
    SELECT
        d.day,
        sum(tp.cost_usd) AS cost_usd,
        count(*) AS turns,
        count(tp.cost_usd) AS priced_turns,
        count(DISTINCT tp.session_id) AS sessions_with_turns
    FROM (SELECT * FROM turns_priced WHERE started_at >= $start AND started_at < $end) AS tp
    JOIN days AS d ON tp.started_at >= d.day_start AND tp.started_at < d.day_end
    GROUP BY d.day
)
SELECT
    d.day,
    t.cost_usd,
    t.turns,
    t.priced_turns,
    t.sessions_with_turns
FROM days AS d
LEFT JOIN t ON t.day = d.day
ORDER BY d.day
