-- purpose: whether the judge and the users agree, on the sessions of a window that have both a judged answer
--          (evaluations named $name with a value) and a user's thumbs or rating: the judge calls a session good
--          when at least half its judged answers are at least $threshold, the users when at least half their
--          thumbs are up (or, without thumbs, their ratings are 4 or 5)
-- grain: one row
-- parameters: $start, $end (TIMESTAMPTZ, half-open window), $name (VARCHAR), $threshold (DOUBLE)
WITH judge AS (
    SELECT session_id, avg(CASE WHEN value >= $threshold THEN 1.0 ELSE 0.0 END) >= 0.5 AS judge_good
    FROM evaluations
    WHERE name = $name AND value IS NOT NULL AND session_id IS NOT NULL
      AND evaluated_at >= $start AND evaluated_at < $end
    GROUP BY session_id
),
users AS (
    SELECT session_id,
           coalesce(avg(CASE WHEN thumbs = 'up' THEN 1.0 WHEN thumbs = 'down' THEN 0.0 END),
                    avg(CASE WHEN rating >= 4 THEN 1.0 WHEN rating IS NOT NULL THEN 0.0 END)) >= 0.5 AS user_good
    FROM feedback
    WHERE session_id IS NOT NULL AND submitted_at >= $start AND submitted_at < $end
    GROUP BY session_id
)
SELECT count(*) AS sessions,
       coalesce(sum(CASE WHEN judge.judge_good = users.user_good THEN 1 ELSE 0 END), 0) AS agree
FROM judge JOIN users ON judge.session_id = users.session_id
WHERE users.user_good IS NOT NULL
