-- purpose: the held rows of one file and table, in the order they were first read, as the temp table
--          _lk_held (their load, row number, raw values and key) that a re-evaluation stages
-- grain: one row per held row of ($path, $table_name)
-- parameters: $path, $table_name, $key_path (the JSON path of the table's key in the raw values)
CREATE OR REPLACE TEMP TABLE _lk_held AS
SELECT row_number() OVER (ORDER BY load_id, row_number) AS _row, load_id, row_number, raw,
       trim(json_extract_string(raw, $key_path)) AS _key
FROM rejects
WHERE held AND resolved_by IS NULL AND path = $path AND table_name = $table_name
