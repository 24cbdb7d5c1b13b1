"""A bare attribute set: one span's attributes as a flat JSON object (as in instrumentation test fixtures)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.errors import InputFileError
from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.spans import Span, TraceFormat, attributes

NOTE = (
    "attribute set: wrapped as one span with content-derived ids; it carries no start time, so a "
    "turn or tool call from it is rejected (started_at missing) and no session is derived"
)


def looks_like_attribute_set(doc: Any) -> bool:
    """A flat JSON object whose keys are span attribute names (gen_ai.*, llm.*, ...), not a trace."""
    return (
        isinstance(doc, Mapping)
        and not {"resourceSpans", "spans", "context", "trace", "observations", "traceId", "span_kind"} & set(doc)
        and any(str(k).startswith(semconv.ATTRIBUTE_PREFIXES) for k in doc)
    )


def parse_attribute_set(path: Path, notes: list[str] | None = None) -> Iterator[Span]:
    """One span wrapped around the attributes; its ids derive from the content, and it has no times."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputFileError(str(path), "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(str(path), f"not valid JSON ({exc.msg})") from None
    if not looks_like_attribute_set(doc):
        raise InputFileError(str(path), "not a span attribute set (a flat object of gen_ai.* / llm.* attributes)")
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
    if notes is not None:
        notes.append(NOTE)
    yield Span(
        row=1,
        trace_id=digest[:32],
        span_id=digest[32:48],
        parent_id=None,
        name="",
        start_ns=None,
        end_ns=None,
        attributes=attributes(doc),
    )


FORMAT = TraceFormat(
    "span-attributes",
    "one span's attributes as a flat JSON object",
    parse=parse_attribute_set,
    document=looks_like_attribute_set,
)
