-- purpose: pilot sessions, one per conversation with the assistant
-- grain: one row per session_id
-- parameters: none
CREATE TABLE sessions (
    session_id VARCHAR NOT NULL,
    tenant_id  VARCHAR NOT NULL,
    user_id    VARCHAR,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at   TIMESTAMP WITH TIME ZONE,
    cohort     VARCHAR NOT NULL DEFAULT 'pilot',
    release    VARCHAR,
    _load_id   BIGINT NOT NULL
);
