-- purpose: the new table becomes turns
-- grain: n/a
-- parameters: none
ALTER TABLE turns_v11 RENAME TO turns;
