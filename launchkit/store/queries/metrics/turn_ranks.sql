-- purpose: the Mann-Whitney U aggregates of an ok-turn measure ({column}: latency_ms or ttft_ms, from an
--          allow-list) between the day [$start1, $end1) and its baseline [$start2, $end2): sizes, twice the rank
--          sum of the day, the tie term and the sums; the decision's latency and TTFT comparisons
--          (launchkit.analytics.samples), without the values leaving the engine
-- grain: one row
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ, half-open windows)
WITH turns_priced AS ({{ turns_priced }}),
{{ sample_windows }},
{{ turn_sample }},
{{ rank_sums }}
