-- fragment: bucket_hours: the CTEs buckets (each given bucket and its end) and bucket_hours (every UTC hour a
--           bucket overlaps, with the bucket), so a row finds its bucket by an equality join on its UTC hour and
--           then the bucket's edges (`JOIN bucket_hours AS b ON date_trunc('hour', x.at) = b.key_hour WHERE
--           x.at >= b.bucket AND x.at < b.bucket_end`), never by a range join on the edges alone (much slower).
--           Insert it as `{{ bucket_hours }}, ...` among the CTEs.
-- grain: buckets: one row per bucket [$starts[k], $ends[k]); bucket_hours: one row per (UTC hour, bucket)
-- parameters: $starts, $ends (lists of TIMESTAMPTZ of the same length: each bucket's first instant and end);
--             $key_hours, $key_buckets (lists of TIMESTAMPTZ of the same length: a UTC hour and the start of a
--             bucket it overlaps; launchkit.analytics.metrics.bucket_params)
buckets AS (
    SELECT
        unnest(CAST($starts AS TIMESTAMPTZ[])) AS bucket,
        unnest(CAST($ends AS TIMESTAMPTZ[])) AS bucket_end
),
bucket_hours AS (
    SELECT k.key_hour, b.bucket, b.bucket_end
    FROM (
        SELECT
            unnest(CAST($key_hours AS TIMESTAMPTZ[])) AS key_hour,
            unnest(CAST($key_buckets AS TIMESTAMPTZ[])) AS bucket
    ) AS k
    JOIN buckets AS b ON b.bucket = k.bucket
)
