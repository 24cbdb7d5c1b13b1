-- purpose: cost of each active session within a window (known turn costs from turns_priced; 0 for an
--          active session with no priced turn in the window), so the mean equals cost_per_session
-- grain: one row per active session in the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH turns_priced AS ({{ turns_priced }}),
{{ window_events }}
{{ window_session_costs }}
