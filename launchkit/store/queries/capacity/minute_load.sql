-- purpose: the load the providers count, per minute: requests (turns started), input, output and total
--          tokens (a turn without a count adds none; those turns are counted apart, so a sum is a known lower
--          bound), failed turns and rate-limited turns, per provider and model; minutes without a turn are
--          absent (their load is zero)
-- grain: one row per (provider, model, UTC minute) with at least one turn started in [$start, $end)
-- parameters: $start, $end (TIMESTAMPTZ, half-open window)
SELECT
    coalesce(provider, '(unknown)') AS provider,
    coalesce(model, '(unknown)') AS model,
    date_trunc('minute', started_at) AS minute,
    count(*) AS requests,
    sum(coalesce(input_tokens, 0)) AS input_tokens,
    sum(coalesce(output_tokens, 0)) AS output_tokens,
    sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)) AS total_tokens,
    sum(CASE WHEN input_tokens IS NULL OR output_tokens IS NULL THEN 1 ELSE 0 END) AS turns_without_tokens,
    sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS failed,
    sum(CASE WHEN {{ rate_limited }} THEN 1 ELSE 0 END) AS rate_limited
FROM turns
WHERE started_at >= $start AND started_at < $end
GROUP BY coalesce(provider, '(unknown)'), coalesce(model, '(unknown)'), date_trunc('minute', started_at)
ORDER BY provider, model, minute
