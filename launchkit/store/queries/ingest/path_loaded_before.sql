-- purpose: whether a file path was loaded before (then a re-run hashes it first and may skip it)
-- grain: one row (a count)
-- parameters: $path
SELECT count(*) AS n FROM loads WHERE path = $path AND status = 'loaded'
