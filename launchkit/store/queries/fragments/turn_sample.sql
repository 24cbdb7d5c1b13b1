-- fragment: turn_sample: the CTE sample(side, v): the {column} (latency_ms or ttft_ms, as DOUBLE) of each ok
--           turn of turns_priced in each window of sample_windows; turns without the value are left out (as
--           summary's latency_n / ttft_n count them). Needs turns_priced and sample_windows before it. The
--           bounds of the two windows together also filter the scan, so an engine reads only those days.
-- grain: one row per (side, ok turn with a {column})
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ); the slot {column}
sample AS (
    SELECT w.side, CAST(t.{column} AS DOUBLE) AS v
    FROM turns_priced AS t
    JOIN sample_windows AS w ON t.started_at >= w.ws AND t.started_at < w.we
    WHERE t.status = 'ok'
      AND t.{column} IS NOT NULL
      AND t.started_at >= least(CAST($start1 AS TIMESTAMPTZ), CAST($start2 AS TIMESTAMPTZ))
      AND t.started_at < greatest(CAST($end1 AS TIMESTAMPTZ), CAST($end2 AS TIMESTAMPTZ))
)
