-- purpose: computed spend and active sessions per UTC day over a range, with the day series generated
--          here so days without turns appear with NULL spend (never 0)
-- grain: one row per day in [$start, $end) ($start and $end at midnight UTC)
-- parameters: $start, $end (TIMESTAMPTZ, half-open range)
WITH turns_priced AS ({{ turns_priced }}),
days AS (
    SELECT unnest(generate_series(
        CAST($start AS TIMESTAMPTZ),
        CAST($end AS TIMESTAMPTZ) - INTERVAL 1 DAY,
        INTERVAL 1 DAY
    )) AS day
),
t AS (
    SELECT
        date_trunc('day', started_at) AS day,
        sum(cost_usd) AS cost_usd,
        count(*) AS turns,
        count(cost_usd) AS priced_turns,
        count(DISTINCT session_id) AS sessions_with_turns
    FROM turns_priced
    WHERE started_at >= $start AND started_at < $end
    GROUP BY date_trunc('day', started_at)
)
SELECT
    CAST(d.day AS DATE) AS day,
    t.cost_usd,
    t.turns,
    t.priced_turns,
    t.sessions_with_turns
FROM days AS d
LEFT JOIN t ON t.day = d.day
ORDER BY d.day
