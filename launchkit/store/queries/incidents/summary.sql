-- purpose: incidents for a window: open at the window's end, opened and resolved in it, hours to resolve,
--          and postmortems (due = resolved in the window and either written or 24 h past resolution;
--          on time = written within 24 h of resolution)
-- grain: one row per severity with incidents opened before $end, plus a total row (severity NULL)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT
    severity,
    sum(CASE WHEN resolved_at IS NULL OR resolved_at >= $end THEN 1 ELSE 0 END) AS open_at_end,
    sum(CASE WHEN opened_at >= $start THEN 1 ELSE 0 END) AS opened,
    sum(CASE WHEN resolved_at >= $start AND resolved_at < $end THEN 1 ELSE 0 END) AS resolved,
    avg(CASE WHEN resolved_at >= $start AND resolved_at < $end
             THEN date_diff('millisecond', opened_at, resolved_at) / 3600000.0 END) AS mean_hours_to_resolve,
    quantile_cont(CASE WHEN resolved_at >= $start AND resolved_at < $end
             THEN date_diff('millisecond', opened_at, resolved_at) / 3600000.0 END, 0.5) AS median_hours_to_resolve,
    max(CASE WHEN resolved_at >= $start AND resolved_at < $end
             THEN date_diff('millisecond', opened_at, resolved_at) / 3600000.0 END) AS max_hours_to_resolve,
    sum(CASE WHEN resolved_at >= $start AND resolved_at < $end
              AND (postmortem_at IS NOT NULL OR resolved_at + INTERVAL 24 HOUR <= $end)
             THEN 1 ELSE 0 END) AS postmortems_due,
    sum(CASE WHEN resolved_at >= $start AND resolved_at < $end
              AND postmortem_at IS NOT NULL AND postmortem_at <= resolved_at + INTERVAL 24 HOUR
             THEN 1 ELSE 0 END) AS postmortems_on_time
FROM incidents
WHERE opened_at < $end
GROUP BY ROLLUP (severity)
ORDER BY severity NULLS LAST
