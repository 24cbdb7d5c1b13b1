-- purpose: headline pilot metrics for one window: active and new sessions, tool-call success, turn errors,
--          exact latency and TTFT percentiles (ok turns), cost (from turns_priced), tokens and feedback,
--          each with the counts it was computed from. Rates are NULL when their denominator is 0.
-- grain: one row for the window [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
WITH turns_priced AS ({{ turns_priced }}),
{{ window_events }},
{{ window_summary }}
