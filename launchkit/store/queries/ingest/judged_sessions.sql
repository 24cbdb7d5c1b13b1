-- purpose: the loaded sessions a file of evaluations names by trace id (Phoenix TraceEvaluations; a trace
--          whose spans named no session is the session of its trace id): each row takes the session's start
-- grain: one row per loaded session among $ids
-- parameters: $ids (VARCHAR[])
SELECT session_id AS judged, session_id, epoch_ns(started_at) AS at_ns
FROM sessions
WHERE list_contains($ids, session_id)
