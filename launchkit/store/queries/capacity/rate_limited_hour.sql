-- purpose: the hourly report's stability check on rate limits: per provider and model, the turns started in
--          the window and those a provider refused for a rate limit (fragment rate_limited); the share is
--          rate_limited / turns, its sample size the turns
-- grain: one row per (provider, model) with at least one turn started in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT
    coalesce(provider, '(unknown)') AS provider,
    coalesce(model, '(unknown)') AS model,
    count(*) AS turns,
    sum(CASE WHEN {{ rate_limited }} THEN 1 ELSE 0 END) AS rate_limited
FROM turns
WHERE started_at >= $start AND started_at < $end
GROUP BY coalesce(provider, '(unknown)'), coalesce(model, '(unknown)')
ORDER BY provider, model
