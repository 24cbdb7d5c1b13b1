-- purpose: assistant turns: one LLM call or agent step
-- grain: one row per turn_id
-- parameters: none
CREATE TABLE turns (
    turn_id       VARCHAR NOT NULL,
    session_id    VARCHAR NOT NULL,
    started_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    model         VARCHAR,
    status        VARCHAR NOT NULL CHECK (status IN ('ok', 'error')),
    latency_ms    DOUBLE CHECK (latency_ms >= 0),
    ttft_ms       DOUBLE CHECK (ttft_ms >= 0),
    input_tokens  BIGINT CHECK (input_tokens >= 0),
    output_tokens BIGINT CHECK (output_tokens >= 0),
    cost_usd      DOUBLE CHECK (cost_usd >= 0),
    _load_id      BIGINT NOT NULL
);
