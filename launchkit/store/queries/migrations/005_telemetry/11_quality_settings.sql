-- purpose: the [quality] settings the queries apply to every turn, written by the load job from
--          launchkit.toml (launchkit.analytics.latency_sanity.apply): the latency floor under which an LLM
--          latency is implausible, and whether implausible latencies are left out of the percentiles. No
--          row: the defaults (5 ms, not left out). See the turns_priced fragment.
-- grain: one row (id = 1)
-- parameters: none
CREATE TABLE quality_settings (
    id                          INTEGER PRIMARY KEY CHECK (id = 1),
    min_llm_latency_ms          DOUBLE NOT NULL CHECK (min_llm_latency_ms >= 0),
    exclude_implausible_latency BOOLEAN NOT NULL,
    updated_at                  TIMESTAMP WITH TIME ZONE NOT NULL
);
