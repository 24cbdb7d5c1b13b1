-- purpose: make the warehouse's id (a restore replaces this row with the backup's)
-- grain: n/a (writes one row)
-- parameters: none
INSERT INTO warehouse_identity SELECT CAST(uuid() AS VARCHAR), now();
