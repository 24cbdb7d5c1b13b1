-- fragment: session_cost_sample: the CTE sample(side, v): the cost of each active session (a turn, a tool call
--           or its start in the window: session_events) in each window of sample_windows, from the known turn
--           costs of turns_priced, 0 for a session without one; summed exactly as DECIMAL(18, 9) (to the
--           nano-dollar), so a session's cost does not depend on the order an engine adds its turns in: the
--           same on every run and engine, as ties between sessions must be for a rank test. Needs turns_priced
--           and sample_windows before it (cost_turns and cost_active are its own CTEs).
-- grain: one row per (side, active session)
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ)
cost_turns AS (
    SELECT w.side, t.session_id, CAST(t.cost_usd AS DECIMAL(18, 9)) AS cost
    FROM turns_priced AS t
    JOIN sample_windows AS w ON t.started_at >= w.ws AND t.started_at < w.we
    WHERE t.started_at >= least(CAST($start1 AS TIMESTAMPTZ), CAST($start2 AS TIMESTAMPTZ))
      AND t.started_at < greatest(CAST($end1 AS TIMESTAMPTZ), CAST($end2 AS TIMESTAMPTZ))
),
cost_active AS (
    SELECT DISTINCT w.side, ev.session_id
    FROM ({{ session_events }}) AS ev
    JOIN sample_windows AS w ON ev.event_at >= w.ws AND ev.event_at < w.we
    WHERE ev.event_at >= least(CAST($start1 AS TIMESTAMPTZ), CAST($start2 AS TIMESTAMPTZ))
      AND ev.event_at < greatest(CAST($end1 AS TIMESTAMPTZ), CAST($end2 AS TIMESTAMPTZ))
),
sample AS (
    SELECT a.side, CAST(coalesce(sum(t.cost), 0) AS DECIMAL(18, 9)) AS v
    FROM cost_active AS a
    LEFT JOIN cost_turns AS t ON t.side = a.side AND t.session_id = a.session_id
    GROUP BY a.side, a.session_id
)
