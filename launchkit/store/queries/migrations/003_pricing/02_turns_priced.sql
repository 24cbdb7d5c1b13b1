-- purpose: turns with their effective cost and where it came from. cost_usd = the reported cost, else the
--          negotiated override price, else the genai-prices list price at the turn's UTC day, from its tokens;
--          NULL (unpriced, never 0) when the model is unknown or a token count is missing. An override with
--          replace_reported = true beats a reported cost. cost_source: reported | override | computed | NULL.
-- grain: one row per turn_id
-- parameters: none
CREATE OR REPLACE VIEW turns_priced AS
WITH t AS (
    SELECT
        turns.*,
        CAST(timezone('UTC', turns.started_at) AS DATE) AS _day,
        coalesce(turns.input_tokens, 0) AS _input_for_tier
    FROM turns
),
matched AS (
    SELECT
        t.*,
        p.source AS _price_source,
        p.replace_reported AS _replace_reported,
        CASE
            WHEN t.input_tokens IS NOT NULL AND t.output_tokens IS NOT NULL
                 AND p.input_per_mtok IS NOT NULL AND p.output_per_mtok IS NOT NULL
            THEN (t.input_tokens * p.input_per_mtok + t.output_tokens * p.output_per_mtok) / 1e6
        END AS _priced_usd
    FROM t
    ASOF LEFT JOIN model_prices AS p
        ON p.model = t.model AND p.day = t._day AND t._input_for_tier > p.above_input_tokens
),
chosen AS (
    SELECT
        matched.*,
        CASE
            WHEN _priced_usd IS NOT NULL AND _price_source = 'override'
                 AND (cost_usd IS NULL OR coalesce(_replace_reported, false)) THEN 'override'
            WHEN cost_usd IS NOT NULL THEN 'reported'
            WHEN _priced_usd IS NOT NULL AND _price_source = 'library' THEN 'computed'
        END AS _source
    FROM matched
)
SELECT
    turn_id,
    session_id,
    started_at,
    model,
    status,
    latency_ms,
    ttft_ms,
    input_tokens,
    output_tokens,
    CASE WHEN _source IN ('override', 'computed') THEN _priced_usd ELSE cost_usd END AS cost_usd,
    cost_usd AS reported_cost_usd,
    _source AS cost_source
FROM chosen;
