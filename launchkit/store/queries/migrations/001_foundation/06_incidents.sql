-- purpose: incidents with their timeline and root cause
-- grain: one row per incident_id
-- parameters: none
CREATE TABLE incidents (
    incident_id   VARCHAR NOT NULL,
    severity      VARCHAR NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
    opened_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    resolved_at   TIMESTAMP WITH TIME ZONE,
    title         VARCHAR,
    root_cause    VARCHAR,
    postmortem_at TIMESTAMP WITH TIME ZONE,
    action_items  VARCHAR,
    _load_id      BIGINT NOT NULL
);
