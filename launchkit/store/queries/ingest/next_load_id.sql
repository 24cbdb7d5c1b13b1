-- purpose: a new load id (one per file and table loaded)
-- grain: one row
-- parameters: none
SELECT nextval('load_id_seq') AS load_id
