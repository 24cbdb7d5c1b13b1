-- purpose: the values at given ranks of the cost per active session in one or two windows (exact DECIMAL
--          session costs, returned as DOUBLE): the medians and p95s of the decision's cost comparison
-- grain: one row per (side, rank asked for that exists); side 1 = [$start1, $end1), side 2 = [$start2, $end2)
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ), $ranks1, $ranks2 (lists of 1-based ranks)
WITH turns_priced AS ({{ turns_priced }}),
{{ sample_windows }},
{{ session_cost_sample }},
{{ order_stats }}
