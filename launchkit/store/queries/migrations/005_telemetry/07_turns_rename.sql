-- purpose: the new table becomes turns
-- grain: n/a
-- parameters: none
ALTER TABLE turns_v5 RENAME TO turns;
