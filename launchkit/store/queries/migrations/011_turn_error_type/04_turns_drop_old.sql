-- purpose: drop the old turns table (its rows are in turns_v11)
-- grain: n/a
-- parameters: none
DROP TABLE turns;
