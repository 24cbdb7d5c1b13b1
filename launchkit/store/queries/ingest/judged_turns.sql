-- purpose: the loaded turns a file of evaluations names by span id (Phoenix SpanEvaluations): each
--          evaluation row takes its session and time from its turn (the file holds neither)
-- grain: one row per loaded turn among $ids
-- parameters: $ids (VARCHAR[])
SELECT turn_id AS judged, session_id, epoch_ns(started_at) AS at_ns
FROM turns
WHERE list_contains($ids, turn_id)
