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

from launchkit.ingest.traces.otlp import otlp_span
from launchkit.ingest.traces.spans import Span, TraceFormat, attributes, read_records

_WRAPS = ("raw_otel_json", "@message", "message")


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


def _as_otlp(sp: Mapping[str, Any]) -> dict[str, Any]:
    """The record as an OTLP/JSON span: the kind by its OTLP name, an X-Ray trace id (1-<8 hex>-<24
    hex>) as the W3C id it encodes, the end from durationNano when no end time is given."""
    out = dict(sp)
    kind = sp.get("kind")
    if isinstance(kind, str) and not kind.upper().startswith("SPAN_KIND_"):
        out["kind"] = "SPAN_KIND_" + kind.upper()
    trace = sp.get("traceId")
    if isinstance(trace, str) and trace.startswith("1-") and trace.count("-") == 2:
        out["traceId"] = trace[2:].replace("-", "")
    start, duration = sp.get("startTimeUnixNano"), sp.get("durationNano")
    if sp.get("endTimeUnixNano") is None and isinstance(start, int) and isinstance(duration, int):
        out["endTimeUnixNano"] = start + duration
    return out


def _span(row: int, rec: Any) -> Span | str:
    if not looks_like_aws_span(rec):
        return "not a CloudWatch aws/spans record (no traceId, spanId and durationNano)"
    sp = _unwrap(rec)
    res = sp.get("resource") if isinstance(sp.get("resource"), Mapping) else {}
    scope = sp.get("scope") if isinstance(sp.get("scope"), Mapping) else {}
    return otlp_span(row, _as_otlp(sp), attributes(res.get("attributes") or {}), scope.get("name"))


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
