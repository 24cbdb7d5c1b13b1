-- purpose: turns with the error type of a failed turn (an exception class, an HTTP status such as 429, a
--          provider's code such as rate_limit_exceeded; NULL for an ok turn or when not reported), so rate-limit
--          failures can be told from others; built beside turns with the contract's column order, then swapped in
-- grain: one row per turn_id
-- parameters: none
CREATE TABLE turns_v11 (
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
    error_type         VARCHAR,
    _load_id           BIGINT NOT NULL
);
