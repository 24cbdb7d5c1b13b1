-- fragment: order_stats: the values at given 1-based ranks (ascending) of each side of a CTE sample(side, v)
--           defined before it: what an exact quantile, median or order-statistic interval needs, computed in
--           Python from the sample size (launchkit.stats: ranks_for_quantile_interval, median_ranks), so only
--           these few values cross. A rank beyond the sample returns no row. Its own CTE: ordered.
-- grain: one row per (side, rank asked for that exists)
-- parameters: $ranks1, $ranks2 (lists of whole numbers: the ranks wanted of side 1 and side 2)
ordered AS (
    SELECT side, v, row_number() OVER (PARTITION BY side ORDER BY v) AS rn
    FROM sample
)
SELECT side, rn, CAST(v AS DOUBLE) AS v
FROM ordered
WHERE (side = 1 AND list_contains($ranks1, rn)) OR (side = 2 AND list_contains($ranks2, rn))
ORDER BY side, rn
