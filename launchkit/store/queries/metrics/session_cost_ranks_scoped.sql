-- purpose: metrics/session_cost_ranks for the rows of one drill-down scope (fragments/scope.sql), for the
--          drill-down's cost-per-session comparison
-- grain: one row
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ), $scope_by, $scope_value (see fragments/scope.sql)
WITH {{ scope }},
turns_priced AS ({{ turns_priced }}),
{{ sample_windows }},
{{ session_cost_sample }},
{{ rank_sums }}
