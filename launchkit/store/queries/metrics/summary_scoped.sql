-- purpose: metrics/summary for the rows of one drill-down scope (the sessions of a tenant, cohort or release,
--          the turns of a model, the calls of a tool: fragments/scope.sql says which rows), for the debrief's
--          drill-down; the same columns, computed by the same fragments
-- grain: one row for the window [$start, $end) and the scope
-- parameters: $start, $end (TIMESTAMPTZ, half-open window), $scope_by, $scope_value (see fragments/scope.sql)
WITH {{ scope }},
turns_priced AS ({{ turns_priced }}),
{{ window_events }},
{{ window_summary }}
