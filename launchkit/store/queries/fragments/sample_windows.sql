-- fragment: sample_windows: the CTE sample_windows(side, ws, we) of a two-sample statistic: side 1 is
--           [$start1, $end1) (the day), side 2 is [$start2, $end2) (its baseline; an empty window
--           [$start1, $start1) for a one-sample statistic). The windows may overlap: each side is its own sample.
-- grain: two rows, one per side
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ, half-open windows)
sample_windows AS (
    SELECT 1 AS side, CAST($start1 AS TIMESTAMPTZ) AS ws, CAST($end1 AS TIMESTAMPTZ) AS we
    UNION ALL
    SELECT 2 AS side, CAST($start2 AS TIMESTAMPTZ) AS ws, CAST($end2 AS TIMESTAMPTZ) AS we
)
