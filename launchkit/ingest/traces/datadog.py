"""Datadog LLM Observability span exports: each span read as a turn, a tool call or what it is, through the alias table.

Shapes read, all normalised to the span event dd-trace-py's LLMObs writer sends (`ddtrace/llmobs/
_llmobs.py`, `_llmobs_span_event`): `span_id` (decimal text), `trace_id` (hex), `parent_id`
(`"undefined"` at the root), `name`, `start_ns`, `duration` (ns), `status` (`ok` | `error`),
`meta` (`span.kind`: llm, tool, agent, workflow, task, embedding, retrieval; `model_name`,
`model_provider`, `input`, `output`, `metadata`, `error.type`), `metrics` (`input_tokens`,
`output_tokens`, `total_tokens`, `cache_read_input_tokens`, ...), `session_id`, `tags`, `ml_app`:
- those events one per line, in a list, or under `spans` / `data`;
- the HTTP intake API's payload (DataDog/documentation `llm_observability/instrumentation/api.md`):
  `{"data": {"type": "span", "attributes": {"ml_app", "session_id", "tags", "spans": [...]}}}`, a span's
  kind in `meta.kind`, its error in `meta.error: {type, message}`, the payload's session id for spans
  that name none;
- the Export API's answer (`llm_observability/evaluations/export_api.md`): `{"data": [{"id", "type":
  "span", "attributes": {span_id, trace_id, parent_id, span_kind, model_name, model_provider, input,
  output, metadata, metrics, start_ns, duration, status, tags}}]}` (its example's `start_ns` is in
  milliseconds: a start time's unit is told by its magnitude).

A span's fields are flattened to dotted keys (`meta.span.kind`, `metrics.input_tokens`) for the alias
table (launchkit.ingest.traces.semconv). Span ids stay as written (decimal), so evaluations naming a
span find its turn. Only the error's type is kept, never its message.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.spans import Span, TraceFormat, epoch_or_iso_ns, flatten, loose_id, read_records

# the Export API's top-level fields that the SDK's span event keeps under meta
_TO_META = ("model_name", "model_provider", "input", "output", "metadata")
_PAYLOAD_DEFAULTS = ("session_id", "ml_app")


def _span_attrs(rec: Any) -> Any:
    """The span of a record: the record, or the Export API's `attributes` of a `type: span` resource."""
    if isinstance(rec, Mapping) and rec.get("type") == "span" and isinstance(rec.get("attributes"), Mapping):
        return rec["attributes"]
    return rec


def _kind(sp: Mapping[str, Any]) -> Any:
    meta = sp.get("meta")
    if isinstance(meta, Mapping):
        kind = meta.get("span.kind", meta.get("kind"))
        if kind is None and isinstance(meta.get("span"), Mapping):
            kind = meta["span"].get("kind")
        if kind is not None:
            return kind
    return sp.get("span_kind")


def looks_like_span(rec: Any) -> bool:
    """An LLM Observability span: a span kind (meta.span.kind, meta.kind or span_kind) and a start_ns, metrics or ml_app."""
    sp = _span_attrs(rec)
    return (
        isinstance(sp, Mapping)
        and _kind(sp) is not None
        and "span_id" in sp
        and any(k in sp for k in ("start_ns", "metrics", "ml_app"))
    )


def _payload(doc: Any) -> Mapping[str, Any] | None:
    """The intake payload's attributes ({"data": {"type": "span", "attributes": {"spans": [...]}}}), else None."""
    data = doc.get("data") if isinstance(doc, Mapping) else None
    attrs = data.get("attributes") if isinstance(data, Mapping) else None
    return attrs if isinstance(attrs, Mapping) and isinstance(attrs.get("spans"), list) else None


def looks_like_export(doc: Any) -> bool:
    if _payload(doc) is not None:
        return True
    if isinstance(doc, Mapping):
        doc = doc.get("data", doc.get("spans", doc))
    items = doc if isinstance(doc, list) else [doc]
    return bool(items) and all(looks_like_span(r) for r in items[:3])


