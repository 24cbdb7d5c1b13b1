-- purpose: record one hourly run (the dead-man's switch and the next run's catch-up read these)
-- grain: one row inserted into hourly_runs
-- parameters: $run_id, $started_at, $finished_at, $hour, $status, $succeeded, $last_checked_hour, $hours_checked, $breaches, $line, $launchkit_version
INSERT INTO hourly_runs (
    run_id, started_at, finished_at, hour, status, succeeded, last_checked_hour, hours_checked, breaches, line,
    launchkit_version
)
VALUES (
    $run_id, $started_at, $finished_at, $hour, $status, $succeeded, $last_checked_hour, $hours_checked, $breaches,
    $line, $launchkit_version
)
