"""OTLP inside another document: a Grafana Tempo trace (`{"batches": [ResourceSpans ...]}` from its
API or UI download, `{"trace": {"resourceSpans": [...]}}` from its v2 API) and Jaeger's v3 API
(`{"result": {"resourceSpans": [...]}}`). The spans are OTLP/JSON (ids often base64, kinds by
name), read as launchkit.ingest.traces.otlp reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.ingest.traces.otlp import otlp_span, resource_spans
from launchkit.ingest.traces.spans import DOCUMENT, Span, TraceFormat, read_records

# where each wrapper keeps its ResourceSpans: key -> the key below it holding the list (None: the list itself)
_WRAPPERS: dict[str, str | None] = {"batches": None, "trace": "resourceSpans", "result": "resourceSpans"}


def _resource_spans(doc: Any) -> Any:
    """The ResourceSpans list a wrapped document holds, else None."""
    if not isinstance(doc, Mapping):
        return None
    for key, inner in _WRAPPERS.items():
        value = doc.get(key)
        if inner is None and isinstance(value, list):
            return value
        if inner is not None and isinstance(value, Mapping) and isinstance(value.get(inner), list):
            return value[inner]
    return None


def looks_like_wrapped_otlp(doc: Any) -> bool:
    """A Tempo / Jaeger v3 document: OTLP ResourceSpans under batches, trace or result."""
    found = _resource_spans(doc)
    keys = ("scopeSpans", "instrumentationLibrarySpans", "resource")
    return bool(found) and all(isinstance(rs, Mapping) and any(k in rs for k in keys) for rs in found[:3])


def _records(doc: Any) -> Iterator[Any]:
    for one in doc if isinstance(doc, list) else [doc]:
        found = _resource_spans(one)
        if found is None:
            yield one
            continue
        yield DOCUMENT
        yield from resource_spans(found)


def _span(row: int, rec: Any) -> Span | str:
    if type(rec) is not tuple:
        return "not a Tempo trace (no batches of OTLP resource spans)"
    sp, resource, scope = rec
    return otlp_span(row, sp, resource, scope)


def parse_tempo(path: Path, notes: list[str] | None = None) -> Iterator[Span]:
    """Spans of a Tempo (or Jaeger v3 API) trace download."""
    return read_records(path, _records, _span, "not a Tempo trace: no batches of OTLP resource spans")


# the document opens with the wrapper (a wrapper further down is found once the file is parsed)
_HEAD = re.compile(r'^\[?\s*\{\s*"(?:batches"\s*:\s*\[|(?:trace|result)"\s*:\s*\{\s*"resourceSpans")')

FORMAT = TraceFormat(
    "tempo",
    "a Grafana Tempo trace export (OTLP inside batches)",
    parse=parse_tempo,
    head=lambda head: _HEAD.match(head.lstrip("\ufeff \t\r\n")) is not None,
    document=looks_like_wrapped_otlp,
)
