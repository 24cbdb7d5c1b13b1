-- purpose: how many (model as reported, provider, UTC day) keys of the turns have no price row yet: the load
--          job re-prices when any has (after a crash between loading and pricing too: judged on the warehouse,
--          not on a run)
-- grain: one row (a count)
-- parameters: none
SELECT count(*) AS missing
FROM (
    SELECT DISTINCT
        coalesce(model_raw, model) AS model,
        coalesce(provider, '') AS provider,
        CAST(timezone('UTC', started_at) AS DATE) AS day
    FROM turns
    WHERE coalesce(model_raw, model) IS NOT NULL
) AS t
LEFT JOIN model_prices AS p
    ON p.model = t.model AND p.provider = t.provider AND p.day = t.day AND p.above_input_tokens = -1
WHERE p.model IS NULL
