-- purpose: the load manifest keeps why each ignored record of a trace file was not loaded: a JSON object
--          {reason: count} (e.g. {"re-recorded call": 4, "agent or workflow span (CHAIN)": 4}); NULL: none ignored
-- grain: one row per load_id (a new column)
-- parameters: none
ALTER TABLE loads ADD COLUMN ignored_by_reason VARCHAR;
