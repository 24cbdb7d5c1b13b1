-- purpose: write the price rows of a refresh, one list per column (all of the same length)
-- grain: one row per (model, provider, day, above_input_tokens)
-- parameters: $model, $provider, $day, $above_input_tokens, $up_to_input_tokens, $source, $vendor,
--             $input_per_mtok, $output_per_mtok, $cache_read_per_mtok, $cache_write_per_mtok, $replace_reported,
--             $library_model, $library_version (lists)
INSERT INTO model_prices (model, provider, day, above_input_tokens, up_to_input_tokens, source, vendor,
                          input_per_mtok, output_per_mtok, cache_read_per_mtok, cache_write_per_mtok,
                          replace_reported, library_model, library_version, refreshed_at)
SELECT
    unnest(CAST($model AS VARCHAR[])),
    unnest(CAST($provider AS VARCHAR[])),
    unnest(CAST($day AS DATE[])),
    unnest(CAST($above_input_tokens AS BIGINT[])),
    unnest(CAST($up_to_input_tokens AS BIGINT[])),
    unnest(CAST($source AS VARCHAR[])),
    unnest(CAST($vendor AS VARCHAR[])),
    unnest(CAST($input_per_mtok AS DOUBLE[])),
    unnest(CAST($output_per_mtok AS DOUBLE[])),
    unnest(CAST($cache_read_per_mtok AS DOUBLE[])),
    unnest(CAST($cache_write_per_mtok AS DOUBLE[])),
    unnest(CAST($replace_reported AS BOOLEAN[])),
    unnest(CAST($library_model AS VARCHAR[])),
    unnest(CAST($library_version AS VARCHAR[])),
    now()
