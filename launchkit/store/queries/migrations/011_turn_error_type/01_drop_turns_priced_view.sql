-- purpose: drop the convenience view over turns while turns is rebuilt (launchkit.store.migrate rebuilds it
--          from its fragment after the migrations)
-- grain: n/a
-- parameters: none
DROP VIEW IF EXISTS turns_priced;
