-- purpose: put an alert in the outbox with the payload to send (an event created before keeps its payload)
-- grain: at most one row inserted into alert_events
-- parameters: $event_key, $kind, $hour, $created_at, $seq, $payload
INSERT INTO alert_events (event_key, kind, hour, created_at, seq, payload)
VALUES ($event_key, $kind, $hour, $created_at, $seq, $payload)
ON CONFLICT (event_key) DO NOTHING
