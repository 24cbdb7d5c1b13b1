-- purpose: data quality of cost: turns by cost source and unpriced turns by reason (unknown model,
--          missing token counts, prices not refreshed since the turns were loaded)
-- grain: one row for the window [$start, $end) on started_at (NULL bounds are open)
-- parameters: $start, $end
WITH turns_priced AS ({{ turns_priced }}),
r AS (
    SELECT
        tp.cost_source,
        tp.cost_usd,
        CASE
            WHEN tp.cost_usd IS NOT NULL THEN NULL
            WHEN tp.price_model IS NULL OR tp.price_source = 'unknown' THEN 'unknown model'
            WHEN tp.price_source IS NULL THEN 'prices not refreshed'
            ELSE 'missing token counts'
        END AS reason
    FROM turns_priced AS tp
    WHERE (CAST($start AS TIMESTAMPTZ) IS NULL OR tp.started_at >= CAST($start AS TIMESTAMPTZ))
      AND (CAST($end AS TIMESTAMPTZ) IS NULL OR tp.started_at < CAST($end AS TIMESTAMPTZ))
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
