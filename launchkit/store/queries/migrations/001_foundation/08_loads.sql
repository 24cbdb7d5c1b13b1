-- purpose: load manifest: one row per file a load call looked at, with counts that reconcile
-- grain: one row per load_id
-- parameters: none
CREATE TABLE loads (
    load_id      BIGINT PRIMARY KEY,
    path         VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    table_name   VARCHAR,
    format       VARCHAR,
    status       VARCHAR NOT NULL CHECK (status IN ('loaded', 'skipped', 'failed')),
    rows_read    BIGINT NOT NULL DEFAULT 0,
    loaded       BIGINT NOT NULL DEFAULT 0,
    updated      BIGINT NOT NULL DEFAULT 0,
    duplicates   BIGINT NOT NULL DEFAULT 0,
    rejected     BIGINT NOT NULL DEFAULT 0,
    ignored      BIGINT NOT NULL DEFAULT 0,
    error        VARCHAR,
    loaded_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    launchkit_version VARCHAR,
    CHECK (status <> 'loaded' OR rows_read = loaded + updated + duplicates + rejected + ignored)
);
