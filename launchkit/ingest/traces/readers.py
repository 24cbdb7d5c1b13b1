"""The trace formats' readers, and telling a trace file's format from its content.

Formats: otlp (OTLP/JSON, the collector's file exporter), otel-json (OpenTelemetry Python SDK span
JSON), otel-js (OpenTelemetry JS SDK span JSON), phoenix (Arize Phoenix span exports), langfuse
(Langfuse trace export), span-attributes (one span's attributes, as in test fixtures).
Each reader parses the file in Python as a stream, maps it to raw contract rows and writes them out
a batch at a time (launchkit.ingest.traces.buffer bounds the memory), staged as temp views over the
batch files (launchkit.ingest.traces.stage); a large span file is mapped by worker processes, a share
of its traces each (launchkit.ingest.traces.workers);
the loader then validates, rejects, dedupes and merges them with the manifest, exactly as for CSV
files. The closed list of formats is launchkit.ingest.formats.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from launchkit.config import Config
from launchkit.errors import InputFileError
from launchkit.ingest.result import Staged
from launchkit.ingest.traces import attribute_set, langfuse, otel_js, otlp, phoenix, sdk_json, workers
from launchkit.ingest.traces.mapping import identity_names, map_spans
from launchkit.ingest.traces.spans import Span, documents
from launchkit.ingest.traces.stage import scratch_folder, stage, stage_rows

Reader = Callable[[duckdb.DuckDBPyConnection, Path, Config], Staged]

_HEAD_BYTES = 256 * 1024
_FULL_PARSE_MAX = 20 * 1024 * 1024


def _span_reader(parse: Callable[..., Iterator[Span]], fmt: str, *, takes_share: bool = False) -> Reader:
    def read(con: duckdb.DuckDBPyConnection, path: Path, config: Config) -> Staged:
        path = Path(path)
        scratch = scratch_folder()  # the row batches, until the merge
        n = workers.worker_count(config.ingest_workers)
        if n > 1 and path.stat().st_size >= workers.MIN_BYTES:
            # a large file: its traces mapped by worker processes, a share each
            mapped = workers.map_in_workers(
                parse, path, identity_names(config), n, scratch.name, takes_share=takes_share
            )
        else:
            notes: list[str] = []
            # rows are written out batch by batch as they are mapped, so memory follows a batch, not the file
            mapped = map_spans(parse(path, notes), config, flush=lambda m: stage_rows(m, scratch.name))
            mapped.notes.extend(dict.fromkeys(notes))  # once each, in order
        return stage(con, mapped, fmt, scratch)

    read.__doc__ = f"Read a {fmt} file into staged contract rows."
    return read


def read_langfuse(con: duckdb.DuckDBPyConnection, path: Path, config: Config) -> Staged:
    """Read a Langfuse trace export into staged contract rows."""
    return stage(con, langfuse.parse_export(Path(path), config), "langfuse")


READERS: dict[str, Reader] = {
    "otlp": _span_reader(otlp.parse_otlp, "otlp", takes_share=True),
    "otel-json": _span_reader(sdk_json.parse_sdk_json, "otel-json"),
    "otel-js": _span_reader(otel_js.parse_js, "otel-js"),
    "phoenix": _span_reader(phoenix.parse_phoenix, "phoenix"),
    "langfuse": read_langfuse,
    "span-attributes": _span_reader(attribute_set.parse_attribute_set, "span-attributes"),
}


def detect(path: Path) -> str | None:
    """The trace format of a JSON file by its content, or None. Never raises."""
    try:
        with Path(path).open("rb") as f:
            head = f.read(_HEAD_BYTES).decode("utf-8", errors="replace")
        size = Path(path).stat().st_size
    except OSError:
        return None
    stripped = head.lstrip("\ufeff \t\r\n")
    if not stripped.startswith(("{", "[")):
        return None
    if '"resourceSpans"' in head:
        return "otlp"
    if '"observations"' in head and ('"projectId"' in head or '"trace"' in head or '"sessionId"' in head):
        return "langfuse"
    if '"span_kind"' in head and ('"context.span_id"' in head or '"context"' in head or '"span_id"' in head):
        return "phoenix"
    if '"context"' in head and ('"span_id"' in head or '"trace_id"' in head):
        return "otel-json"
    if '"traceId"' in head and (
        '"_spanContext"' in head
        or '"spanContext"' in head
        or ('"spanId"' in head and '"type"' not in head)
        or ('"id"' in head and '"timestamp"' in head and '"duration"' in head)
    ):
        return "otel-js"
    if size > _FULL_PARSE_MAX:
        return None
    try:
        docs = list(itertools.islice((d for _, d, err in documents(Path(path)) if err is None), 50))
    except (OSError, InputFileError, RecursionError):
        return None
    if not docs:
        return None
    doc = docs[0]
    if len(docs) == 1 and langfuse.looks_like_export(doc):
        return "langfuse"
    records = [r for d in docs for r in (d if isinstance(d, list) else [d])][:50]
    if any(phoenix.looks_like_phoenix(r) for r in records):
        return "phoenix"
    if any(otel_js.looks_like_js_span(r) for r in records):
        return "otel-js"
    if len(docs) == 1 and attribute_set.looks_like_attribute_set(doc):
        return "span-attributes"
    return None
