-- purpose: the [quality] settings the queries apply now (NULL row values: none recorded yet, the defaults apply)
-- grain: one row
-- parameters: none
SELECT
    max(min_llm_latency_ms) AS min_llm_latency_ms,
    max(CAST(exclude_implausible_latency AS INTEGER)) AS exclude_implausible_latency
FROM quality_settings
WHERE id = 1
