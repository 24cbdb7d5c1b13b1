"""Arize Phoenix span exports: one flat record per span, as Phoenix writes them.

Shapes read (each record a span):
- `px.Client().get_spans_dataframe()` saved with `df.to_json(orient="records", lines=True)`: top-level
  `name`, `span_kind`, `parent_id`, `start_time`, `end_time`, `status_code`, `status_message`,
  `events`, `context.span_id`, `context.trace_id`, and every attribute as a column
  `attributes.<dotted key>` (every record has every column, null where absent; integer token columns
  with nulls become floats, 1180.0; times are ISO strings, or epoch milliseconds with pandas'
  default date format);
- Phoenix's span JSON (`span_to_json`, the REST API's spans): `context: {trace_id, span_id}` (or
  top-level `trace_id` / `span_id`), `span_kind`, `attributes` as a flat or nested object, `events`
  with `timestamp`; one per line, a list, or `{"data": [...]}` (an API page).

`span_kind` (LLM, TOOL, CHAIN, AGENT, EMBEDDING, RETRIEVER, ...) is OpenInference's span kind at the
top level: it classifies the span as `openinference.span.kind` does. Ids that are not OpenTelemetry
hex (older Phoenix used UUIDs) are kept as written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.spans import (
    Span,
    TraceFormat,
    as_list,
    epoch_or_iso_ns,
    flatten,
    loose_id,
    missing,
    read_records,
    status,
)

_ATTR = "attributes."


def looks_like_phoenix(rec: Any) -> bool:
    """A Phoenix span record: a top-level span_kind and a span id (context.span_id, context, or span_id)."""
    return (
        isinstance(rec, Mapping)
        and "span_kind" in rec
        and ("context.span_id" in rec or isinstance(rec.get("context"), Mapping) or "span_id" in rec)
    )


def _records(doc: Any) -> list[Any]:
    if isinstance(doc, Mapping) and isinstance(doc.get("data"), list):
        return list(doc["data"])
    return list(doc) if isinstance(doc, list) else [doc]


def _attributes(rec: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    nested = rec.get("attributes")
    if isinstance(nested, Mapping):
        flatten("", nested, out)
    for k, v in rec.items():
        if k.startswith(_ATTR):
            flatten(k[len(_ATTR) :], v, out)
    kind = rec.get("span_kind")
    oik = semconv.ALIASES["openinference_kind"][0]
    if isinstance(kind, str) and kind.strip() and oik not in out:
        out[oik] = kind
    return out


def parse_phoenix(path: Path, notes: list[str] | None = None) -> Iterator[Span]:
    """Spans of a Phoenix span export (see the module docstring for the shapes)."""
    return read_records(
        path, _records, _span_or_problem, "not a Phoenix span export: no record with span_kind and a span id"
    )


def _span_or_problem(row: int, rec: Any) -> Span | str:
    return _span(row, rec) if looks_like_phoenix(rec) else "not a Phoenix span record (no span_kind and span id)"


def _span(row: int, rec: Mapping[str, Any]) -> Span:
    context = rec.get("context")
    ctx: Mapping[str, Any] = context if isinstance(context, Mapping) else {}
    trace_id = loose_id(rec.get("context.trace_id", ctx.get("trace_id", rec.get("trace_id"))), 16)
    span_id = loose_id(rec.get("context.span_id", ctx.get("span_id", rec.get("span_id"))), 8)
    parent_id = loose_id(rec.get("parent_id"), 8)
    start, raw_start = epoch_or_iso_ns(rec.get("start_time"))
    end, _ = epoch_or_iso_ns(rec.get("end_time"))
    events = []
    for e in as_list(rec.get("events")):
        if isinstance(e, Mapping):
            t, _ = epoch_or_iso_ns(e.get("timestamp"))
            attrs: dict[str, Any] = {}
            flatten("", e.get("attributes") or {}, attrs)
            events.append((str(e.get("name", "")), attrs, t))
    message = rec.get("status_message")
    return Span(
        row=row,
        trace_id=trace_id,
        span_id=span_id,
        parent_id=parent_id,
        name=str(rec.get("name") or ""),
        start_ns=start,
        end_ns=end,
        status=status(rec.get("status_code") or 0),
        status_message=None if missing(message) else str(message),
        attributes=_attributes(rec),
        events=events,
        raw_start=raw_start,
    )


FORMAT = TraceFormat(
    "phoenix",
    "an Arize Phoenix span export",
    parse=parse_phoenix,
    head=lambda head: (
        '"span_kind"' in head and ('"context.span_id"' in head or '"context"' in head or '"span_id"' in head)
    ),
    record=looks_like_phoenix,
)
