-- purpose: the (model, UTC day) pairs the turns use, which pricing.refresh prices into model_prices
-- grain: one row per (model, day)
-- parameters: none
SELECT DISTINCT model, CAST(timezone('UTC', started_at) AS DATE) AS day
FROM turns
WHERE model IS NOT NULL
ORDER BY model, day
