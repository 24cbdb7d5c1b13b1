-- purpose: rollout changes in a window (a tenant enabled or disabled), for the debrief's timeline of a regression
-- grain: one row per (tenant, change) whose time lies in [$start, $end), oldest first
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT tenant_id, cohort, 'enabled' AS change, enabled_at AS changed_at
FROM rollout
WHERE enabled_at >= $start AND enabled_at < $end
UNION ALL
SELECT tenant_id, cohort, 'disabled' AS change, disabled_at AS changed_at
FROM rollout
WHERE disabled_at >= $start AND disabled_at < $end
ORDER BY changed_at, tenant_id, change
