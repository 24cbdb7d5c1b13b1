-- purpose: empty a freshly migrated table before a restore fills it with the backup's rows
--          (rows a migration seeds, such as the warehouse's identity, are the backup's to give)
-- grain: n/a (deletes every row)
-- parameters: none (identifier slot {table}, from backup/tables)
DELETE FROM {table}
