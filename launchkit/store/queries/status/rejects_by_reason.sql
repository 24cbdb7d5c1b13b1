-- purpose: rejected rows grouped by table, column and reason
-- grain: one row per (table, column, reason)
-- parameters: none
SELECT table_name, column_name, reason, count(*) AS row_count, count(DISTINCT path) AS files
FROM rejects
GROUP BY table_name, column_name, reason
ORDER BY row_count DESC, table_name, column_name, reason
