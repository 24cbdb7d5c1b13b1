-- purpose: record what the model_prices rows were just computed from
-- grain: one row (id = 1)
-- parameters: $digest
INSERT OR REPLACE INTO pricing_state (id, digest, refreshed_at) VALUES (1, $digest, now())
