-- purpose: totals over the whole load manifest, each input row counted once: a row held (its rejection
--          depended on the clock or the configuration) and later taken by a re-evaluation was read by its
--          file's load and is counted there; the re-evaluation's load (format 'held') adds what became of it
--          (loaded, or a duplicate of a later row), and its rejection no longer counts
-- grain: one row
-- parameters: none
SELECT
    count(*) FILTER (WHERE status = 'loaded' AND format IS DISTINCT FROM 'held') AS files_loaded,
    count(*) FILTER (WHERE status = 'failed') AS files_failed,
    coalesce(sum(rows_read) FILTER (WHERE format IS DISTINCT FROM 'held'), 0) AS rows_read,
    coalesce(sum(loaded), 0) AS loaded,
    coalesce(sum(updated), 0) AS updated,
    coalesce(sum(duplicates), 0) AS duplicates,
    coalesce(sum(rejected), 0)
        - (SELECT count(*) FROM rejects WHERE held AND resolved_by IS NOT NULL) AS rejected,
    coalesce(sum(ignored), 0) AS ignored,
    max(loaded_at) AS last_load_at
FROM loads
