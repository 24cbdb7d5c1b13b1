"""How far a long job has got, told to a callback: the one progress shape of the library.

A job (a load: `ingest(..., progress=fn)`; the reports: `run_all(..., progress=fn)`) calls `fn(Progress)`
before its first unit of work and as work gets done; it never prints. `done` of `total` in `unit` is
what a bar fills (the load counts bytes, known before any file is read, so the bar moves evenly
whatever the formats; the reports count reports), `counts` what it says beside (files 3/120, rows
1,234) and `current` what is being worked on or was just finished (a file; a report). The CLI draws
it on a terminal (launchkit.cli.progress).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Count:
    """A count shown beside the bar: '3/120 files' (with a total) or '1,234 rows'."""

    name: str
    done: int
    total: int | None = None

    def __str__(self) -> str:
        return f"{self.done:,}/{self.total:,} {self.name}" if self.total is not None else f"{self.done:,} {self.name}"


@dataclass(frozen=True)
class Progress:
    """`done` of `total` units (`unit`: 'B', 'report'), the counts beside them, and what is being worked on
    (a file's path, a report's label; None: nothing in particular)."""

    total: int
    done: int = 0
    unit: str = ""
    counts: tuple[Count, ...] = ()
    current: str | None = None

    def count(self, name: str) -> Count:
        """The count called `name` (KeyError when there is none)."""
        for c in self.counts:
            if c.name == name:
                return c
        raise KeyError(name)


ProgressFn = Callable[[Progress], None]
