-- purpose: one rejected record: which load, file, table, record number, column and why, with its raw values
-- grain: one row per rejected record
-- parameters: $load_id, $path, $table_name, $row_number, $column_name, $reason, $raw
INSERT INTO rejects (load_id, path, table_name, row_number, column_name, reason, raw)
VALUES ($load_id, $path, $table_name, $row_number, $column_name, $reason, $raw)
