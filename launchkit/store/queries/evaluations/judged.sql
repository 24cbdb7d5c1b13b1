-- purpose: the answer_quality criteria's counts: of the evaluations named $name in a window (by the time they
--          were made), how many have a value (judged) and how many of those are at least $threshold (yes:
--          correct, hallucinated); by source, and how many of that name were ever loaded (none: not applicable)
-- grain: one row
-- parameters: $start, $end (TIMESTAMPTZ, half-open window), $name (VARCHAR), $threshold (DOUBLE)
SELECT
    coalesce(sum(CASE WHEN w.value >= $threshold THEN 1 ELSE 0 END), 0) AS yes,
    count(w.value) AS judged,
    coalesce(sum(CASE WHEN w.value IS NOT NULL AND w.source = 'llm_judge' THEN 1 ELSE 0 END), 0) AS by_llm_judge,
    coalesce(sum(CASE WHEN w.value IS NOT NULL AND w.source = 'code' THEN 1 ELSE 0 END), 0) AS by_code,
    coalesce(sum(CASE WHEN w.value IS NOT NULL AND w.source = 'human' THEN 1 ELSE 0 END), 0) AS by_human,
    (SELECT count(*) FROM evaluations AS e WHERE e.name = $name) AS ever
FROM evaluations AS w
WHERE w.name = $name AND w.evaluated_at >= $start AND w.evaluated_at < $end
