-- purpose: which models the unpriced turns (cost_usd NULL in turns_priced) use, and why they are unpriced
-- grain: one row per (model, reason); model NULL for turns without a model
-- parameters: $start, $end
WITH turns_priced AS ({{ turns_priced }})
SELECT
    tp.price_model AS model,
    CASE
        WHEN tp.price_model IS NULL OR tp.price_source = 'unknown' THEN 'unknown model'
        WHEN tp.price_source IS NULL THEN 'prices not refreshed'
        ELSE 'missing token counts'
    END AS reason,
    count(*) AS turns
FROM turns_priced AS tp
WHERE tp.cost_usd IS NULL
  AND (CAST($start AS TIMESTAMPTZ) IS NULL OR tp.started_at >= CAST($start AS TIMESTAMPTZ))
  AND (CAST($end AS TIMESTAMPTZ) IS NULL OR tp.started_at < CAST($end AS TIMESTAMPTZ))
GROUP BY 1, 2
ORDER BY turns DESC, model NULLS LAST, reason
