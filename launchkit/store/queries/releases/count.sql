-- purpose: how many releases the warehouse holds (a freeze check with none loaded cannot say the freeze held)
-- grain: one row
-- parameters: none
SELECT count(*) AS releases_loaded FROM releases
