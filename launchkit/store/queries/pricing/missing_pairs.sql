-- purpose: how many (model, UTC day) pairs of the turns have no price row yet: the load job re-prices when
--          any has (after a crash between loading and pricing too: judged on the warehouse, not on a run)
-- grain: one row (a count)
-- parameters: none
SELECT count(*) AS missing
FROM (
    SELECT DISTINCT model, CAST(timezone('UTC', started_at) AS DATE) AS day
    FROM turns
    WHERE model IS NOT NULL
) AS t
LEFT JOIN model_prices AS p ON p.model = t.model AND p.day = t.day AND p.above_input_tokens = -1
WHERE p.model IS NULL
