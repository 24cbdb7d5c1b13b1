-- purpose: restore one batch of a backed-up table (registered as the relation {batch}) into the table,
--          columns matched by name
-- grain: n/a (writes the batch's rows)
-- parameters: none (identifier slots {table}, from backup/tables, and {batch})
INSERT INTO {table} BY NAME SELECT * FROM {batch}
