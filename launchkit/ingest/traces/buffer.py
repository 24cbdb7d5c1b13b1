"""Span facts grouped by trace, with memory bounded by a batch: beyond it they go to a temporary file.

The mapping needs a trace's spans together (folding, the trace's session, a tool's turn), and a
file may spread one trace over its whole length (a collector writes spans as they end). So facts
are kept in memory up to `limit` of them; past that, each batch is written to an anonymous
temporary file as one pickled chunk per trace, with an index of where each trace's chunks are. The
traces then come back in the order they were first seen, each with its facts in file order: exactly
what keeping them all in memory gives, without the memory. A file under one batch never touches
the disk.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from itertools import starmap
from typing import IO

from launchkit.ingest.traces.facts import SpanFacts, fact_values

# Facts held in memory before a batch is written out (a fact is a few hundred bytes).
BATCH_FACTS = 20_000


class TraceBuffer:
    """Collects span facts and gives them back trace by trace (first-seen order, file order within)."""

    def __init__(self, limit: int = BATCH_FACTS) -> None:
        self.limit = max(1, limit)
        self._mem: dict[str | None, list[SpanFacts]] = {}
        self._n = 0
        self._file: IO[bytes] | None = None
        self._pos = 0  # bytes written to the file
        # trace -> (offset, length, number added to the rows) of each of its chunks
        self._index: dict[str | None, list[tuple[int, int, int]]] = {}

    def add(self, fact: SpanFacts) -> None:
        """Keep one fact (facts with a problem are the caller's: they belong to no trace)."""
        group = self._mem.get(fact.trace)
        if group is None:
            self._mem[fact.trace] = [fact]
        else:
            group.append(fact)
        self._n += 1
        if self._n >= self.limit:
            self._spill()

    def _spill(self) -> None:
        self._write(pack_by_trace(self._mem), 0)
        self._mem = {}
        self._n = 0

    def _write(self, chunks: list[tuple[str | None, bytes]], row_offset: int) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="launchkit-spans-")  # noqa: SIM115 - closed in traces()
        pos, index = self._pos, self._index
        for trace, blob in chunks:
            index.setdefault(trace, []).append((pos, len(blob), row_offset))
            pos += len(blob)
        self._file.write(b"".join(blob for _, blob in chunks))
        self._pos = pos

    def traces(self) -> Iterator[tuple[str | None, list[SpanFacts]]]:
        """(trace id, its facts) for each trace, in the order traces were first seen; empties the buffer."""
        if self._file is None:
            mem, self._mem, self._n = self._mem, {}, 0
            for trace in list(mem):
                yield trace, mem.pop(trace)  # a mapped trace's facts are freed as the rows build up
            return
        self._spill()
        f, index = self._file, self._index
        self._file, self._index, self._pos = None, {}, 0
        try:
            for trace in list(index):
                facts: list[SpanFacts] = []
                for offset, length, row_offset in index.pop(trace):
                    f.seek(offset)
                    chunk = list(starmap(SpanFacts, pickle.loads(f.read(length))))
                    if row_offset:
                        for fact in chunk:
                            fact.row += row_offset
                    facts.extend(chunk)
                yield trace, facts
        finally:
            f.close()


def pack_by_trace(groups: dict[str | None, list[SpanFacts]]) -> list[tuple[str | None, bytes]]:
    """(trace, its facts pickled as value tuples) for each trace of `groups`, in its order."""
    return [
        (trace, pickle.dumps(list(map(fact_values, facts)), protocol=pickle.HIGHEST_PROTOCOL))
        for trace, facts in groups.items()
    ]
