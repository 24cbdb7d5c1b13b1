-- purpose: give up every held row: each becomes a final reject (launchkit reprocess --drop)
-- grain: one row per held row given up
-- parameters: none
UPDATE rejects SET held = false WHERE held AND resolved_by IS NULL
