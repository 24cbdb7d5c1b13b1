-- purpose: model prices are derived data (launchkit.analytics.pricing.refresh rewrites them): the table is
--          rebuilt with the provider and the cache prices; the next load job re-prices every (model, day)
-- grain: n/a
-- parameters: none
DROP TABLE model_prices;
