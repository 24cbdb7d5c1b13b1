"""Amazon CloudWatch `aws/spans` records (Transaction Search; Bedrock AgentCore's observability).

CloudWatch stores each span as one structured log event in the `aws/spans` log group, in the
OpenTelemetry semantic-convention format: `traceId`, `spanId`, `parentSpanId`, `name`, `kind`
(`CLIENT`, ...), `startTimeUnixNano`, `endTimeUnixNano`, `durationNano`, `attributes` and
`resource.attributes` as flat objects, `scope`, `status.code` (`ERROR`, `OK`, `UNSET`), `events`.
Exported rows may wrap it: the event's text as `@message` (a Logs Insights export) or the span as
`raw_otel_json` (text or object); the wrapper is unwrapped. One record per line, a JSON array, or
`{"events": [...]}` / `{"results": [...]}`. An X-Ray trace id (`1-5f84c7a1-...`) is read as the
W3C id it encodes.
"""

from __future__ import annotations

import json
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
    read_time,
    status,
)

_WRAPS = ("raw_otel_json", "@message", "message")
_KINDS = {"internal", "server", "client", "producer", "consumer"}


def _unwrap(rec: Any) -> Any:
    """The span object inside an exported row (raw_otel_json / @message), else the record itself."""
    if not isinstance(rec, Mapping) or "spanId" in rec:
        return rec
    for key in _WRAPS:
        inner = rec.get(key)
        if isinstance(inner, str) and inner.lstrip().startswith("{"):
            try:
                inner = json.loads(inner)
            except ValueError:
                continue
        if isinstance(inner, Mapping) and "spanId" in inner:
            return inner
    return rec


def looks_like_aws_span(rec: Any) -> bool:
    """An aws/spans record: a span with flat attributes and durationNano, or a row wrapping one."""
    sp = _unwrap(rec)
    return (
        isinstance(sp, Mapping)
        and "traceId" in sp
        and "spanId" in sp
        and ("durationNano" in sp or sp is not rec)
        and not isinstance(sp.get("attributes"), list)
    )


def _records(doc: Any) -> list[Any]:
    if isinstance(doc, Mapping):
        for key in ("events", "results"):
            if isinstance(doc.get(key), list):
                return list(doc[key])
    return list(doc) if isinstance(doc, list) else [doc]


def _trace_id(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("1-") and value.count("-") == 2:
        value = value[2:].replace("-", "")  # X-Ray: 1-<8 hex time>-<24 hex>
    return norm_id(value, 16)


def _span(row: int, rec: Any) -> Span | str:
    if not looks_like_aws_span(rec):
        return "not a CloudWatch aws/spans record (no traceId, spanId and durationNano)"
    sp = _unwrap(rec)
    try:
        trace_id = _trace_id(sp.get("traceId"))
        span_id = norm_id(sp.get("spanId"), 8)
        parent_id = norm_id(sp.get("parentSpanId"), 8)
    except ValueError as exc:
        return f"id: {exc}"
    start, raw_start = read_time(sp.get("startTimeUnixNano"))
    end, _ = read_time(sp.get("endTimeUnixNano"))
    duration = sp.get("durationNano")
    if end is None and start is not None and isinstance(duration, int) and not isinstance(duration, bool):
        end = start + duration
    st = sp.get("status") if isinstance(sp.get("status"), Mapping) else {}
    res = sp.get("resource") if isinstance(sp.get("resource"), Mapping) else {}
    scope = sp.get("scope") if isinstance(sp.get("scope"), Mapping) else {}
    events = []
    for e in as_list(sp.get("events")):
        if isinstance(e, Mapping):
            t, _ = read_time(e.get("timeUnixNano"))
            events.append((str(e.get("name", "")), attributes(e.get("attributes") or {}), t))
    kind = str(sp.get("kind", "")).lower().removeprefix("span_kind_")
    attrs = sp.get("attributes")
    return Span(
        row=row,
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent_id,
        name=str(sp.get("name") or ""),
        start_ns=start,
        end_ns=end,
        status=status(st.get("code", 0)),
        status_message=st.get("message"),
        attributes=attributes(attrs) if isinstance(attrs, (Mapping, list)) else {},
        resource=attributes(res.get("attributes") or {}),
        events=events,
        raw_start=raw_start,
        kind=kind if kind in _KINDS else None,
        scope=str(scope["name"]) if scope.get("name") else None,
    )


def parse_cloudwatch(path: Path, notes: list[str] | None = None) -> Iterator[Span]:
    """Spans of CloudWatch aws/spans records (see the module docstring for the shapes)."""
    return read_records(
        path, _records, _span, "not CloudWatch aws/spans records: no record with a traceId, spanId and durationNano"
    )


FORMAT = TraceFormat(
    "cloudwatch-spans",
    "CloudWatch aws/spans records",
    parse=parse_cloudwatch,
    head=lambda head: '"traceId"' in head and ('"durationNano"' in head or '"raw_otel_json"' in head),
    record=looks_like_aws_span,
)
