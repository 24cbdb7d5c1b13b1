-- purpose: the Mann-Whitney U aggregates of the cost per active session between the day [$start1, $end1) and
--          its baseline [$start2, $end2) (exact DECIMAL session costs): the decision's cost comparison
--          (launchkit.analytics.samples), without the sessions leaving the engine
-- grain: one row
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ, half-open windows)
WITH turns_priced AS ({{ turns_priced }}),
{{ sample_windows }},
{{ session_cost_sample }},
{{ rank_sums }}
