-- purpose: the sessions a trace file's spans describe, from the session facts its batches wrote
--          (temp view _lk_trace_session_facts: a session may have facts in several batches), beside
--          the stored row of each, so span-derived facts only widen the time range and fill gaps
-- grain: one row per session of the file, in the order of its first record
-- parameters: none
WITH f AS (
    SELECT
        session_id,
        min(first_row) AS first_row,
        min(start_ns) AS start_ns,
        max(end_ns) AS end_ns,
        -- the first record in the file that names one (arg_min skips facts that name none)
        arg_min(tenant_id, tenant_row) AS tenant_id,
        arg_min(user_id, user_row) AS user_id,
        arg_min(release, release_row) AS release
    FROM _lk_trace_session_facts
    GROUP BY session_id
)
SELECT
    f.session_id, f.first_row, f.start_ns, f.end_ns, f.tenant_id, f.user_id, f.release,
    s.session_id IS NOT NULL AS stored,
    s.tenant_id AS stored_tenant, s.user_id AS stored_user, s.started_at AS stored_start,
    s.ended_at AS stored_end, s.cohort AS stored_cohort, s.release AS stored_release
FROM f
LEFT JOIN sessions AS s ON s.session_id = f.session_id
ORDER BY f.first_row
