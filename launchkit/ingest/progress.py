"""How far a load has got, told to a callback: the library never prints (the CLI shows a bar on a terminal).

`ingest(..., progress=fn)` calls `fn(IngestProgress)` once before the first file, before each file
(its `current`) and after each (files, bytes and rows done so far), and once at the end (`current`
None). Bytes are the files' sizes, known before any is read, so a bar over bytes moves evenly with
the work whatever the files' formats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class IngestProgress:
    """Files, bytes and rows done so far of a load, and the file being loaded (None: not in a file)."""

    files_total: int
    bytes_total: int
    files_done: int = 0
    bytes_done: int = 0
    rows_read: int = 0
    current: str | None = None


ProgressFn = Callable[[IngestProgress], None]
