-- purpose: copy the turns loaded so far into the new table (their error type was not kept: NULL)
-- grain: one row per turn_id
-- parameters: none
INSERT INTO turns_v11 (turn_id, session_id, started_at, model, status, latency_ms, ttft_ms, input_tokens,
                       output_tokens, cost_usd, cache_read_tokens, cache_write_tokens, provider, model_raw, _load_id)
SELECT turn_id, session_id, started_at, model, status, latency_ms, ttft_ms, input_tokens, output_tokens,
       cost_usd, cache_read_tokens, cache_write_tokens, provider, model_raw, _load_id
FROM turns;
