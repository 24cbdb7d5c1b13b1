-- purpose: whether a file's content (its SHA-256) was already loaded, into $table_name when given (NULL: any),
--          by a load other than $besides
-- grain: one row (a count)
-- parameters: $content_hash, $table_name, $besides
SELECT count(*) AS n
FROM loads
WHERE content_hash = $content_hash AND status = 'loaded'
  AND ($table_name IS NULL OR table_name = $table_name)
  AND load_id <> $besides
