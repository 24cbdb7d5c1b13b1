-- purpose: incidents that were open at any time during a window, with their timeline, for the debrief
-- grain: one row per incident_id open at some point in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT
    incident_id,
    severity,
    title,
    opened_at,
    resolved_at,
    postmortem_at,
    root_cause,
    action_items,
    date_diff('minute', opened_at, coalesce(resolved_at, CAST($end AS TIMESTAMPTZ))) / 60.0 AS hours_open,
    resolved_at IS NULL OR resolved_at >= $end AS open_at_end
FROM incidents
WHERE opened_at < $end AND (resolved_at IS NULL OR resolved_at >= $start)
ORDER BY opened_at, incident_id
