-- purpose: data-quality findings on LLM latencies in a window: ok turns whose latency is under the floor
--          (latency_flag 'below floor') or whose time to first token exceeds their latency ('ttft > latency'),
--          with up to $examples turn ids each (the flag is the turns_priced fragment's)
-- grain: one row per flag present in the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window), $examples
WITH turns_priced AS ({{ turns_priced }}),
flagged AS (
    SELECT latency_flag, turn_id, started_at
    FROM turns_priced
    WHERE started_at >= $start AND started_at < $end AND status = 'ok' AND latency_flag IS NOT NULL
),
ranked AS (
    SELECT latency_flag, turn_id, row_number() OVER (PARTITION BY latency_flag ORDER BY started_at, turn_id) AS n
    FROM flagged
)
SELECT
    latency_flag,
    count(*) AS turns,
    list(turn_id ORDER BY n) FILTER (WHERE n <= $examples) AS examples
FROM ranked
GROUP BY latency_flag
ORDER BY latency_flag
