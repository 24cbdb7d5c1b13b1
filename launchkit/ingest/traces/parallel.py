"""A large OTLP/JSON file's span facts read by worker processes, part by part, given back in file order.

Reading a span (JSON, the span model, the alias table) is most of an import's time and is the same
for every span, so a large file is cut into parts of whole lines; worker processes read the parts
(launchkit.ingest.traces.otlp.otlp_spans and FactReader, the code the serial reading uses) while this
process maps and stages what comes back, in order. Records are numbered on across parts and lines
keep their numbers in the file, so rows, rejects and their messages are those of the serial reading.

A part that ends inside a document (a pretty-printed document cut by the part's end) stops the
parallel reading there: the rest of the file, from that document's first line, is read serially.
At most 2 x workers parts are in flight, so memory stays bounded by the parts, not the file.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain
from pathlib import Path
from typing import IO, Any

from launchkit.errors import InputFileError
from launchkit.ingest.traces.buffer import TraceBuffer, pack_by_trace
from launchkit.ingest.traces.facts import FactReader, SpanFacts, fact_values
from launchkit.ingest.traces.mapping import collect
from launchkit.ingest.traces.otlp import Progress, otlp_spans, parse_otlp
from launchkit.ingest.traces.spans import Mapped, Unfinished, document_lines

# Files smaller than this are read in this process (starting the workers costs about a second).
PARALLEL_MIN_BYTES = 24 * 2**20
# Characters of whole lines per part.
PART_CHARS = 2 * 2**20
MAX_WORKERS = 4

# records, any TracesData seen, problem facts' values, the other facts packed by trace, and where
# a document left unfinished at the part's end starts (its line and text)
PartResult = tuple[int, bool, list[tuple[Any, ...]], list[tuple[str | None, bytes]], "tuple[int, str] | None"]


def workers() -> int:
    """Worker processes to use: the CPUs this process may run on (at most MAX_WORKERS); 0 where
    processes cannot be forked (a spawned worker would re-run the caller's main script)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return min(n, MAX_WORKERS)


def read_otlp_into(path: Path, reader: FactReader, out: Mapped, buffer: TraceBuffer) -> None:
    """Read an OTLP file's spans into `buffer` (and records and rejects into `out`), exactly as
    launchkit.ingest.traces.mapping.collect over `reader.facts` of parse_otlp(path) does."""
    n = workers()
    if n < 2 or Path(path).stat().st_size < PARALLEL_MIN_BYTES:
        collect((reader.facts(span) for span in parse_otlp(Path(path))), out, buffer)
        return
    state = Progress()
    names = (reader.user_names, reader.tenant_names)
    # fork: a worker starts at once with the code loaded, and runs only this module's pure Python
    # (never the DuckDB connection of this process)
    ctx = multiprocessing.get_context("fork")
    try:
        with Path(path).open("r", encoding="utf-8-sig", newline="") as f, ProcessPoolExecutor(n, ctx) as pool:
            parts = _parts(f)
            flight: deque[tuple[Future[PartResult], int, list[str]]] = deque()

            def submit() -> None:
                part = next(parts, None)
                if part is not None:
                    flight.append((pool.submit(read_part, part[0], part[1], names), part[0], part[1]))

            for _ in range(2 * n):
                submit()
            while flight:
                future, first_line, lines = flight.popleft()
                rows, found, problems, packed, unfinished = future.result()
                offset = state.rows
                for values in problems:
                    fact = SpanFacts(*values)
                    out.pre_rejects.append((fact.row + offset, None, fact.problem or "", fact.raw))
                buffer.add_packed(packed, offset)
                out.records += rows
                state.rows += rows
                state.found = state.found or found
                if unfinished is not None:
                    # the rest is read here, from the first line of the unfinished document on
                    line, head = unfinished
                    later = []
                    for fut, _, part_lines in flight:
                        fut.cancel()
                        later.append(part_lines)
                    flight.clear()
                    tail = chain([head], lines[line - first_line + 1 :], *later, f)
                    collect((reader.facts(span) for span in otlp_spans(document_lines(tail, line), state)), out, buffer)
                    break
                submit()
    except UnicodeDecodeError:
        raise InputFileError(str(path), "not UTF-8 text") from None
    if not state.found:
        raise InputFileError(str(path), "not OTLP/JSON: no resourceSpans found")


def _parts(f: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """(number of the first line, lines) of about PART_CHARS characters each."""
    first = 1
    while True:
        lines = f.readlines(PART_CHARS)
        if not lines:
            return
        yield first, lines
        first += len(lines)


def read_part(first_line: int, lines: list[str], names: tuple[tuple[str, ...], tuple[str, ...]]) -> PartResult:
    """In a worker: the facts of a part's spans (rows numbered from 1), packed by trace (PartResult)."""
    reader = FactReader(*names)
    state = Progress()
    problems: list[tuple[Any, ...]] = []
    groups: dict[str | None, list[SpanFacts]] = {}
    unfinished = None
    try:
        for span in otlp_spans(document_lines(lines, first_line, final=False), state):
            fact = reader.facts(span)
            if fact.problem is not None:
                problems.append(fact_values(fact))
            else:
                group = groups.get(fact.trace)
                if group is None:
                    groups[fact.trace] = [fact]
                else:
                    group.append(fact)
    except Unfinished as exc:
        unfinished = (exc.line, exc.head)
    return state.rows, state.found, problems, pack_by_trace(groups), unfinished
