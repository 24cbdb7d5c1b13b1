-- purpose: the breaches the hourly alerts announced: a breach is (check, first breached hour), open
--          until the hour it cleared (launchkit.jobs.alerts.decide)
-- grain: one row per breach
-- parameters: none
CREATE TABLE alert_breaches (
    check_name   VARCHAR NOT NULL,
    first_hour   TIMESTAMP WITH TIME ZONE NOT NULL,
    last_hour    TIMESTAMP WITH TIME ZONE NOT NULL,
    cleared_hour TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (check_name, first_hour)
);
