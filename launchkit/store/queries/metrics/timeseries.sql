-- purpose: headline metrics per time bucket over a range; every given bucket is a row, so buckets without
--          data appear with NULL metrics (never 0)
-- grain: one row per bucket [$starts[k], $ends[k]) (the report zone's clock hours or calendar days,
--        computed by launchkit.analytics.metrics.timeseries)
-- parameters: $starts, $ends, $key_hours, $key_buckets (lists of TIMESTAMPTZ: see fragments/bucket_metrics.sql,
--             from launchkit.analytics.metrics.bucket_params); $start, $end (TIMESTAMPTZ: the
--             first bucket's start and the last one's end)
WITH turns_priced AS ({{ turns_priced }}),
{{ bucket_metrics }}
