-- purpose: when one incident opened (and whether it exists), to find the window its update covers
-- grain: one row for the incident_id, none when there is no such incident
-- parameters: $incident_id (text)
SELECT incident_id, opened_at, resolved_at
FROM incidents
WHERE incident_id = $incident_id
