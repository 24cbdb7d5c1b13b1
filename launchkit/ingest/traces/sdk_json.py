"""OpenTelemetry Python SDK span JSON: ReadableSpan.to_json(), the ConsoleSpanExporter, any-agent's {"spans": [...]}."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.ingest.traces.spans import (
    Span,
    TraceFormat,
    as_list,
    attributes,
    norm_id,
    problem_span,
    read_records,
    read_time,
    status,
)


def _is_sdk_span(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping) and isinstance(obj.get("context"), Mapping) and ("start_time" in obj or "name" in obj)
    )


def _kind(value: Any) -> str | None:
    """'SpanKind.CLIENT' / 'CLIENT' / 'client' -> client."""
    if not isinstance(value, str) or not value.strip():
        return None
    k = value.strip().rsplit(".", 1)[-1].lower()
    return k if k in ("internal", "server", "client", "producer", "consumer") else None


def parse_sdk_json(path: Path, notes: list[str] | None = None) -> Iterator[Span]:
    """Spans of SDK span JSON: one span, a list of spans, {"spans": [...]}, or concatenated span documents."""

    def records(doc: Any) -> list[Any]:
        if isinstance(doc, Mapping) and isinstance(doc.get("spans"), list):
            extra = sorted(k for k in doc if k != "spans")
            if extra and notes is not None:
                notes.append(f"top-level keys besides 'spans' not read: {', '.join(extra)}")
            return list(doc["spans"])
        return list(doc) if isinstance(doc, list) else [doc]

    return read_records(path, records, _span_or_problem, _none_found)


def _none_found(problem: str | None) -> str:
    return f"not OpenTelemetry SDK span JSON: {problem or 'no spans found'}"


def _span_or_problem(row: int, sp: Any) -> Span | str:
    return _sdk_span(row, sp) if _is_sdk_span(sp) else "not an OpenTelemetry SDK span (no context)"


def _sdk_span(row: int, sp: Mapping[str, Any]) -> Span:
    ctx = sp.get("context") or {}
    try:
        trace_id = norm_id(ctx.get("trace_id"), 16)
        span_id = norm_id(ctx.get("span_id"), 8)
    except ValueError as exc:
        return problem_span(row, f"context: {exc}", sp)
    parent = sp.get("parent")
    parent_raw = parent.get("span_id") if isinstance(parent, Mapping) else sp.get("parent_id")
    try:
        parent_id = norm_id(parent_raw, 8)
    except ValueError as exc:
        return problem_span(row, f"parent: {exc}", sp)
    start, raw_start = read_time(sp.get("start_time"))
    end, _ = read_time(sp.get("end_time"))
    st = sp.get("status") or {}
    code = st.get("status_code") if isinstance(st, Mapping) else None
    res = sp.get("resource") or {}
    resource = res.get("attributes", res) if isinstance(res, Mapping) else {}
    events = []
    for e in as_list(sp.get("events")):
        if isinstance(e, Mapping):
            t, _ = read_time(e.get("timestamp"))
            events.append((str(e.get("name", "")), dict(e.get("attributes") or {}), t))
    attrs = sp.get("attributes") or {}
    scope = sp.get("instrumentation_scope") or sp.get("instrumentation_info")
    return Span(
        row=row,
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent_id,
        name=str(sp.get("name") or ""),
        start_ns=start,
        end_ns=end,
        status=status(code if code is not None else 0),
        status_message=st.get("description") if isinstance(st, Mapping) else None,
        attributes=attributes(attrs) if isinstance(attrs, (Mapping, list)) else {},
        resource=attributes(resource) if isinstance(resource, (Mapping, list)) else {},
        events=events,
        raw_start=raw_start,
        kind=_kind(sp.get("kind")),
        scope=str(scope.get("name")) if isinstance(scope, Mapping) and scope.get("name") else None,
    )


FORMAT = TraceFormat(
    "otel-json",
    "OpenTelemetry Python SDK span JSON",
    parse=parse_sdk_json,
    head=lambda head: '"context"' in head and ('"span_id"' in head or '"trace_id"' in head),
)
