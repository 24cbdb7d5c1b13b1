-- purpose: whether the same failure of the same file content was recorded before (then it is not recorded twice)
-- grain: one row (a count)
-- parameters: $path, $content_hash, $error
SELECT count(*) AS n
FROM loads
WHERE status = 'failed' AND path = $path AND content_hash = $content_hash AND error = $error
