-- purpose: sessions with at least one turn per tenant, and the days (of the given list) each tenant had one:
--          a tenant's traffic per active day, whose median sizes a "+K tenants" expansion step
-- grain: one row per tenant with a turn in [$start, $end)
-- parameters: $days (list of DATE), $starts, $ends (lists of TIMESTAMPTZ, the days' edges, same length);
--             $start, $end (TIMESTAMPTZ: the first day's start and the last one's end)
WITH days AS (
    SELECT
        unnest(CAST($days AS DATE[])) AS day,
        unnest(CAST($starts AS TIMESTAMPTZ[])) AS day_start,
        unnest(CAST($ends AS TIMESTAMPTZ[])) AS day_end
),
t AS (
    SELECT s.tenant_id, tu.session_id, d.day
    FROM (SELECT session_id, started_at FROM turns WHERE started_at >= $start AND started_at < $end) AS tu
    JOIN sessions AS s ON s.session_id = tu.session_id
    JOIN days AS d ON tu.started_at >= d.day_start AND tu.started_at < d.day_end
)
SELECT tenant_id, count(DISTINCT session_id) AS sessions, count(DISTINCT day) AS active_days
FROM t
GROUP BY tenant_id
ORDER BY tenant_id
