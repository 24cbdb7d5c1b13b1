-- purpose: the hourly schedule's health for `launchkit status`: the last run, the last successful run,
--          and the alerts still owed to a target
-- grain: one row
-- parameters: none
SELECT
    (SELECT count(*) FROM hourly_runs) AS runs,
    (SELECT max(started_at) FROM hourly_runs) AS last_run_at,
    (SELECT arg_max(status, started_at) FROM hourly_runs) AS last_status,
    (SELECT arg_max(line, started_at) FROM hourly_runs) AS last_line,
    (SELECT max(started_at) FROM hourly_runs WHERE succeeded) AS last_success_at,
    (SELECT arg_max(hour, started_at) FROM hourly_runs WHERE succeeded) AS last_success_hour,
    (SELECT max(last_checked_hour) FROM hourly_runs) AS last_checked_hour,
    (SELECT count(*) FROM alert_breaches WHERE cleared_hour IS NULL) AS open_breaches,
    (SELECT count(*) FROM alert_deliveries WHERE delivered_at IS NULL) AS alerts_owed
