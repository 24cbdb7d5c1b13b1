-- purpose: hours with no data while traffic was expected. Per hour: active sessions (distinct sessions
--          with a turn, tool call or start) and the sessions expected from earlier hours the exporter was
--          known to work (an earlier hour counts when it lies between the data's first and last active
--          hour; its sessions count even when 0, so a quiet night or weekend stays quiet). Expected = the
--          median of the same hour-of-week 1..4 weeks back when at least two of those are known
--          (basis 'hour_of_week'); otherwise the median of the same hour-of-day on the (up to) 28 known
--          days before the hour, counted back from the last data when the data stopped earlier, so
--          an exporter that died weeks ago is still missed (basis 'hour_of_day'); NULL without any
--          (basis NULL: not enough history). An hour is expected when that is >= $min_expected; a gap
--          is an expected hour with no session at all.
-- grain: one row per hour in [$start, $end) ($start on an hour edge)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window), $min_expected (DOUBLE)
WITH span AS (
    SELECT date_trunc('hour', min(event_at)) AS first_hour, date_trunc('hour', max(event_at)) AS last_hour
    FROM ({{ session_events }}) AS e
),
hours AS (
    SELECT unnest(generate_series(
        CAST($start AS TIMESTAMPTZ),
        CAST($end AS TIMESTAMPTZ) - INTERVAL 1 HOUR,
        INTERVAL 1 HOUR
    )) AS hour
),
day_back AS (
    SELECT
        h.hour,
        greatest(1, CAST(ceil(date_diff('hour', s.last_hour, h.hour) / 24.0) AS BIGINT)) AS first_back
    FROM hours AS h, span AS s
),
slots AS (
    SELECT h.hour, 'hour_of_week' AS basis, h.hour - INTERVAL 7 DAY * w.k AS slot
    FROM hours AS h, range(1, 5) AS w(k)
    UNION ALL
    SELECT b.hour, 'hour_of_day' AS basis, b.hour - INTERVAL 1 DAY * (b.first_back + d.k) AS slot
    FROM day_back AS b, range(0, 28) AS d(k)
),
ev AS (
    SELECT e.event_at, e.session_id
    FROM ({{ session_events }}) AS e, span AS s
    WHERE e.event_at >= least(CAST($start AS TIMESTAMPTZ), s.last_hour) - INTERVAL 29 DAY
      AND e.event_at < CAST($end AS TIMESTAMPTZ)
),
per_hour AS (
    SELECT date_trunc('hour', event_at) AS hour, count(DISTINCT session_id) AS sessions
    FROM ev
    GROUP BY date_trunc('hour', event_at)
),
known AS (
    SELECT sl.hour, sl.basis, coalesce(p.sessions, 0) AS sessions
    FROM slots AS sl
    CROSS JOIN span AS s
    LEFT JOIN per_hour AS p ON p.hour = sl.slot
    WHERE sl.slot >= s.first_hour AND sl.slot <= s.last_hour
),
expectation AS (
    SELECT
        hour,
        count(*) FILTER (WHERE basis = 'hour_of_week') AS weeks_known,
        median(sessions) FILTER (WHERE basis = 'hour_of_week') AS week_median,
        median(sessions) FILTER (WHERE basis = 'hour_of_day') AS day_median
    FROM known
    GROUP BY hour
),
expected AS (
    SELECT
        h.hour,
        CASE WHEN x.weeks_known >= 2 THEN x.week_median ELSE x.day_median END AS expected_sessions,
        CASE
            WHEN x.weeks_known >= 2 THEN 'hour_of_week'
            WHEN x.day_median IS NOT NULL THEN 'hour_of_day'
        END AS basis
    FROM hours AS h
    LEFT JOIN expectation AS x ON x.hour = h.hour
)
SELECT
    h.hour,
    coalesce(p.sessions, 0) AS sessions,
    x.expected_sessions,
    x.basis,
    coalesce(x.expected_sessions >= $min_expected, false) AS traffic_expected,
    coalesce(x.expected_sessions >= $min_expected, false) AND p.sessions IS NULL AS gap
FROM hours AS h
JOIN expected AS x ON x.hour = h.hour
LEFT JOIN per_hour AS p ON p.hour = h.hour
ORDER BY h.hour
