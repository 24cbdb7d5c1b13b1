-- purpose: hours with no data while traffic was expected. Per hour: active sessions (distinct sessions
--          with a turn, tool call or start) and the sessions expected from earlier hours the exporter was
--          known to work (an earlier hour counts when it lies between the data's first and last active
--          hour; its sessions count even when 0, so a quiet night or weekend stays quiet). Expected = the
--          median of the same hour-of-week 1..4 weeks back when at least two of those are known
--          (basis 'hour_of_week'); otherwise the median of the same hour-of-day on the (up to) 28 known
--          days of the same kind (weekday or weekend, $hour_weekend: Saturday and Sunday on the zone's
--          clock) before the hour, so a weekend hour is never expected at weekday level and the first
--          weekend, with no weekend before it, expects nothing; counted back from the last data when the data stopped earlier, so
--          an exporter that died weeks ago is still missed (basis 'hour_of_day'); NULL without any
--          (basis NULL: not enough history). An hour is expected when that is >= $min_expected; a gap
--          is an expected hour with no session at all.
--          Hours are the report zone's clock hours and "the same hour" is the same wall-clock hour (09:00
--          is 09:00 across a DST change, so a team's quiet night is its own night): the calendar of hours
--          is given ($hour_at, with each hour's end and local wall clock; launchkit.analytics.quality
--          computes it), so no time-zone arithmetic happens here. A wall-clock hour the clocks repeat
--          stands for its first occurrence in history; one they skip has no history that day.
-- grain: one row per calendar hour in [$start, $end)
-- parameters: $hour_at, $hour_end (lists of TIMESTAMPTZ), $hour_wall (list of TIMESTAMP), all of the same
--             length: the clock hours from $history_from (29 days before the earlier of $start and $last_hour)
--             to $end;
--             $hour_weekend (list of BOOLEAN, the same length: whether the hour's local day is a Saturday or Sunday);
--             $key_hours, $key_buckets (lists of TIMESTAMPTZ: every UTC hour a clock hour overlaps, with that
--             clock hour's start, launchkit.window.hour_keys: rows find their hour by an equality join);
--             $start, $end (TIMESTAMPTZ, hour edges of the window), $first_hour, $last_hour (TIMESTAMPTZ, the
--             clock hours of the first and last activity; NULL when there is none), $min_expected (DOUBLE)
WITH cal AS (
    SELECT
        unnest(CAST($hour_at AS TIMESTAMPTZ[])) AS cal_at,
        unnest(CAST($hour_end AS TIMESTAMPTZ[])) AS cal_end,
        unnest(CAST($hour_wall AS TIMESTAMP[])) AS wall,
        unnest(CAST($hour_weekend AS BOOLEAN[])) AS weekend
),
wall_hour AS (
    SELECT wall, min(cal_at) AS cal_at, min(weekend) AS weekend
    FROM cal
    GROUP BY wall
),
hours AS (
    SELECT cal_at AS hour, wall, weekend
    FROM cal
    WHERE cal_at >= CAST($start AS TIMESTAMPTZ) AND cal_at < CAST($end AS TIMESTAMPTZ)
),
day_back AS (
    SELECT
        h.hour,
        h.wall,
        h.weekend,
        greatest(1, CAST(ceil(date_diff('hour', CAST($last_hour AS TIMESTAMPTZ), h.hour) / 24.0) AS BIGINT))
            AS first_back
    FROM hours AS h
),
slot_walls AS (
    SELECT h.hour, h.weekend, 'hour_of_week' AS basis, h.wall - INTERVAL 7 DAY * w.k AS slot_wall
    FROM hours AS h, range(1, 5) AS w(k)
    UNION ALL
    SELECT b.hour, b.weekend, 'hour_of_day' AS basis, b.wall - INTERVAL 1 DAY * (b.first_back + d.k) AS slot_wall
    FROM day_back AS b, range(0, 28) AS d(k)
),
slots AS (
    SELECT s.hour, s.basis, w.cal_at AS slot
    FROM slot_walls AS s
    JOIN wall_hour AS w ON w.wall = s.slot_wall
    WHERE s.basis = 'hour_of_week' OR w.weekend = s.weekend
),
cal_keys AS (
    SELECT k.key_hour, c.cal_at, c.cal_end
    FROM (
        SELECT
            unnest(CAST($key_hours AS TIMESTAMPTZ[])) AS key_hour,
            unnest(CAST($key_buckets AS TIMESTAMPTZ[])) AS cal_at
    ) AS k
    JOIN cal AS c ON c.cal_at = k.cal_at
),
per_hour AS (
    SELECT c.cal_at AS hour, count(DISTINCT e.session_id) AS sessions
    FROM (
        SELECT * FROM ({{ session_events }}) AS ev
        WHERE ev.event_at >= CAST($history_from AS TIMESTAMPTZ) AND ev.event_at < CAST($end AS TIMESTAMPTZ)
    ) AS e
    JOIN cal_keys AS c ON date_trunc('hour', e.event_at) = c.key_hour
    WHERE e.event_at >= c.cal_at AND e.event_at < c.cal_end
    GROUP BY c.cal_at
),
known AS (
    SELECT sl.hour, sl.basis, coalesce(p.sessions, 0) AS sessions
    FROM slots AS sl
    LEFT JOIN per_hour AS p ON p.hour = sl.slot
    WHERE sl.slot >= CAST($first_hour AS TIMESTAMPTZ) AND sl.slot <= CAST($last_hour AS TIMESTAMPTZ)
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
