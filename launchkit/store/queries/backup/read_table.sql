-- purpose: every row and column of one table, streamed into the backup's Parquet file (reading every
--          value is also what proves the table's blocks are readable)
-- grain: one row per row of {table}
-- parameters: none (identifier slot {table}, from backup/tables)
SELECT * FROM {table}
