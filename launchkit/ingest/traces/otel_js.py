"""OpenTelemetry JS SDK span JSON: what Node services print or dump of their ReadableSpans.

Shapes read (each record a span):
- `ConsoleSpanExporter` output (`_exportInfo`), SDK 2.x: `traceId`, `id`, `parentSpanContext.spanId`,
  `instrumentationScope`, `timestamp` (µs since the epoch), `duration` (µs), `kind`, `attributes`,
  `status: {code}`, `events`, `resource: {attributes}`; SDK 1.x: `parentId` and
  `instrumentationLibrary` instead;
- `JSON.stringify(span)` of the SDK's span (file exporters): `_spanContext: {traceId, spanId}`,
  `parentSpanContext`, `startTime` / `endTime` / `_duration` as HrTime `[seconds, nanoseconds]`,
  `resource._rawAttributes` as `[[key, value], ...]`, events with `time` as HrTime;
- `spanContext()`-style objects: `traceId` / `spanId` at the top (or under `spanContext`),
  `parentSpanId`, `startTime` / `endTime` as HrTime or epoch milliseconds.
One per line, a JSON array, or pretty-printed objects one after another.

`kind` is the JS enum (0 INTERNAL, 1 SERVER, 2 CLIENT, 3 PRODUCER, 4 CONSUMER), which differs from
OTLP's; `status.code` is 0 UNSET, 1 OK, 2 ERROR, as in OTLP.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.ingest.traces.spans import (
    Span,
    TraceFormat,
    as_list,
    attributes,
    norm_id,
    read_records,
    status,
)

KINDS = {0: "internal", 1: "server", 2: "client", 3: "producer", 4: "consumer"}


def _context(rec: Mapping[str, Any]) -> Mapping[str, Any]:
    for key in ("_spanContext", "spanContext"):
        ctx = rec.get(key)
        if isinstance(ctx, Mapping):
            return ctx
    return rec


# Keys of the other signals a JS SDK file exporter writes beside spans (Gemini CLI's telemetry
# outfile holds logs and metrics too): such records are ignored, counted by kind, not rejected.
_LOG_KEYS = ("hrTime", "severityNumber", "severityText", "_body")
_METRIC_KEYS = ("scopeMetrics", "resourceMetrics", "descriptor", "dataPoints")


def other_signal(rec: Any) -> str | None:
    """'log record' or 'metrics' for a record of another signal, else None."""
    if not isinstance(rec, Mapping):
        return None
    if any(k in rec for k in _METRIC_KEYS):
        return "metrics"
    if any(k in rec for k in _LOG_KEYS) and "startTime" not in rec and "duration" not in rec:
        return "log record"
    return None


def looks_like_js_span(rec: Any) -> bool:
    """A JS SDK span: a span context (_spanContext / spanContext) or a top-level traceId with id / spanId."""
    if not isinstance(rec, Mapping) or "resourceSpans" in rec or other_signal(rec):
        return False
    ctx = _context(rec)
    return "traceId" in ctx and ("spanId" in ctx or "id" in rec)


def _records(doc: Any) -> list[Any]:
    if isinstance(doc, Mapping) and isinstance(doc.get("spans"), list):
        return list(doc["spans"])
    return list(doc) if isinstance(doc, list) else [doc]


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _hrtime(value: Any) -> int | None:
    """Nanoseconds from an HrTime [seconds, nanoseconds], or from epoch milliseconds (a number)."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(_finite(v) for v in value):
        return int(value[0]) * 1_000_000_000 + int(value[1])
    if _finite(value) and value > 0:
        return int(round(float(value) * 1_000_000))
    return None


