-- purpose: the raw latency and TTFT of ok turns in a window, for order-statistic intervals and
--          Mann-Whitney tests (NULL where the turn did not report the value)
-- grain: one row per ok turn in the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH turns_priced AS ({{ turns_priced }})
{{ window_latency }}
