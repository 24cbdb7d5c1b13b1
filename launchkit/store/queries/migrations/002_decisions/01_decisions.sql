-- purpose: auditable end-of-day decisions: the recommendation with its reasons, the inputs and
--          thresholds it was computed from, the config hash and launchkit version (JSON as VARCHAR)
-- grain: one row per decision made (a day may be decided more than once)
-- parameters: none
CREATE TABLE decisions (
    decision_id       VARCHAR NOT NULL PRIMARY KEY,
    day               DATE NOT NULL,
    decided_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    recommendation    VARCHAR NOT NULL CHECK (recommendation IN ('EXPAND', 'HOLD', 'ROLLBACK')),
    ga_ready          BOOLEAN NOT NULL,
    data_sufficient   BOOLEAN NOT NULL,
    reasons           VARCHAR NOT NULL,
    inputs            VARCHAR NOT NULL,
    thresholds        VARCHAR NOT NULL,
    config_digest     VARCHAR NOT NULL,
    launchkit_version VARCHAR NOT NULL
);
