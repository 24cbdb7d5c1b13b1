-- purpose: copy the turns loaded so far into the new table (no cache tokens, provider or raw model known)
-- grain: one row per turn_id
-- parameters: none
INSERT INTO turns_v5 (turn_id, session_id, started_at, model, status, latency_ms, ttft_ms, input_tokens,
                      output_tokens, cost_usd, _load_id)
SELECT turn_id, session_id, started_at, model, status, latency_ms, ttft_ms, input_tokens, output_tokens,
       cost_usd, _load_id
FROM turns;
