-- purpose: record the hour an open breach cleared in
-- grain: one row of alert_breaches updated
-- parameters: $check_name, $first_hour, $cleared_hour
UPDATE alert_breaches
SET cleared_hour = $cleared_hour
WHERE check_name = $check_name AND first_hour = $first_hour
