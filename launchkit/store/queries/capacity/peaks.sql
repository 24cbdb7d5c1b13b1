-- purpose: the busiest second (requests started in one UTC second) and the most turns in flight at once
--          (from each turn's start and latency; a turn without a latency is left out and counted), per
--          provider and model
-- grain: one row per (provider, model) with a turn started in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH t AS (
    SELECT
        coalesce(provider, '(unknown)') AS provider,
        coalesce(model, '(unknown)') AS model,
        started_at,
        latency_ms
    FROM turns
    WHERE started_at >= $start AND started_at < $end
),
per_second AS (
    SELECT provider, model, count(*) AS n
    FROM t
    GROUP BY provider, model, date_trunc('second', started_at)
),
edges AS (
    SELECT provider, model, date_diff('millisecond', TIMESTAMPTZ '1970-01-01 00:00:00+00', started_at) AS at_ms, 1 AS delta FROM t WHERE latency_ms IS NOT NULL
    UNION ALL
    SELECT provider, model, date_diff('millisecond', TIMESTAMPTZ '1970-01-01 00:00:00+00', started_at)
           + CAST(ceil(latency_ms) AS BIGINT) AS at_ms, -1 AS delta
    FROM t WHERE latency_ms IS NOT NULL
),
running AS (
    -- an end at the same millisecond as a start is counted first: a call that ends as another starts
    -- does not overlap it
    SELECT provider, model,
           sum(delta) OVER (PARTITION BY provider, model ORDER BY at_ms, delta
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS in_flight
    FROM edges
),
flight AS (
    SELECT provider, model, CAST(max(in_flight) AS BIGINT) AS peak_in_flight FROM running GROUP BY provider, model
),
seconds AS (
    SELECT provider, model, max(n) AS peak_second_requests FROM per_second GROUP BY provider, model
),
missing AS (
    SELECT provider, model, sum(CASE WHEN latency_ms IS NULL THEN 1 ELSE 0 END) AS turns_without_latency
    FROM t GROUP BY provider, model
)
SELECT s.provider, s.model, s.peak_second_requests, f.peak_in_flight, m.turns_without_latency
FROM seconds AS s
JOIN missing AS m ON m.provider = s.provider AND m.model = s.model
LEFT JOIN flight AS f ON f.provider = s.provider AND f.model = s.model
ORDER BY s.provider, s.model
