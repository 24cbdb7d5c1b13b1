-- purpose: the digest (price library version and overrides) the model_prices rows were computed from
-- grain: one row, or none before the first refresh
-- parameters: none
SELECT digest, refreshed_at FROM pricing_state WHERE id = 1
