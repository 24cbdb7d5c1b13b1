"""Progress bars for long commands on a terminal (tqdm); nothing at all when the output is not one.

`launchkit ingest` (and `demo`) shows one bar over the bytes of the files to load, with files and
rows done and the file being loaded; inside a large file, DuckDB's own estimate of the running
step (`query_progress`, polled from a thread: the step's percent, e.g. "turns_big.csv 46 %").
`launchkit run all` (and `demo`) shows one bar over the reports. When stderr is not a terminal (cron,
a pipe, a CI log) nothing is drawn: the command's lines are the same as without progress, with no
carriage returns or escape codes in a log. The library only calls back, in one shape
(launchkit.progress); this module draws it.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from launchkit.progress import Progress

POLL_S = 0.25  # how often the bar asks DuckDB how far the running step is
DEFAULT_COLUMNS, DEFAULT_ROWS = 80, 24  # the screen's size on a terminal that reports none


def is_terminal(stream: IO[str]) -> bool:
    """Whether a stream is an interactive terminal (a bar would be drawn there)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a file
        return False


def _width(stream: IO[str]) -> int | None:
    """The terminal's width in columns; None when it reports none (an unsized pseudo-terminal says 0 x 0)."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or None
    except (AttributeError, OSError, ValueError):
        return None


def _bar(total: int, unit: str, stream: IO[str], **kw: Any) -> Any:
    from tqdm import tqdm

    # follow the window's size; a terminal that reports 0 x 0 would get no bar at all (tqdm hides a bar
    # below the screen's last row): 80 x 24
    width = {"dynamic_ncols": True} if _width(stream) else {"ncols": DEFAULT_COLUMNS, "nrows": DEFAULT_ROWS}
    return tqdm(total=total, unit=unit, file=stream, leave=False, **width, **kw)


class Bar:
    """A progress callback (launchkit.progress) that draws a bar on a terminal: done of total, the counts
    beside it and the name of what is being worked on; nothing at all elsewhere.

    `poll` returns the running query's progress in percent (-1: none), e.g. a connection's
    `query_progress`; while the bar is open a thread asks it every POLL_S seconds (`tick`) and shows it
    after the current file's name.
    """

    def __init__(
        self,
        desc: str,
        stream: IO[str] | None = None,
        poll: Callable[[], float] | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.desc = desc
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.poll = poll
        self.bar: Any = None
        self.state: Progress | None = None
        self.step: float | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        with self._lock:
            if self.bar is None:
                scaled = {"unit_scale": True, "unit_divisor": 1024} if p.unit == "B" else {}
                self.bar = _bar(p.total, p.unit, self.stream, desc=self.desc, **scaled)
            self.state = p
            self.step = None
            if p.done != self.bar.n:
                self.bar.update(p.done - self.bar.n)
            self._show()

    def postfix(self) -> str:
        """What the bar says beside the count: "3/120 files, 1,234 rows, turns_big.csv 46 %"."""
        p = self.state
        if p is None:
            return ""
        bits = [str(c) for c in p.counts]
        if p.current is not None:
            bits.append(Path(p.current).name + (f" {self.step:.0f} %" if self.step is not None else ""))
        return ", ".join(bits)

    def _show(self) -> None:
        self.bar.set_postfix_str(self.postfix())

    def tick(self) -> None:
        """Ask DuckDB how far the running step is and show it (called by the thread, or a test)."""
        if not self.enabled or self.poll is None or self.bar is None:
            return
        try:
            pct = float(self.poll())
        except Exception:  # a connection closing under the thread: nothing to show
            return
        with self._lock:
            self.step = pct if pct >= 0 else None
            self._show()

    def _run(self) -> None:
        while not self._stop.wait(POLL_S):
            self.tick()

    def __enter__(self) -> Bar:
        if self.enabled and self.poll is not None:
            self._thread = threading.Thread(target=self._run, name="launchkit-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.bar is not None:
            self.bar.close()
