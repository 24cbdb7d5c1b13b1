-- purpose: the warehouse's identity, written into a backup's manifest (docs/operations.md: shared backup folders)
-- grain: one row (no row: a warehouse that has none)
-- parameters: none
SELECT warehouse_id FROM warehouse_identity ORDER BY created_at LIMIT 1
