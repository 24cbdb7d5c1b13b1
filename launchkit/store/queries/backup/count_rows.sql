-- purpose: how many rows one table holds, checked against a backup's manifest after a restore
-- grain: one row
-- parameters: none (identifier slot {table}, from backup/tables)
SELECT count(*) AS row_count FROM {table}
