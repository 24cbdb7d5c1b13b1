-- purpose: the raw latency and TTFT of ok turns in a window, for order-statistic intervals and
--          Mann-Whitney tests (NULL where the turn did not report the value)
-- grain: one row per ok turn in the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH turns_priced AS ({{ turns_priced }})
SELECT
    CAST(latency_ms AS DOUBLE) AS latency_ms,
    CAST(ttft_ms AS DOUBLE) AS ttft_ms
FROM turns_priced
WHERE started_at >= $start AND started_at < $end AND status = 'ok'
