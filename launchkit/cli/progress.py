"""Progress bars for long commands on a terminal (tqdm); nothing at all when the output is not one.

`launchkit ingest` (and `demo`) shows one bar over the bytes of the files to load, with files and
rows done and the file being loaded; inside a large file, DuckDB's own estimate of the running
step (`query_progress`, polled from a thread: the step's percent, e.g. "turns_big.csv 46 %").
`launchkit run all` (and `demo`) shows one bar over the reports. When stderr is not a terminal (cron,
a pipe, a CI log) nothing is drawn: the command's lines are the same as without progress, with no
carriage returns or escape codes in a log. The library only calls back (launchkit.ingest.progress,
launchkit.reports.run.execute.run_all); this module draws.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from launchkit.ingest.progress import IngestProgress

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


class IngestBar:
    """The ingest callback: a bar over bytes with files, rows and the current file (terminal only).

    `poll` returns the running query's progress in percent (-1: none), e.g. a connection's
    `query_progress`; while the bar is open a thread asks it every POLL_S seconds (`tick`).
    """

    def __init__(
        self, stream: IO[str] | None = None, poll: Callable[[], float] | None = None, enabled: bool | None = None
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.poll = poll
        self.bar: Any = None
        self.state: IngestProgress | None = None
        self.step: float | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, p: IngestProgress) -> None:
        if not self.enabled:
            return
        with self._lock:
            if self.bar is None:
                self.bar = _bar(p.bytes_total, "B", self.stream, unit_scale=True, unit_divisor=1024, desc="ingest")
            done = p.bytes_done - (self.state.bytes_done if self.state else 0)
            self.state = p
            self.step = None
            if done:
                self.bar.update(done)
            self._show()

    def postfix(self) -> str:
        """What the bar says beside the count: "3/120 files, 1,234 rows, turns_big.csv 46 %"."""
        p = self.state
        if p is None:
            return ""
        text = f"{p.files_done}/{p.files_total} files, {p.rows_read:,} rows"
        if p.current is not None:
            text += f", {Path(p.current).name}"
            if self.step is not None:
                text += f" {self.step:.0f} %"
        return text

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

    def __enter__(self) -> IngestBar:
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


class ReportBar:
    """The reports callback of `run all`: a bar over the reports, naming the last one written (terminal only)."""

    def __init__(self, stream: IO[str] | None = None, enabled: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.bar: Any = None
        self._lock = threading.Lock()

    def __call__(self, done: int, total: int, kind: str, html: Path | None) -> None:
        if not self.enabled:
            return
        with self._lock:
            if self.bar is None:
                self.bar = _bar(total, "report", self.stream, desc="reports")
            self.bar.update(done - self.bar.n)
            if html is not None:
                self.bar.set_postfix_str(f"{kind} {html.stem}")

    def __enter__(self) -> ReportBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
