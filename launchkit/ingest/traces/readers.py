"""The trace formats' readers, and telling a trace file's format from its content.

Each trace format is one record (a TraceFormat, its module's FORMAT; launchkit.ingest.formats lists
them in the order they are told apart). Each reader parses the file in Python as a stream, maps it to raw contract rows and writes them out
a batch at a time (launchkit.ingest.traces.buffer bounds the memory), staged as temp views over the
batch files (launchkit.ingest.traces.stage); a large span file is mapped by worker processes, a share
of its traces each (launchkit.ingest.traces.workers);
the loader then validates, rejects, dedupes and merges them with the manifest, exactly as for CSV
files. The closed list of formats is launchkit.ingest.formats.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import duckdb

from launchkit.config import Config
from launchkit.errors import InputFileError
from launchkit.ingest.result import Staged
from launchkit.ingest.traces import workers
from launchkit.ingest.traces.mapping import identity_names, map_spans
from launchkit.ingest.traces.spans import Span, TraceFormat, documents
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


def _mapped_reader(fmt: TraceFormat) -> Reader:
    def read(con: duckdb.DuckDBPyConnection, path: Path, config: Config) -> Staged:
        assert fmt.mapped is not None
        args = (Path(path), config, con) if fmt.reads_warehouse else (Path(path), config)
        return stage(con, fmt.mapped(*args), fmt.name)

    read.__doc__ = f"Read {fmt.about} into staged contract rows."
    return read


def _refusing_reader(fmt: TraceFormat) -> Reader:
    def read(con: duckdb.DuckDBPyConnection, path: Path, config: Config) -> Staged:
        raise InputFileError(str(path), f"looks like {fmt.about}: {fmt.refuse}")

    return read


def reader(fmt: TraceFormat) -> Reader:
    """The reader of a trace format: a span format's parser mapped, a mapped format staged, or a refusal."""
    if fmt.refuse is not None:
        return _refusing_reader(fmt)
    if fmt.mapped is not None:
        return _mapped_reader(fmt)
    assert fmt.parse is not None, fmt.name
    return _span_reader(fmt.parse, fmt.name, takes_share=fmt.takes_share)


def detect(path: Path, formats: Sequence[TraceFormat]) -> str | None:
    """The trace format of a JSON file by its content: the first of `formats` (in the order of
    launchkit.ingest.formats.TABLE) that says so, or None. Never raises."""
    try:
        with Path(path).open("rb") as f:
            head = f.read(_HEAD_BYTES).decode("utf-8", errors="replace")
        size = Path(path).stat().st_size
    except OSError:
        return None
    stripped = head.lstrip("\ufeff \t\r\n")
    if not stripped.startswith(("{", "[")):
        return None
    for fmt in formats:
        if fmt.head(head):
            return fmt.name
    if size > _FULL_PARSE_MAX:
        return None
    try:
        docs = list(itertools.islice((d for _, d, err in documents(Path(path)) if err is None), 50))
    except (OSError, InputFileError, RecursionError):
        return None
    if not docs:
        return None
    records = [r for d in docs for r in (d if isinstance(d, list) else [d])][:50]
    for fmt in formats:
        if (len(docs) == 1 and fmt.document(docs[0])) or any(fmt.record(r) for r in records):
            return fmt.name
    return None
