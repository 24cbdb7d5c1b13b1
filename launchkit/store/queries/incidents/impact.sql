-- purpose: who an incident touched, for its update to users and stakeholders: the sessions active (a turn, a
--          tool call or a session start: the session_events fragment) while it was open, per tenant, and how
--          many of them had a failed turn or tool call then. "While open" is [opened_at, resolved_at), cut at
--          $end (an incident still open at $end counts up to $end); incidents open at some time in the window.
-- grain: one row per (incident_id, tenant_id) with at least one session active while the incident was open
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH spans AS (
    SELECT
        incident_id,
        opened_at,
        least(coalesce(resolved_at, CAST($end AS TIMESTAMPTZ)), CAST($end AS TIMESTAMPTZ)) AS until
    FROM incidents
    WHERE opened_at < $end AND (resolved_at IS NULL OR resolved_at >= $start)
),
hit AS (
    SELECT DISTINCT sp.incident_id, ev.session_id
    FROM spans AS sp
    JOIN ({{ session_events }}) AS ev ON ev.event_at >= sp.opened_at AND ev.event_at < sp.until
),
failed AS (
    SELECT DISTINCT sp.incident_id, f.session_id
    FROM spans AS sp
    JOIN (
        SELECT started_at AS event_at, session_id FROM turns WHERE status = 'error'
        UNION ALL
        SELECT started_at AS event_at, session_id FROM tool_calls WHERE status <> 'ok'
    ) AS f ON f.event_at >= sp.opened_at AND f.event_at < sp.until
)
SELECT
    h.incident_id,
    coalesce(s.tenant_id, '(unknown)') AS tenant_id,
    count(*) AS sessions,
    count(f.session_id) AS sessions_with_errors
FROM hit AS h
LEFT JOIN failed AS f ON f.incident_id = h.incident_id AND f.session_id = h.session_id
LEFT JOIN sessions AS s ON s.session_id = h.session_id
GROUP BY h.incident_id, coalesce(s.tenant_id, '(unknown)')
ORDER BY h.incident_id, sessions DESC, tenant_id
