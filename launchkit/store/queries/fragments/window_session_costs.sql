-- fragment: window_session_costs: each active session's cost in the window (metrics/session_costs), over
--           window_events' CTEs: `WITH turns_priced AS (...), {{ window_events }} {{ window_session_costs }}`.
-- grain: one row per active session in the window [$start, $end)
-- parameters: $start, $end (through window_events)
SELECT
    a.session_id,
    coalesce(sum(t.cost_usd), 0.0) AS cost_usd
FROM active AS a
LEFT JOIN turns_w AS t ON t.session_id = a.session_id
GROUP BY a.session_id
