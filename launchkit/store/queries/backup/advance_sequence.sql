-- purpose: move a sequence on by $steps values (to where a backup's sequence stood)
-- grain: one row: the last value handed out
-- parameters: $sequence (VARCHAR, its name), $steps (BIGINT)
SELECT max(nextval($sequence)) AS last_value FROM range($steps)
