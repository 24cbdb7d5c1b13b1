-- purpose: the load that took a held row once its reason no longer applied (NULL: not taken)
-- grain: one row per rejected input row
-- parameters: none
ALTER TABLE rejects ADD COLUMN resolved_by BIGINT
