-- purpose: the alerts a target is owed (not yet delivered, created since $since), in the order created
-- grain: one row per owed alert event
-- parameters: $target, $since
SELECT e.event_key, e.kind, e.payload, d.attempts
FROM alert_deliveries AS d
JOIN alert_events AS e ON e.event_key = d.event_key
WHERE d.target = $target AND d.delivered_at IS NULL AND e.created_at >= $since
ORDER BY e.created_at, e.seq
