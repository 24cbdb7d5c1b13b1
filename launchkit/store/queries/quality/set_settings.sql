-- purpose: record the [quality] settings the queries apply (the LLM latency floor, and whether implausible
--          latencies are left out of the percentiles); the load job writes them from launchkit.toml
-- grain: one row (id = 1)
-- parameters: $min_llm_latency_ms, $exclude_implausible_latency
INSERT OR REPLACE INTO quality_settings (id, min_llm_latency_ms, exclude_implausible_latency, updated_at)
VALUES (1, $min_llm_latency_ms, $exclude_implausible_latency, now())
