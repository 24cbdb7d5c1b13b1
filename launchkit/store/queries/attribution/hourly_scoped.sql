-- purpose: attribution/hourly for the rows of one drill-down scope (fragments/scope.sql says which rows): the
--          hourly counts of the segment a change is attributed to
-- grain: one row per bucket [$starts[k], $ends[k])
-- parameters: $starts, $ends, $key_hours, $key_buckets, $start, $end, $latency_cut, $ttft_cut (see
--             fragments/hourly_counts.sql), $scope_by, $scope_value (see fragments/scope.sql)
WITH {{ scope }},
turns_priced AS ({{ turns_priced }}),
{{ hourly_counts }}
