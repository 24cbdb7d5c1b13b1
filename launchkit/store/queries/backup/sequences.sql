-- purpose: the warehouse's sequences and the last value each handed out (NULL: none yet), kept in a
--          backup's manifest so a restored warehouse never hands out an id twice
-- grain: one row per sequence
-- parameters: none
SELECT sequence_name, start_value, increment_by, last_value
FROM duckdb_sequences()
WHERE database_name = current_database() AND schema_name = 'main'
ORDER BY sequence_name
