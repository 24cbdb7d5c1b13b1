-- purpose: record a breach as opened, or extend an open one to the latest hour it breached in
-- grain: one row inserted or updated in alert_breaches
-- parameters: $check_name, $first_hour, $last_hour
INSERT INTO alert_breaches (check_name, first_hour, last_hour, cleared_hour)
VALUES ($check_name, $first_hour, $last_hour, NULL)
ON CONFLICT (check_name, first_hour) DO UPDATE SET last_hour = excluded.last_hour
