-- purpose: headline metrics per time bucket over a range; the bucket series is generated here so buckets
--          without data appear with NULL metrics (never 0)
-- grain: one row per bucket ($grain: 'hour' or 'day') in [$start, $end); $start and $end on bucket edges
-- parameters: $start, $end (TIMESTAMPTZ), $grain ('hour' or 'day')
WITH turns_priced AS ({{ turns_priced }}),
{{ bucket_metrics }}
