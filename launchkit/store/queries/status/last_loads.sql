-- purpose: the most recent entries of the load manifest, newest first
-- grain: one row per load (file and table)
-- parameters: $limit
SELECT load_id, path, table_name, format, status, rows_read, loaded, updated, duplicates, rejected, ignored, error, loaded_at
FROM loads
ORDER BY load_id DESC
LIMIT $limit
