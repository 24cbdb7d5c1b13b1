-- purpose: turns with their effective cost and where that cost came from; metrics read cost here.
--          The pricing migration redefines it to price turns that arrived without a cost.
-- grain: one row per turn_id
-- parameters: none
CREATE VIEW turns_priced AS
SELECT
    t.turn_id,
    t.session_id,
    t.started_at,
    t.model,
    t.status,
    t.latency_ms,
    t.ttft_ms,
    t.input_tokens,
    t.output_tokens,
    t.cost_usd,
    t.cost_usd AS reported_cost_usd,
    CASE WHEN t.cost_usd IS NOT NULL THEN 'reported' END AS cost_source
FROM turns AS t;
