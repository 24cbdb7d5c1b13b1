-- purpose: the values at given ranks of an ok-turn measure ({column}: latency_ms or ttft_ms, from an allow-list)
--          in one or two windows: exact percentiles, medians and order-statistic intervals
--          (launchkit.analytics.samples) with only those values crossing from the engine
-- grain: one row per (side, rank asked for that exists); side 1 = [$start1, $end1), side 2 = [$start2, $end2)
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ), $ranks1, $ranks2 (lists of 1-based ranks)
WITH turns_priced AS ({{ turns_priced }}),
{{ sample_windows }},
{{ turn_sample }},
{{ order_stats }}
