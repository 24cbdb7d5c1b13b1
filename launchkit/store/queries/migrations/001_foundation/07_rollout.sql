-- purpose: the pilot's tenant allowlist
-- grain: one row per tenant_id
-- parameters: none
CREATE TABLE rollout (
    tenant_id   VARCHAR NOT NULL,
    cohort      VARCHAR NOT NULL DEFAULT 'pilot',
    enabled_at  TIMESTAMP WITH TIME ZONE,
    disabled_at TIMESTAMP WITH TIME ZONE,
    _load_id    BIGINT NOT NULL
);
