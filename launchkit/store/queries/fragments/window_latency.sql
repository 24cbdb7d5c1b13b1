-- fragment: window_latency: the latency and TTFT of the ok turns in the window (metrics/latency_values), from a
--           turns_priced CTE defined before it: `WITH turns_priced AS (...) {{ window_latency }}`.
-- grain: one row per ok turn in the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT
    CAST(latency_ms AS DOUBLE) AS latency_ms,
    CAST(ttft_ms AS DOUBLE) AS ttft_ms
FROM turns_priced
WHERE started_at >= $start AND started_at < $end AND status = 'ok'
