-- purpose: the stored rows of the sessions a trace file mentions, so span-derived facts only widen their
--          time range and fill gaps, never overwrite what a sessions file loaded
-- grain: one row per stored session whose id is in $ids
-- parameters: $ids (VARCHAR[]: the session ids of the file)
SELECT s.session_id, s.tenant_id, s.user_id, s.started_at, s.ended_at, s.cohort, s.release
FROM sessions AS s
WHERE s.session_id IN (SELECT unnest(CAST($ids AS VARCHAR[])))
