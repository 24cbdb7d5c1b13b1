-- purpose: metrics/timeseries for the rows of one drill-down scope (fragments/scope.sql), for the drill-down's
--          trend charts
-- grain: one row per bucket ($grain: 'hour' or 'day') in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ), $grain ('hour' or 'day'), $scope_by, $scope_value (see fragments/scope.sql)
WITH {{ scope }},
turns_priced AS ({{ turns_priced }}),
{{ bucket_metrics }}
