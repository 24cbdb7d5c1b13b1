-- purpose: drop every price row before a refresh writes them anew (in the refresh's transaction)
-- grain: none (a delete)
-- parameters: none
DELETE FROM model_prices
