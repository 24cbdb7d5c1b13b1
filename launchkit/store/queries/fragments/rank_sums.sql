-- fragment: rank_sums: the aggregates of a two-sided Mann-Whitney U test of side 1 against side 2 of a CTE
--           sample(side, v) defined before it (launchkit.stats.mann_whitney_from_ranks finishes the test):
--           the sizes n1, n2; twice the rank sum of side 1, each value ranked among both sides and tied values
--           sharing their average rank (twice keeps it a whole number); the tie term sum(t^3 - t) over groups
--           of t equal values (DECIMAL(38, 0): t^3 would overflow BIGINT past two million ties); the sums of
--           each side (for the means; exact when v is a DECIMAL). Only integers and sums cross: the test is
--           the same on every engine. Its own CTEs: tie_groups, tie_ranks, side_sums.
-- grain: one row
-- parameters: none of its own
tie_groups AS (
    SELECT v, count(*) AS t, sum(CASE WHEN side = 1 THEN 1 ELSE 0 END) AS t1
    FROM sample
    GROUP BY v
),
tie_ranks AS (
    SELECT t, t1, sum(t) OVER (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - t AS below
    FROM tie_groups
),
side_sums AS (
    SELECT
        sum(CASE WHEN side = 1 THEN v END) AS sum1,
        sum(CASE WHEN side = 2 THEN v END) AS sum2
    FROM sample
)
SELECT
    coalesce(sum(r.t1), 0) AS n1,
    coalesce(sum(r.t - r.t1), 0) AS n2,
    coalesce(sum(r.t1 * (2 * r.below + r.t + 1)), 0) AS rank_sum1_x2,
    coalesce(sum(CAST(r.t AS DECIMAL(38, 0)) * r.t * r.t - r.t), 0) AS tie_term,
    min(s.sum1) AS sum1,
    min(s.sum2) AS sum2
FROM side_sums AS s
LEFT JOIN tie_ranks AS r ON true
