-- purpose: the loads that finished with warnings (records not loaded that may hold an LLM call or its spend),
--          with the warnings as the manifest keeps them (a JSON list), newest first
-- grain: one row per load with warnings
-- parameters: none
SELECT load_id, path, table_name, format, loaded_at, warnings
FROM loads
WHERE warnings IS NOT NULL
ORDER BY load_id DESC
