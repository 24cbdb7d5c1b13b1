-- purpose: the (model as reported, provider, UTC day) keys the turns use, which pricing.refresh prices into
--          model_prices, with the one name per model (turns.model) as a fallback for the lookup
-- grain: one row per (model, provider, day)
-- parameters: none
SELECT
    coalesce(model_raw, model) AS model,
    coalesce(provider, '') AS provider,
    min(model) AS name,
    CAST(timezone('UTC', started_at) AS DATE) AS day
FROM turns
WHERE coalesce(model_raw, model) IS NOT NULL
GROUP BY coalesce(model_raw, model), coalesce(provider, ''), CAST(timezone('UTC', started_at) AS DATE)
ORDER BY model, provider, day
