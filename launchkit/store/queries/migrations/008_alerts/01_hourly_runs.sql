-- purpose: every `launchkit hourly` run that reached the warehouse: when it ran, the hour it reported,
--          its exit status and whether it wrote its report (the dead-man's switch reads the last
--          successful one; the next run catches up every hour since the latest hour checked)
-- grain: one row per hourly run
-- parameters: none
CREATE TABLE hourly_runs (
    run_id            VARCHAR NOT NULL PRIMARY KEY,
    started_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    hour              TIMESTAMP WITH TIME ZONE,
    status            INTEGER NOT NULL,
    succeeded         BOOLEAN NOT NULL,
    last_checked_hour TIMESTAMP WITH TIME ZONE,
    hours_checked     INTEGER NOT NULL,
    breaches          VARCHAR NOT NULL,
    line              VARCHAR NOT NULL,
    launchkit_version VARCHAR NOT NULL
);
