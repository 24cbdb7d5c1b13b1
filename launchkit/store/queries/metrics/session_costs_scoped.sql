-- purpose: metrics/session_costs for the rows of one drill-down scope (fragments/scope.sql), for the
--          drill-down's cost-per-session comparison
-- grain: one row per active session of the scope in the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window), $scope_by, $scope_value (see fragments/scope.sql)
WITH {{ scope }},
turns_priced AS ({{ turns_priced }}),
{{ window_events }}
{{ window_session_costs }}
