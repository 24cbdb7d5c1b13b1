-- purpose: drop the old turns table (its rows are in turns_v5)
-- grain: n/a
-- parameters: none
DROP TABLE turns;
