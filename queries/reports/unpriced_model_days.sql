-- purpose: how many (model, UTC day) pairs of turns loaded since a load id have no price row yet, so the
--          hourly run refreshes model prices only when new models or days arrived
-- grain: one row (a count)
-- parameters: $first_load_id (BIGINT: the first load id of this run)
SELECT count(*) AS missing
FROM (
    SELECT DISTINCT model, CAST(timezone('UTC', started_at) AS DATE) AS day
    FROM turns
    WHERE _load_id >= $first_load_id AND model IS NOT NULL
) AS t
LEFT JOIN model_prices AS p ON p.model = t.model AND p.day = t.day AND p.above_input_tokens = -1
WHERE p.model IS NULL
