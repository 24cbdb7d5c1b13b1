-- purpose: n, the sum and the sum of squares of the cost per active session in each window, exact (DECIMAL:
--          nano-dollar session costs, squares to 1e-18): the Student-t interval of the mean cost per session
--          (criteria, the GA cost projection), the same bits on every engine, without the sessions leaving it
-- grain: one row per side with an active session (side 1 = [$start1, $end1), side 2 = [$start2, $end2))
-- parameters: $start1, $end1, $start2, $end2 (TIMESTAMPTZ, half-open windows)
WITH turns_priced AS ({{ turns_priced }}),
{{ sample_windows }},
{{ session_cost_sample }}
SELECT side, count(*) AS n, sum(v) AS total, sum(v * v) AS total_sq
FROM sample
GROUP BY side
ORDER BY side
