-- fragment: turns_priced: turns with their effective cost and where it came from. cost_usd = the reported
--           cost, else the negotiated override price, else the genai-prices list price at the turn's UTC day,
--           from its tokens; NULL (unpriced, never 0) when the model is unknown or a token count is missing.
--           An override with replace_reported = true beats a reported cost. cost_source: reported | override |
--           computed | NULL. Cache reads and cache writes (part of input_tokens) cost their own prices (NULL:
--           the input price). Prices come from model_prices (written by launchkit.analytics.pricing), matched
--           by the model as reported (model_raw, else model) and the provider ('' when none), the UTC day, and
--           the input-token tier the turn falls in. Also: price_model / price_provider (that key), price_source
--           (the price row's source; NULL: no price row yet) and vendor (who bills it, for reconciliation).
--           latency_flag: 'below floor' (latency under quality_settings.min_llm_latency_ms, default 5 ms:
--           e.g. a streaming span ended when the stream was created), 'ttft > latency' (impossible), else
--           NULL; latency_ms and ttft_ms of a flagged turn are NULL (left out of every percentile) only
--           when quality_settings.exclude_implausible_latency is true, else as loaded.
--           Plain SQL (joins, CASE, coalesce) so another engine can run it.
-- grain: one row per turn_id
-- parameters: none
WITH t AS (
    SELECT
        turns.*,
        CAST(timezone('UTC', turns.started_at) AS DATE) AS _day,
        coalesce(turns.model_raw, turns.model) AS _price_model,
        coalesce(turns.provider, '') AS _price_provider,
        coalesce(turns.input_tokens, 0) AS _input_for_tier,
        CASE
            WHEN turns.latency_ms < coalesce(qs.min_llm_latency_ms, 5.0) THEN 'below floor'
            WHEN turns.ttft_ms > turns.latency_ms THEN 'ttft > latency'
        END AS _latency_flag,
        coalesce(qs.exclude_implausible_latency, false) AS _exclude_flagged
    FROM turns
    LEFT JOIN quality_settings AS qs ON qs.id = 1
),
matched AS (
    SELECT
        t.*,
        p.source AS _price_source,
        p.vendor AS _vendor,
        p.replace_reported AS _replace_reported,
        CASE
            WHEN t.input_tokens IS NOT NULL AND t.output_tokens IS NOT NULL
                 AND p.input_per_mtok IS NOT NULL AND p.output_per_mtok IS NOT NULL
            THEN ((t.input_tokens - coalesce(t.cache_read_tokens, 0) - coalesce(t.cache_write_tokens, 0))
                      * p.input_per_mtok
                  + coalesce(t.cache_read_tokens, 0) * coalesce(p.cache_read_per_mtok, p.input_per_mtok)
                  + coalesce(t.cache_write_tokens, 0) * coalesce(p.cache_write_per_mtok, p.input_per_mtok)
                  + t.output_tokens * p.output_per_mtok) / 1e6
        END AS _priced_usd
    FROM t
    LEFT JOIN model_prices AS p
        ON p.model = t._price_model
       AND p.provider = t._price_provider
       AND p.day = t._day
       AND t._input_for_tier > p.above_input_tokens
       AND (p.up_to_input_tokens IS NULL OR t._input_for_tier <= p.up_to_input_tokens)
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
    CASE WHEN _exclude_flagged AND _latency_flag IS NOT NULL THEN NULL ELSE latency_ms END AS latency_ms,
    CASE WHEN _exclude_flagged AND _latency_flag IS NOT NULL THEN NULL ELSE ttft_ms END AS ttft_ms,
    input_tokens,
    output_tokens,
    CASE WHEN _source IN ('override', 'computed') THEN _priced_usd ELSE cost_usd END AS cost_usd,
    cache_read_tokens,
    cache_write_tokens,
    provider,
    model_raw,
    error_type,
    cost_usd AS reported_cost_usd,
    _source AS cost_source,
    _price_model AS price_model,
    _price_provider AS price_provider,
    _price_source AS price_source,
    _vendor AS vendor,
    _latency_flag AS latency_flag
FROM chosen
