-- purpose: the warehouse's tables (schema_version excluded: a restore rebuilds it with the migrations),
--          the allow-list of what a backup copies and a restore fills
-- grain: one row per base table of the main schema
-- parameters: none
SELECT table_name
FROM information_schema.tables
WHERE table_schema = 'main' AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'
ORDER BY table_name
