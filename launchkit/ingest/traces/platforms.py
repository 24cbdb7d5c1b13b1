"""Exports of observability platforms launchkit recognises but does not read yet: told by their
shape and refused by their real name, so a user is told what the file is and what to send instead.

- LangSmith runs (`langsmith` client `list_runs`, the run export): records with `run_type`
  (llm, tool, chain, ...), `trace_id`, `dotted_order`, `inputs` / `outputs`, `extra`.
- Datadog LLM Observability spans (the span export API and `LLMObs` JSON): records with `span_id`,
  `trace_id`, `meta.span.kind` (llm, tool, agent, ...), `metrics` (`input_tokens`, ...), `ml_app`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from launchkit.ingest.traces.spans import TraceFormat


def looks_like_langsmith_run(rec: Any) -> bool:
    return (
        isinstance(rec, Mapping)
        and "run_type" in rec
        and ("dotted_order" in rec or "trace_id" in rec or "inputs" in rec)
    )


def looks_like_datadog_span(rec: Any) -> bool:
    if not isinstance(rec, Mapping):
        return False
    inner = rec.get("attributes")
    attrs: Mapping[str, Any] = inner if isinstance(inner, Mapping) else rec  # the API wraps a span in attributes
    meta = attrs.get("meta")
    kind = isinstance(meta, Mapping) and ("span.kind" in meta or isinstance(meta.get("span"), Mapping))
    return bool(kind) and ("metrics" in attrs or "ml_app" in attrs)


_REST = (
    "not read yet; export the traces as OpenTelemetry (OTLP/JSON) and load that, "
    "or see docs/telemetry.md for the formats read"
)

LANGSMITH = TraceFormat(
    "langsmith",
    "a LangSmith run export",
    head=lambda head: '"run_type"' in head and ('"dotted_order"' in head or '"session_id"' in head),
    record=looks_like_langsmith_run,
    refuse=_REST,
)
DATADOG = TraceFormat(
    "datadog-llmobs",
    "a Datadog LLM Observability span export",
    head=lambda head: '"meta"' in head and '"metrics"' in head and '"span.kind"' in head and '"start_ns"' in head,
    record=looks_like_datadog_span,
    refuse=_REST,
)
