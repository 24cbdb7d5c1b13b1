-- purpose: who an incident touched, for its update to users and stakeholders: the sessions that met its symptom
--          while it was open, per tenant, and how many of them had a failed turn or tool call then. "While
--          open" is [opened_at, resolved_at), cut at $end (an incident still open at $end counts up to $end).
--          The symptom is what the incident names (its title or root cause, case-insensitive): a tool seen in
--          tool_calls -> the sessions that called that tool while it was open; a tenant seen in sessions (an id
--          of 3 characters or more) -> that tenant's sessions; neither -> every session active (a turn, a tool
--          call or a session start: the session_events fragment) while it was open. symptom_tool and
--          symptom_tenant say which rule applied (the first named, alphabetically; NULL: not named).
-- grain: one row per (incident_id, tenant_id) with at least one session that met the symptom while it was open;
--        an incident no session met has one row with tenant_id NULL and 0 sessions (its symptom columns still set)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH spans AS (
    SELECT
        incident_id,
        lower(concat(coalesce(title, ''), ' ', coalesce(root_cause, ''))) AS said,
        opened_at,
        least(coalesce(resolved_at, CAST($end AS TIMESTAMPTZ)), CAST($end AS TIMESTAMPTZ)) AS until
    FROM incidents
    WHERE opened_at < $end AND (resolved_at IS NULL OR resolved_at >= $start)
),
named_tools AS (
    SELECT DISTINCT sp.incident_id, t.tool_name
    FROM spans AS sp
    JOIN (SELECT DISTINCT tool_name FROM tool_calls) AS t ON sp.said LIKE concat('%', lower(t.tool_name), '%')
),
named_tenants AS (
    SELECT DISTINCT sp.incident_id, s.tenant_id
    FROM spans AS sp
    JOIN (SELECT DISTINCT tenant_id FROM sessions WHERE length(tenant_id) >= 3) AS s
        ON sp.said LIKE concat('%', lower(s.tenant_id), '%')
),
tool_n AS (
    SELECT incident_id, min(tool_name) AS tool_name FROM named_tools GROUP BY incident_id
),
tenant_n AS (
    SELECT incident_id, min(tenant_id) AS tenant_id FROM named_tenants GROUP BY incident_id
),
tool_sessions AS (
    SELECT DISTINCT nt.incident_id, c.session_id
    FROM named_tools AS nt
    JOIN spans AS sp ON sp.incident_id = nt.incident_id
    JOIN tool_calls AS c ON c.tool_name = nt.tool_name AND c.started_at >= sp.opened_at AND c.started_at < sp.until
),
hit AS (
    SELECT DISTINCT sp.incident_id, ev.session_id
    FROM spans AS sp
    JOIN ({{ session_events }}) AS ev ON ev.event_at >= sp.opened_at AND ev.event_at < sp.until
    LEFT JOIN sessions AS s ON s.session_id = ev.session_id
    LEFT JOIN tool_n AS tn ON tn.incident_id = sp.incident_id
    LEFT JOIN tenant_n AS en ON en.incident_id = sp.incident_id
    LEFT JOIN tool_sessions AS ts ON ts.incident_id = sp.incident_id AND ts.session_id = ev.session_id
    LEFT JOIN named_tenants AS nn ON nn.incident_id = sp.incident_id AND nn.tenant_id = s.tenant_id
    WHERE (tn.tool_name IS NULL OR ts.session_id IS NOT NULL) AND (en.tenant_id IS NULL OR nn.tenant_id IS NOT NULL)
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
    sp.incident_id,
    CASE WHEN h.session_id IS NOT NULL THEN coalesce(s.tenant_id, '(unknown)') END AS tenant_id,
    count(h.session_id) AS sessions,
    count(f.session_id) AS sessions_with_errors,
    min(tn.tool_name) AS symptom_tool,
    min(en.tenant_id) AS symptom_tenant
FROM spans AS sp
LEFT JOIN hit AS h ON h.incident_id = sp.incident_id
LEFT JOIN failed AS f ON f.incident_id = h.incident_id AND f.session_id = h.session_id
LEFT JOIN sessions AS s ON s.session_id = h.session_id
LEFT JOIN tool_n AS tn ON tn.incident_id = sp.incident_id
LEFT JOIN tenant_n AS en ON en.incident_id = sp.incident_id
GROUP BY sp.incident_id, CASE WHEN h.session_id IS NOT NULL THEN coalesce(s.tenant_id, '(unknown)') END
ORDER BY sp.incident_id, sessions DESC, tenant_id
