-- purpose: the distinct ids people read in the window's tables (tenants, cohorts, models, tools), for the
--          lookalike-ids finding (launchkit.analytics.lookalikes groups them by what they read as)
-- grain: one row per (column, id)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT DISTINCT 'tenant_id' AS col, tenant_id AS id
FROM sessions WHERE started_at >= $start AND started_at < $end AND tenant_id IS NOT NULL
UNION
SELECT DISTINCT 'cohort', cohort
FROM sessions WHERE started_at >= $start AND started_at < $end AND cohort IS NOT NULL
UNION
SELECT DISTINCT 'model', model
FROM turns WHERE started_at >= $start AND started_at < $end AND model IS NOT NULL
UNION
SELECT DISTINCT 'tool_name', tool_name
FROM tool_calls WHERE started_at >= $start AND started_at < $end AND tool_name IS NOT NULL
ORDER BY 1, 2
