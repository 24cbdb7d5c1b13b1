"""OpenTelemetry SDK span JSON: ReadableSpan.to_json(), the ConsoleSpanExporter, any-agent's {"spans": [...]}."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from launchkit.errors import InputFileError
from launchkit.ingest.traces.spans import (
    Parsed,
    Span,
    attributes,
    json_documents,
    norm_id,
    raw_json,
    read_text,
    read_time,
    status,
)


def _is_sdk_span(obj: Any) -> bool:
    return (
        isinstance(obj, Mapping) and isinstance(obj.get("context"), Mapping) and ("start_time" in obj or "name" in obj)
    )


def parse_sdk_json(path: Path, text: str | None = None) -> Parsed:
    """Spans of SDK span JSON: one span, a list of spans, {"spans": [...]}, or concatenated span documents."""
    text = read_text(path) if text is None else text
    spans: list[Span] = []
    rejects: list[tuple[int, str | None, str, str]] = []
    notes: list[str] = []
    row = 0
    found = False
    for _line, doc, err in json_documents(text):
        if err:
            row += 1
            rejects.append((row, None, err, ""))
            continue
        if isinstance(doc, Mapping) and isinstance(doc.get("spans"), list):
            items = doc["spans"]
            extra = sorted(k for k in doc if k != "spans")
            if extra:
                notes.append(f"top-level keys besides 'spans' not read: {', '.join(extra)}")
        elif isinstance(doc, list):
            items = doc
        else:
            items = [doc]
        for sp in items:
            row += 1
            if not _is_sdk_span(sp):
                rejects.append((row, None, "not an OpenTelemetry SDK span (no context)", raw_json(sp)))
                continue
            found = True
            spans.append(_sdk_span(row, sp))
    if not found and not rejects:
        raise InputFileError(str(path), "not OpenTelemetry SDK span JSON: no spans found")
    if not found:
        raise InputFileError(str(path), f"not OpenTelemetry SDK span JSON: {rejects[0][2]}")
    return spans, rejects, notes


def _sdk_span(row: int, sp: Mapping[str, Any]) -> Span:
    ctx = sp.get("context") or {}
    problem = None
    try:
        trace_id = norm_id(ctx.get("trace_id"), 16)
        span_id = norm_id(ctx.get("span_id"), 8)
    except ValueError as exc:
        trace_id = span_id = None
        problem = f"context: {exc}"
    parent_id = None
    parent = sp.get("parent")
    parent_raw = parent.get("span_id") if isinstance(parent, Mapping) else sp.get("parent_id")
    try:
        parent_id = norm_id(parent_raw, 8)
    except ValueError as exc:
        problem = problem or f"parent: {exc}"
    start, raw_start = read_time(sp.get("start_time"))
    end, _ = read_time(sp.get("end_time"))
    st = sp.get("status") or {}
    code = st.get("status_code") if isinstance(st, Mapping) else None
    res = sp.get("resource") or {}
    resource = res.get("attributes", res) if isinstance(res, Mapping) else {}
    events = []
    for e in sp.get("events") or []:
        if isinstance(e, Mapping):
            events.append((str(e.get("name", "")), dict(e.get("attributes") or {})))
    attrs = sp.get("attributes") or {}
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
        problem=problem,
        raw=raw_json(sp),
    )
