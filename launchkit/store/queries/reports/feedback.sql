-- purpose: feedback submitted in a window with its session and the session's tenant, for the debrief's
--          verbatims, themes and triage (a comment opens its session's timeline)
-- grain: one row per feedback_id submitted in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT
    f.feedback_id,
    f.session_id,
    f.submitted_at,
    s.tenant_id,
    f.rating,
    f.thumbs,
    f.comment
FROM feedback AS f
LEFT JOIN sessions AS s ON s.session_id = f.session_id
WHERE f.submitted_at >= $start AND f.submitted_at < $end
ORDER BY f.submitted_at, f.feedback_id
