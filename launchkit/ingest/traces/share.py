"""Which traces a worker maps when a large file is mapped by several processes (launchkit.ingest.traces.workers).

Everything launchkit decides about a span (is it a turn, what folds into what, which turn a tool
call belongs to) is decided within its trace. So a file's traces can be shared out: worker k of n
maps the traces whose id hashes to k (CRC-32 of the id, a hash that is the same in every process),
and the records that belong to no trace (a line that is not JSON, an unreadable trace id) go to
worker 0. Every record is mapped by exactly one worker.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Share:
    """Worker `index` of `count`."""

    index: int
    count: int

    def owns(self, trace_id: str | None) -> bool:
        """Whether this worker maps the records of trace `trace_id` (None: of no trace)."""
        if trace_id is None:
            return self.index == 0
        return zlib.crc32(trace_id.encode("utf-8", "surrogatepass")) % self.count == self.index
