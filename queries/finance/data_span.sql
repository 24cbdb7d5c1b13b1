-- purpose: the first and last instant with pilot telemetry (session starts and turns), to default the
--          pilot period when launchkit.toml sets no pilot.start / pilot.end
-- grain: one row
-- parameters: none
SELECT min(ts) AS first_at, max(ts) AS last_at
FROM (
    SELECT min(started_at) AS ts FROM sessions
    UNION ALL
    SELECT max(started_at) AS ts FROM sessions
    UNION ALL
    SELECT min(started_at) AS ts FROM turns
    UNION ALL
    SELECT max(started_at) AS ts FROM turns
) AS x
