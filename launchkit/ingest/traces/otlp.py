"""OTLP/JSON: the collector's file exporter (TracesData documents, one per line, or one document)."""

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


def parse_otlp(path: Path, text: str | None = None) -> Parsed:
    """Spans of an OTLP/JSON file (one TracesData document, or JSON Lines of them as the collector writes)."""
    text = read_text(path) if text is None else text
    spans: list[Span] = []
    rejects: list[tuple[int, str | None, str, str]] = []
    found = False
    row = 0
    for _line, doc, err in json_documents(text):
        if err:
            row += 1
            rejects.append((row, None, err, ""))
            continue
        for td in doc if isinstance(doc, list) else [doc]:
            if not isinstance(td, Mapping) or "resourceSpans" not in td:
                row += 1
                rejects.append((row, None, "not an OTLP TracesData object (no resourceSpans)", raw_json(td)))
                continue
            found = True
            for rs in td.get("resourceSpans") or []:
                if not isinstance(rs, Mapping):
                    continue
                resource = attributes((rs.get("resource") or {}).get("attributes"))
                scopes = rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []
                for ss in scopes:
                    if not isinstance(ss, Mapping):
                        continue
                    for sp in ss.get("spans") or []:
                        row += 1
                        spans.append(_otlp_span(row, sp, resource))
    if not found:
        raise InputFileError(str(path), "not OTLP/JSON: no resourceSpans found")
    return spans, rejects, []


def _otlp_span(row: int, sp: Any, resource: dict[str, Any]) -> Span:
    if not isinstance(sp, Mapping):
        return Span(row, None, None, None, "", None, None, problem="span is not a JSON object", raw=raw_json(sp))
    problem = None
    ids: list[str | None] = []
    for key, nbytes in (("traceId", 16), ("spanId", 8), ("parentSpanId", 8)):
        try:
            ids.append(norm_id(sp.get(key), nbytes))
        except ValueError as exc:
            ids.append(None)
            problem = problem or f"{key}: {exc}"
    start, raw_start = read_time(sp.get("startTimeUnixNano"))
    end, _ = read_time(sp.get("endTimeUnixNano"))
    st = sp.get("status") or {}
    events = [
        (str(e.get("name", "")), attributes(e.get("attributes")))
        for e in sp.get("events") or []
        if isinstance(e, Mapping)
    ]
    return Span(
        row=row,
        trace_id=ids[0],
        span_id=ids[1],
        parent_id=ids[2],
        name=str(sp.get("name") or ""),
        start_ns=start,
        end_ns=end,
        status=status(st.get("code", 0)) if isinstance(st, Mapping) else "unset",
        status_message=st.get("message") if isinstance(st, Mapping) else None,
        attributes=attributes(sp.get("attributes")),
        resource=resource,
        events=events,
        raw_start=raw_start,
        problem=problem,
        raw=raw_json(sp),
    )
