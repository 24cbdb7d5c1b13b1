-- purpose: tool calls made by the assistant
-- grain: one row per call_id
-- parameters: none
CREATE TABLE tool_calls (
    call_id     VARCHAR NOT NULL,
    session_id  VARCHAR NOT NULL,
    turn_id     VARCHAR,
    tool_name   VARCHAR NOT NULL,
    started_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    duration_ms DOUBLE CHECK (duration_ms >= 0),
    status      VARCHAR NOT NULL CHECK (status IN ('ok', 'error', 'timeout')),
    error_type  VARCHAR,
    _load_id    BIGINT NOT NULL
);
