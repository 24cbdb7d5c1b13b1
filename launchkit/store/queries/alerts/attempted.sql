-- purpose: record a delivery attempt of an alert to a target: delivered, or still owed with the error
-- grain: one row of alert_deliveries updated
-- parameters: $event_key, $target, $attempts, $at, $ok, $error
UPDATE alert_deliveries
SET attempts = attempts + $attempts,
    last_attempt_at = $at,
    delivered_at = CASE WHEN $ok THEN $at ELSE NULL END,
    last_error = $error
WHERE event_key = $event_key AND target = $target
