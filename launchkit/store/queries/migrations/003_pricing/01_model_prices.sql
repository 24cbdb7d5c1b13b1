-- purpose: prices per model and UTC day (and input-token tier), written by launchkit.pricing.refresh from
--          the genai-prices library and the [pricing.overrides] of launchkit.toml; turns_priced joins it
-- grain: one row per (model, day, above_input_tokens); above_input_tokens = -1 is the base price, a higher
--        value a tier that applies (to all tokens) when a turn's input tokens exceed it
-- parameters: none
CREATE TABLE model_prices (
    model                VARCHAR NOT NULL,
    day                  DATE NOT NULL,
    above_input_tokens   BIGINT NOT NULL DEFAULT -1,
    source               VARCHAR NOT NULL CHECK (source IN ('library', 'override', 'unknown')),
    vendor               VARCHAR,
    input_per_mtok       DOUBLE CHECK (input_per_mtok >= 0),
    output_per_mtok      DOUBLE CHECK (output_per_mtok >= 0),
    replace_reported     BOOLEAN NOT NULL DEFAULT false,
    library_model        VARCHAR,
    library_version      VARCHAR,
    refreshed_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (model, day, above_input_tokens)
);
