-- purpose: the alerts created (an outbox): each with the exact payload sent, so a retry sends the same
--          bytes and idempotency key
-- grain: one row per alert event (breach, cleared, failed or stale)
-- parameters: none
CREATE TABLE alert_events (
    event_key  VARCHAR NOT NULL PRIMARY KEY,
    kind       VARCHAR NOT NULL CHECK (kind IN ('breach', 'cleared', 'failed', 'stale')),
    hour       TIMESTAMP WITH TIME ZONE,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    seq        INTEGER NOT NULL,
    payload    VARCHAR NOT NULL
);
