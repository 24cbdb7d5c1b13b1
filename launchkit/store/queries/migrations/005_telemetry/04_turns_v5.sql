-- purpose: turns with what cost-by-cache and one-name-per-model need: cache read and cache write tokens (subsets
--          of input_tokens, NULL = not reported), the provider (one name per provider) and the model name as
--          reported (model holds one name per model); built beside turns, then swapped in (next statements)
-- grain: one row per turn_id
-- parameters: none
CREATE TABLE turns_v5 (
    turn_id            VARCHAR NOT NULL,
    session_id         VARCHAR NOT NULL,
    started_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    model              VARCHAR,
    status             VARCHAR NOT NULL CHECK (status IN ('ok', 'error')),
    latency_ms         DOUBLE CHECK (latency_ms >= 0),
    ttft_ms            DOUBLE CHECK (ttft_ms >= 0),
    input_tokens       BIGINT CHECK (input_tokens >= 0),
    output_tokens      BIGINT CHECK (output_tokens >= 0),
    cost_usd           DOUBLE CHECK (cost_usd >= 0),
    cache_read_tokens  BIGINT CHECK (cache_read_tokens >= 0),
    cache_write_tokens BIGINT CHECK (cache_write_tokens >= 0),
    provider           VARCHAR,
    model_raw          VARCHAR,
    _load_id           BIGINT NOT NULL
);
