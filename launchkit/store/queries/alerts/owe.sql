-- purpose: record that a target is owed an alert (once per event and target)
-- grain: at most one row inserted into alert_deliveries
-- parameters: $event_key, $target, $shown
INSERT INTO alert_deliveries (event_key, target, shown, attempts, delivered_at, last_attempt_at, last_error)
VALUES ($event_key, $target, $shown, 0, NULL, NULL, NULL)
ON CONFLICT (event_key, target) DO NOTHING
