-- purpose: the load manifest keeps the warnings of a load (records not loaded that may hold an LLM call or
--          its spend) as a JSON list of one-line messages; NULL: no warning. A load with warnings exits 4.
-- grain: one row per load_id (a new column)
-- parameters: none
ALTER TABLE loads ADD COLUMN warnings VARCHAR;