def _records(doc: Any) -> Iterator[Any]:
    payload = _payload(doc)
    if payload is not None:
        defaults = {k: payload[k] for k in _PAYLOAD_DEFAULTS if payload.get(k) is not None}
        for sp in payload["spans"]:
            yield {**defaults, **sp} if isinstance(sp, Mapping) else sp
        return
    if isinstance(doc, Mapping):
        for key in ("data", "spans"):
            if isinstance(doc.get(key), list):
                yield from doc[key]
                return
    yield from doc if isinstance(doc, list) else [doc]


def _normalised(sp: Mapping[str, Any]) -> dict[str, Any]:
    """The span as the SDK's span event: the kind in meta['span.kind'], the model and I/O under meta."""
    out = dict(sp)
    meta = dict(sp["meta"]) if isinstance(sp.get("meta"), Mapping) else {}
    meta["span.kind"] = _kind(sp)
    meta.pop("kind", None)
    for key in _TO_META:
        if key in out and key not in meta:
            meta[key] = out.pop(key)
    inner = meta.get("metadata")
    for key in ("model_name", "model_provider"):  # the intake API's metadata keys for LLM spans
        if key not in meta and isinstance(inner, Mapping) and inner.get(key) is not None:
            meta[key] = inner[key]
    if meta.get("error.type") is None and not isinstance(meta.get("error"), Mapping):
        meta["error.type"] = _tag(sp.get("tags"), "error_type")  # the Export API keeps it only as a tag
    out["meta"] = meta
    out.pop("span_kind", None)
    return out


def _tag(tags: Any, key: str) -> str | None:
    """The value of a `key:value` tag (the SDK's tags: error_type, session_id, ...), else None."""
    for tag in tags if isinstance(tags, list) else ():
        if isinstance(tag, str) and tag.startswith(key + ":") and tag[len(key) + 1 :].strip():
            return tag[len(key) + 1 :].strip()
    return None


def _parent(value: Any) -> str | None:
    return None if value in (None, "", "undefined", "0", 0) else loose_id(value, 8)


def _span(row: int, rec: Any) -> Span | str:
    if not looks_like_span(rec):
        return "not a Datadog LLM Observability span (no span_id and span kind)"
    sp = _normalised(_span_attrs(rec))
    start, raw_start = epoch_or_iso_ns(sp.get("start_ns"))
    duration = sp.get("duration")
    end = None
    if start is not None and isinstance(duration, (int, float)) and not isinstance(duration, bool):
        end = start + int(duration)
    attrs: dict[str, Any] = {}
    flatten("", {k: v for k, v in sp.items() if k not in ("span_id", "trace_id", "parent_id", "name")}, attrs)
    if str(sp["meta"].get("span.kind", "")).strip().lower() == "tool" and sp.get("name"):
        attrs[semconv.ALIASES["tool_name"][0]] = sp["name"]
    failed = str(sp.get("status", "")).strip().lower() == "error" or sp.get("error") in (1, "1", True)
    return Span(
        row=row,
        trace_id=loose_id(sp.get("trace_id"), 16),
        span_id=loose_id(sp.get("span_id"), 8),
        parent_id=_parent(sp.get("parent_id")),
        name=str(sp.get("name") or ""),
        start_ns=start,
        end_ns=end,
        status="error" if failed else "ok",
        attributes=attrs,
        raw_start=raw_start,
    )


def parse_datadog(path: Path, notes: list[str] | None = None) -> Iterator[Span]:
    """Spans of a Datadog LLM Observability export (see the module docstring for the shapes)."""
    return read_records(
        path, _records, _span, "not a Datadog LLM Observability export: no span with a span_id and a span kind"
    )


FORMAT = TraceFormat(
    "datadog-llmobs",
    "a Datadog LLM Observability span export",
    parse=parse_datadog,
    head=lambda head: (
        '"start_ns"' in head
        and '"span_id"' in head
        and ('"span.kind"' in head or '"span_kind"' in head or '"ml_app"' in head)
    ),
    record=looks_like_span,
    document=looks_like_export,
)
