-- purpose: prices per model as reported, provider and UTC day (and input-token tier), written by
--          launchkit.analytics.pricing.refresh from the genai-prices library and the [pricing.overrides] of
--          launchkit.toml; the turns_priced fragment joins it. Cache reads and cache writes have their own prices
--          (NULL: the model has none, its cached tokens cost the input price).
-- grain: one row per (model, provider, day, above_input_tokens); provider '' when the turns name none;
--        a tier applies (to all tokens) when a turn's input tokens are > above_input_tokens (-1: the base price)
--        and <= up_to_input_tokens (NULL: no upper bound)
-- parameters: none
CREATE TABLE model_prices (
    model                VARCHAR NOT NULL,
    provider             VARCHAR NOT NULL DEFAULT '',
    day                  DATE NOT NULL,
    above_input_tokens   BIGINT NOT NULL DEFAULT -1,
    up_to_input_tokens   BIGINT,
    source               VARCHAR NOT NULL CHECK (source IN ('library', 'override', 'unknown')),
    vendor               VARCHAR,
    input_per_mtok       DOUBLE CHECK (input_per_mtok >= 0),
    output_per_mtok      DOUBLE CHECK (output_per_mtok >= 0),
    cache_read_per_mtok  DOUBLE CHECK (cache_read_per_mtok >= 0),
    cache_write_per_mtok DOUBLE CHECK (cache_write_per_mtok >= 0),
    replace_reported     BOOLEAN NOT NULL DEFAULT false,
    library_model        VARCHAR,
    library_version      VARCHAR,
    refreshed_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (model, provider, day, above_input_tokens)
);
