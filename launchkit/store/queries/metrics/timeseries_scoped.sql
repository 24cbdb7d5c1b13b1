-- purpose: metrics/timeseries for the rows of one drill-down scope (fragments/scope.sql), for the drill-down's
--          trend charts
-- grain: one row per bucket [$starts[k], $ends[k]) (see metrics/timeseries)
-- parameters: $starts, $ends, $key_hours, $key_buckets (lists of TIMESTAMPTZ, see fragments/bucket_metrics.sql),
--             $start, $end (the first bucket's
--             start and the last one's end), $scope_by, $scope_value (see
--             fragments/scope.sql)
WITH {{ scope }},
turns_priced AS ({{ turns_priced }}),
{{ bucket_metrics }}
