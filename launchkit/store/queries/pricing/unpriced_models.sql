-- purpose: which models the unpriced turns (cost_usd NULL in turns_priced) use, and why they are unpriced
-- grain: one row per (model, reason); model NULL for turns without a model
-- parameters: $start, $end
WITH turns_priced AS ({{ turns_priced }}),
t AS (
    SELECT tp.model, tp.cost_usd, CAST(timezone('UTC', tp.started_at) AS DATE) AS day
    FROM turns_priced AS tp
    WHERE tp.cost_usd IS NULL
      AND (CAST($start AS TIMESTAMPTZ) IS NULL OR tp.started_at >= CAST($start AS TIMESTAMPTZ))
      AND (CAST($end AS TIMESTAMPTZ) IS NULL OR tp.started_at < CAST($end AS TIMESTAMPTZ))
)
SELECT
    t.model,
    CASE
        WHEN t.model IS NULL OR b.source = 'unknown' THEN 'unknown model'
        WHEN b.source IS NULL THEN 'prices not refreshed'
        ELSE 'missing token counts'
    END AS reason,
    count(*) AS turns
FROM t
LEFT JOIN model_prices AS b ON b.model = t.model AND b.day = t.day AND b.above_input_tokens = -1
GROUP BY ALL
ORDER BY turns DESC, t.model NULLS LAST, reason
