-- purpose: metrics/turn_order_stats for the rows of one drill-down scope (fragments/scope.sql), for the
--          drill-down's latency and TTFT comparisons
-- grain: one row per (side, rank asked for that exists)
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ), $ranks1, $ranks2, $scope_by, $scope_value
WITH {{ scope }},
turns_priced AS ({{ turns_priced }}),
{{ sample_windows }},
{{ turn_sample }},
{{ order_stats }}
