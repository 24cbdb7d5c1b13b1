-- purpose: what each alert target is owed and got: a row per event and target when the event is
--          created (delivered_at empty until a delivery succeeds; the next run retries the rest)
-- grain: one row per (alert event, target); the target is a hash of its address, never the address
-- parameters: none
CREATE TABLE alert_deliveries (
    event_key       VARCHAR NOT NULL,
    target          VARCHAR NOT NULL,
    shown           VARCHAR NOT NULL,
    attempts        INTEGER NOT NULL,
    delivered_at    TIMESTAMP WITH TIME ZONE,
    last_attempt_at TIMESTAMP WITH TIME ZONE,
    last_error      VARCHAR,
    PRIMARY KEY (event_key, target)
);
