-- purpose: the breaches announced and not yet cleared
-- grain: one row per open breach (check, first breached hour)
-- parameters: none
SELECT check_name, first_hour, last_hour
FROM alert_breaches
WHERE cleared_hour IS NULL
ORDER BY first_hour, check_name
