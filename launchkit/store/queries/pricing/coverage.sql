-- purpose: data quality of cost: turns by cost source and unpriced turns by reason (unknown model,
--          missing token counts, prices not refreshed since the turns were loaded)
-- grain: one row for the window [$start, $end) on started_at (NULL bounds are open)
-- parameters: $start, $end
WITH turns_priced AS ({{ turns_priced }}),
t AS (
    SELECT
        tp.model, tp.cost_usd, tp.cost_source, tp.input_tokens, tp.output_tokens,
        CAST(timezone('UTC', tp.started_at) AS DATE) AS day
    FROM turns_priced AS tp
    WHERE (CAST($start AS TIMESTAMPTZ) IS NULL OR tp.started_at >= CAST($start AS TIMESTAMPTZ))
      AND (CAST($end AS TIMESTAMPTZ) IS NULL OR tp.started_at < CAST($end AS TIMESTAMPTZ))
),
r AS (
    SELECT
        t.*,
        CASE
            WHEN t.cost_usd IS NOT NULL THEN NULL
            WHEN t.model IS NULL OR b.source = 'unknown' THEN 'unknown model'
            WHEN b.source IS NULL THEN 'prices not refreshed'
            ELSE 'missing token counts'
        END AS reason
    FROM t
    LEFT JOIN model_prices AS b ON b.model = t.model AND b.day = t.day AND b.above_input_tokens = -1
)
SELECT
    count(*) AS turns,
    count(*) FILTER (WHERE cost_source = 'reported') AS reported,
    count(*) FILTER (WHERE cost_source = 'override') AS override,
    count(*) FILTER (WHERE cost_source = 'computed') AS computed,
    count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced,
    count(*) FILTER (WHERE reason = 'unknown model') AS unpriced_unknown_model,
    count(*) FILTER (WHERE reason = 'missing token counts') AS unpriced_missing_tokens,
    count(*) FILTER (WHERE reason = 'prices not refreshed') AS unpriced_not_refreshed
FROM r
