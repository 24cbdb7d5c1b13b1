"""Jaeger JSON: a trace downloaded from the Jaeger UI, or its query API's answer.

Shape (jaegertracing/jaeger `model/json/model.go`): `{"data": [trace ...]}` (the API; the UI's
"Download JSON" writes the same), or a trace / a list of traces; a trace is `{"traceID", "spans",
"processes"}`; a span has `traceID`, `spanID`, `operationName`, `references` (`CHILD_OF` names the
parent; older: `parentSpanID`), `startTime` and `duration` in microseconds, `tags` and its
process's tags as `[{key, type, value}]`, `logs` as `[{timestamp, fields}]` (the span events; the
`event` field names one) and `processID` (or an embedded `process`). The OpenTelemetry status and
kind travel as tags (`otel.status_code`, `error`, `span.kind`), and the instrumentation scope as
`otel.scope.name` (older: `otel.library.name`); they are read back as such, not as attributes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.ingest.traces.spans import DOCUMENT, Span, TraceFormat, as_list, norm_id, read_records

_KINDS = frozenset({"internal", "server", "client", "producer", "consumer"})
# tags that carry what OTLP holds outside the attributes
_SPECIAL = frozenset(
    {"span.kind", "otel.status_code", "otel.status_description", "error", "otel.scope.name", "otel.library.name"}
)


def _is_trace(doc: Any) -> bool:
    return isinstance(doc, Mapping) and isinstance(doc.get("spans"), list) and ("traceID" in doc or "processes" in doc)


def looks_like_jaeger(doc: Any) -> bool:
    """A Jaeger trace, a list of them, or the API's {"data": [...]}."""
    if isinstance(doc, Mapping) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    items = doc if isinstance(doc, list) else [doc]
    return bool(items) and all(_is_trace(t) for t in items[:3])


def _tags(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kv in as_list(items):
        if isinstance(kv, Mapping) and isinstance(kv.get("key"), str):
            out[kv["key"]] = kv.get("value")
    return out


def _records(doc: Any) -> Iterator[Any]:
    """(span, process tags) of each span of each trace in the document; a record that is not a trace as itself."""
    if isinstance(doc, Mapping) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    for trace in doc if isinstance(doc, list) else [doc]:
        if not _is_trace(trace):
            yield trace
            continue
        yield DOCUMENT
        processes = trace.get("processes") if isinstance(trace.get("processes"), Mapping) else {}
        for sp in trace["spans"]:
            proc = sp.get("process") if isinstance(sp, Mapping) else None
            if not isinstance(proc, Mapping):
                proc = processes.get(sp.get("processID")) if isinstance(sp, Mapping) else None
            yield sp, proc if isinstance(proc, Mapping) else {}


def _parent(sp: Mapping[str, Any]) -> Any:
    for ref in as_list(sp.get("references")):
        if isinstance(ref, Mapping) and str(ref.get("refType", "")).upper() == "CHILD_OF":
            return ref.get("spanID")
    return sp.get("parentSpanID")


def _micros(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) * 1000


def _span(row: int, rec: Any) -> Span | str:
    if type(rec) is not tuple:
        return "not a Jaeger trace (no traceID and spans)"
    sp, proc = rec
    if not isinstance(sp, Mapping):
        return "span is not a JSON object"
    try:
        trace_id = norm_id(sp.get("traceID"), 16)
        span_id = norm_id(sp.get("spanID"), 8)
        parent_id = norm_id(_parent(sp), 8)
    except ValueError as exc:
        return f"id: {exc}"
    tags = _tags(sp.get("tags"))
    start = _micros(sp.get("startTime"))
    duration = _micros(sp.get("duration"))
    code = str(tags.get("otel.status_code", "")).lower()
    failed = code == "error" or tags.get("error") in (True, "true")
    resource = _tags(proc.get("tags"))
    if isinstance(proc.get("serviceName"), str):
        resource.setdefault("service.name", proc["serviceName"])
    events = []
    for log in as_list(sp.get("logs")):
        if isinstance(log, Mapping):
            fields = _tags(log.get("fields"))
            events.append((str(fields.pop("event", "")), fields, _micros(log.get("timestamp"))))
    kind = str(tags.get("span.kind", "")).lower()
    scope = tags.get("otel.scope.name", tags.get("otel.library.name"))
    return Span(
        row=row,
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent_id,
        name=str(sp.get("operationName") or ""),
        start_ns=start,
        end_ns=None if start is None or duration is None else start + duration,
        status="error" if failed else "ok" if code == "ok" else "unset",
        status_message=tags.get("otel.status_description"),
        attributes={k: v for k, v in tags.items() if k not in _SPECIAL},
        resource=resource,
        events=events,
        raw_start=None if start is not None else sp.get("startTime"),
        kind=kind if kind in _KINDS else None,
        scope=str(scope) if scope else None,
    )


def parse_jaeger(path: Path, notes: list[str] | None = None) -> Iterator[Span]:
    """Spans of a Jaeger JSON trace download (see the module docstring for the shape)."""
    return read_records(path, _records, _span, "not Jaeger JSON: no trace with a traceID and spans")


FORMAT = TraceFormat(
    "jaeger",
    "a Jaeger trace export (JSON)",
    parse=parse_jaeger,
    head=lambda head: (
        '"traceID"' in head and '"spanID"' in head and ('"operationName"' in head or '"processes"' in head)
    ),
    document=looks_like_jaeger,
)
