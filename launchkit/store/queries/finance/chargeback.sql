-- purpose: chargeback: computed spend (effective turn cost) per tenant or per cohort ({column}: tenant_id or
--          cohort, from an allow-list) over a range; unpriced turns are counted, never valued, so cost_usd is a
--          lower bound when unpriced_turns > 0 and NULL (not 0) when none of the value's turns is priced
-- grain: one row per value of {column} with a turn in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open range)
WITH turns_attributed AS ({{ turns_attributed }})
SELECT
    {column} AS value,
    sum(cost_usd) AS cost_usd,
    count(*) AS turns,
    count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced_turns,
    count(DISTINCT session_id) AS sessions
FROM turns_attributed
WHERE started_at >= $start AND started_at < $end
GROUP BY {column}
ORDER BY value
