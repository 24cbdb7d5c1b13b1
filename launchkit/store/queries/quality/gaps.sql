-- purpose: hours with no data while traffic was expected. Per hour: active sessions (distinct sessions
--          with a turn, tool call or start). Expected sessions = that UTC day's sessions-hours x the
--          hour-of-day share of the 7 days before the window (or of the window's own days when there
--          is no history), so quiet nights and weekends are not expected to be busy. An hour is
--          expected when that is >= $min_expected; a gap is an expected hour with no session at all.
-- grain: one row per hour in [$start, $end) ($start on an hour edge)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window), $min_expected (DOUBLE)
WITH bounds AS (
    SELECT
        date_trunc('day', CAST($start AS TIMESTAMPTZ)) AS d0,
        date_trunc('day', CAST($end AS TIMESTAMPTZ)) + INTERVAL 1 DAY AS d1
),
hours AS (
    SELECT unnest(generate_series(
        CAST($start AS TIMESTAMPTZ),
        CAST($end AS TIMESTAMPTZ) - INTERVAL 1 HOUR,
        INTERVAL 1 HOUR
    )) AS hour
),
ev AS (
    SELECT e.event_at AS started_at, e.session_id
    FROM ({{ session_events }}) AS e, bounds AS b
    WHERE e.event_at >= b.d0 - INTERVAL 7 DAY AND e.event_at < b.d1
),
per_hour AS (
    SELECT date_trunc('hour', started_at) AS hour, count(DISTINCT session_id) AS sessions
    FROM ev
    GROUP BY date_trunc('hour', started_at)
),
history AS (
    SELECT hour(p.hour) AS hod, sum(p.sessions) AS n
    FROM per_hour AS p, bounds AS b
    WHERE p.hour < b.d0
    GROUP BY hour(p.hour)
),
own AS (
    SELECT hour(p.hour) AS hod, sum(p.sessions) AS n
    FROM per_hour AS p, bounds AS b
    WHERE p.hour >= b.d0
    GROUP BY hour(p.hour)
),
totals AS (
    SELECT
        (SELECT coalesce(sum(n), 0) FROM history) AS history_total,
        (SELECT coalesce(sum(n), 0) FROM own) AS own_total
),
day_totals AS (
    SELECT date_trunc('day', p.hour) AS day, sum(p.sessions) AS n
    FROM per_hour AS p, bounds AS b
    WHERE p.hour >= b.d0
    GROUP BY date_trunc('day', p.hour)
),
expected AS (
    SELECT
        h.hour,
        coalesce(d.n, 0) * CASE
            WHEN t.history_total > 0 THEN coalesce(hi.n, 0) / CAST(t.history_total AS DOUBLE)
            WHEN t.own_total > 0 THEN coalesce(o.n, 0) / CAST(t.own_total AS DOUBLE)
            ELSE 0.0
        END AS expected_sessions
    FROM hours AS h
    CROSS JOIN totals AS t
    LEFT JOIN history AS hi ON hi.hod = hour(h.hour)
    LEFT JOIN own AS o ON o.hod = hour(h.hour)
    LEFT JOIN day_totals AS d ON d.day = date_trunc('day', h.hour)
)
SELECT
    h.hour,
    coalesce(p.sessions, 0) AS sessions,
    x.expected_sessions,
    x.expected_sessions >= $min_expected AS traffic_expected,
    x.expected_sessions >= $min_expected AND p.sessions IS NULL AS gap
FROM hours AS h
JOIN expected AS x ON x.hour = h.hour
LEFT JOIN per_hour AS p ON p.hour = h.hour
ORDER BY h.hour
