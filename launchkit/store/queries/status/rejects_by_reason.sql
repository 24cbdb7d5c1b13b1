-- purpose: rejected rows grouped by table, column and reason (a held row a later load took is no longer rejected)
-- grain: one row per (table, column, reason)
-- parameters: none
SELECT table_name, column_name, reason, count(*) AS row_count, count(DISTINCT path) AS files
FROM rejects
WHERE resolved_by IS NULL
GROUP BY table_name, column_name, reason
ORDER BY row_count DESC, table_name, column_name, reason
