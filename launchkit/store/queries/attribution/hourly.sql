-- purpose: the whole pilot's hourly counts a change point is found in (fragments/hourly_counts.sql)
-- grain: one row per bucket [$starts[k], $ends[k])
-- parameters: $starts, $ends, $key_hours, $key_buckets, $start, $end, $latency_cut, $ttft_cut (see the fragment)
WITH turns_priced AS ({{ turns_priced }}),
{{ hourly_counts }}