def _times(rec: Mapping[str, Any]) -> tuple[int | None, int | None, Any]:
    """(start ns, end ns, the start as read when unreadable)."""
    if "timestamp" in rec and "startTime" not in rec:  # ConsoleSpanExporter: µs and a µs duration
        ts, dur = rec.get("timestamp"), rec.get("duration")
        if isinstance(ts, (int, float)) and _finite(ts):
            at = int(round(float(ts) * 1000))
            until = at + int(round(float(dur) * 1000)) if isinstance(dur, (int, float)) and _finite(dur) else None
            return at, until, None
        return None, None, ts
    start = _hrtime(rec.get("startTime"))
    end = _hrtime(rec.get("endTime"))
    if end is None and start is not None:
        dur = rec.get("_duration", rec.get("duration"))
        if isinstance(dur, (list, tuple)):
            d = _hrtime(dur)
            end = None if d is None else start + d
    return start, end, None if start is not None else rec.get("startTime")


def _kind(value: Any) -> str | None:
    return KINDS.get(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _resource(rec: Mapping[str, Any]) -> dict[str, Any]:
    res = rec.get("resource")
    if not isinstance(res, Mapping):
        return {}
    for key in ("attributes", "_attributes", "_memoizedAttributes"):
        if isinstance(res.get(key), Mapping):
            return attributes(res[key])
    raw = res.get("_rawAttributes")
    if isinstance(raw, list):
        return {str(kv[0]): kv[1] for kv in raw if isinstance(kv, (list, tuple)) and len(kv) == 2}
    return {}


def parse_js(path: Path, notes: list[str] | None = None) -> Iterator[Span]:
    """Spans of OpenTelemetry JS SDK span JSON (see the module docstring for the shapes)."""
    return read_records(
        path, _records, _span_or_problem, "not OpenTelemetry JS span JSON: no span with a traceId and a span id"
    )


def _span_or_problem(row: int, rec: Any) -> Span | str:
    signal = other_signal(rec)
    if signal is not None:
        return Span(row, None, None, None, "", None, None, not_a_span=f"not a span ({signal})")
    if not looks_like_js_span(rec):
        return "not an OpenTelemetry JS span (no traceId and span id)"
    return _span(row, rec)


def _span(row: int, rec: Mapping[str, Any]) -> Span | str:
    ctx = _context(rec)
    parent = rec.get("parentSpanContext")
    parent_raw = parent.get("spanId") if isinstance(parent, Mapping) else rec.get("parentSpanId", rec.get("parentId"))
    try:
        trace_id = norm_id(ctx.get("traceId"), 16)
        span_id = norm_id(ctx.get("spanId", rec.get("id")), 8)
        parent_id = norm_id(parent_raw, 8)
    except ValueError as exc:
        return f"id: {exc}"  # a pre-rejected record (read_records keeps its JSON)
    start, end, raw_start = _times(rec)
    st = rec.get("status")
    events = []
    for e in as_list(rec.get("events")):
        if isinstance(e, Mapping):
            events.append((str(e.get("name", "")), attributes(e.get("attributes") or {}), _hrtime(e.get("time"))))
    scope = rec.get("instrumentationScope") or rec.get("instrumentationLibrary")
    attrs = rec.get("attributes")
    return Span(
        row=row,
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent_id,
        name=str(rec.get("name") or ""),
        start_ns=start,
        end_ns=end,
        status=status(st.get("code", 0)) if isinstance(st, Mapping) else "unset",
        status_message=st.get("message") if isinstance(st, Mapping) else None,
        attributes=attributes(attrs) if isinstance(attrs, (Mapping, list)) else {},
        resource=_resource(rec),
        events=events,
        raw_start=raw_start,
        kind=_kind(rec.get("kind")),
        scope=str(scope.get("name")) if isinstance(scope, Mapping) and scope.get("name") else None,
    )


def _head(head: str) -> bool:
    return '"traceId"' in head and (
        '"_spanContext"' in head
        or '"spanContext"' in head
        or ('"spanId"' in head and '"type"' not in head)
        or ('"id"' in head and '"timestamp"' in head and '"duration"' in head)
    )


FORMAT = TraceFormat(
    "otel-js",
    "OpenTelemetry JS SDK span JSON",
    parse=parse_js,
    head=_head,
    record=looks_like_js_span,
)
