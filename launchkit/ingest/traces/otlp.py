"""OTLP/JSON: the collector's file exporter (TracesData documents, one per line, or one document).

The file is read as a stream of documents (launchkit.ingest.traces.spans.documents): spans are
produced one document at a time, so memory follows the largest document, not the file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.ingest.traces.share import Share
from launchkit.ingest.traces.spans import (
    DOCUMENT,
    Span,
    TraceFormat,
    attributes,
    norm_id,
    problem_span,
    read_records,
    read_time,
    status,
)

# OTLP span kinds: the proto enum as a number or its name.
KINDS: dict[Any, str] = {
    1: "internal",
    2: "server",
    3: "client",
    4: "producer",
    5: "consumer",
    "SPAN_KIND_INTERNAL": "internal",
    "SPAN_KIND_SERVER": "server",
    "SPAN_KIND_CLIENT": "client",
    "SPAN_KIND_PRODUCER": "producer",
    "SPAN_KIND_CONSUMER": "consumer",
}


def _kind(value: Any) -> str | None:
    return KINDS.get(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None


def parse_otlp(path: Path, notes: list[str] | None = None, share: Share | None = None) -> Iterator[Span]:
    """Spans of an OTLP/JSON file (one TracesData document, or JSON Lines of them as the collector writes).

    A line that is not JSON, or a document without resourceSpans, is a span with a problem (rejected
    with its reason); a file with no resourceSpans at all raises InputFileError. With `share`, the
    spans of traces another worker maps are skipped before they are built (records keep their
    numbers); the caller still filters what comes out by `share.owns`.
    """

    def span(row: int, rec: Any) -> Span | str | None:
        if type(rec) is not tuple:  # a document that is not TracesData (JSON gives no tuples)
            return "not an OTLP TracesData object (no resourceSpans)"
        sp, resource, scope = rec
        if share is not None and not share.owns(_trace_of(sp)):
            return None
        return otlp_span(row, sp, resource, scope)

    return read_records(path, _records, span, "not OTLP/JSON: no resourceSpans found")


def _records(doc: Any) -> Iterator[Any]:
    """(span, resource attributes, scope name) of each span of a document's TracesData objects; a
    document that is not one as itself (a pre-rejected record)."""
    for td in doc if isinstance(doc, list) else [doc]:
        if not isinstance(td, Mapping) or "resourceSpans" not in td:
            yield td
            continue
        yield DOCUMENT
        yield from resource_spans(td.get("resourceSpans"))


def resource_spans(items: Any) -> Iterator[tuple[Any, dict[str, Any], Any]]:
    """(span, resource attributes, scope name) of each span of a list of OTLP ResourceSpans."""
    for rs in items or []:
        if not isinstance(rs, Mapping):
            continue
        res = rs.get("resource")
        resource = attributes(res.get("attributes")) if isinstance(res, Mapping) else {}
        scopes = rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []
        for ss in scopes:
            if not isinstance(ss, Mapping):
                continue
            scope = ss.get("scope") or ss.get("instrumentationLibrary")
            scope_name = scope.get("name") if isinstance(scope, Mapping) else None
            for sp in ss.get("spans") or []:
                yield sp, resource, scope_name


def _trace_of(sp: Any) -> str | None:
    """The span's trace id as _otlp_span reads it (None when there is none or it cannot be read)."""
    try:
        return norm_id(sp.get("traceId"), 16) if type(sp) is dict or isinstance(sp, Mapping) else None
    except ValueError:
        return None


def otlp_span(row: int, sp: Any, resource: dict[str, Any], scope: Any) -> Span:
    # `type(x) is dict or isinstance(x, Mapping)`: the exact check first (the ABC check is slow)
    if not (type(sp) is dict or isinstance(sp, Mapping)):
        return problem_span(row, "span is not a JSON object", sp)
    get = sp.get
    problem = None
    ids: list[str | None] = []
    for key, nbytes in (("traceId", 16), ("spanId", 8), ("parentSpanId", 8)):
        try:
            ids.append(norm_id(get(key), nbytes))
        except ValueError as exc:
            ids.append(None)
            problem = problem or f"{key}: {exc}"
    if problem is not None:
        return problem_span(row, problem, sp, trace_id=ids[0])
    start, raw_start = read_time(get("startTimeUnixNano"))
    end, _ = read_time(get("endTimeUnixNano"))
    st = get("status") or {}
    st_map = type(st) is dict or isinstance(st, Mapping)
    events = []
    raw_events = get("events")
    if raw_events and type(raw_events) is list:
        for e in raw_events:
            if type(e) is dict or isinstance(e, Mapping):
                t, _ = read_time(e.get("timeUnixNano"))
                events.append((str(e.get("name", "")), attributes(e.get("attributes")), t))
    kind = get("kind")
    return Span(
        row,
        ids[0],
        ids[1],
        ids[2],
        str(get("name") or ""),
        start,
        end,
        status(st.get("code", 0)) if st_map else "unset",
        st.get("message") if st_map else None,
        attributes(get("attributes")),
        resource,
        events,
        raw_start,
        kind=KINDS.get(kind) if type(kind) is int or type(kind) is str else _kind(kind),
        scope=str(scope) if scope else None,
    )


FORMAT = TraceFormat(
    "otlp",
    "OTLP/JSON (the OpenTelemetry Collector's file exporter)",
    parse=parse_otlp,
    head=lambda head: '"resourceSpans"' in head,
    takes_share=True,
)
