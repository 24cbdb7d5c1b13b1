-- purpose: mark the held rows of one file and table that a re-evaluation took (loaded, or superseded by a
--          later load of their key) with that re-evaluation's load id
-- grain: one row per held row taken
-- parameters: $load_id, $path, $table_name, $rows (BIGINT[]: the _row numbers of _lk_held taken)
UPDATE rejects SET resolved_by = $load_id
FROM _lk_held AS h
WHERE rejects.held AND rejects.resolved_by IS NULL AND rejects.path = $path AND rejects.table_name = $table_name
  AND rejects.load_id = h.load_id AND rejects.row_number = h.row_number
  AND list_contains(CAST($rows AS BIGINT[]), h._row)
