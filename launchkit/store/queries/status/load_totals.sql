-- purpose: totals over the whole load manifest
-- grain: one row
-- parameters: none
SELECT
    count(*) FILTER (WHERE status = 'loaded') AS files_loaded,
    count(*) FILTER (WHERE status = 'failed') AS files_failed,
    coalesce(sum(rows_read), 0) AS rows_read,
    coalesce(sum(loaded), 0) AS loaded,
    coalesce(sum(updated), 0) AS updated,
    coalesce(sum(duplicates), 0) AS duplicates,
    coalesce(sum(rejected), 0) AS rejected,
    coalesce(sum(ignored), 0) AS ignored,
    max(loaded_at) AS last_load_at
FROM loads
