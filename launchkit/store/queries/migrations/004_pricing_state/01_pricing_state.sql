-- purpose: what the model_prices rows were computed from (the price library's version and the configured
--          overrides, as one digest), so the load job re-prices when either changes, not on every run
-- grain: one row (id = 1)
-- parameters: none
CREATE TABLE pricing_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    digest       VARCHAR NOT NULL,
    refreshed_at TIMESTAMP WITH TIME ZONE NOT NULL
);
