-- purpose: metrics/latency_values for the rows of one drill-down scope (fragments/scope.sql), for the
--          drill-down's latency comparisons
-- grain: one row per ok turn of the scope in the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window), $scope_by, $scope_value (see fragments/scope.sql)
WITH {{ scope }},
turns_priced AS ({{ turns_priced }})
{{ window_latency }}
