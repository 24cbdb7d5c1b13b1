"""The writers' lock of a warehouse: every writer holds it shared, a restore holds it alone.

DuckDB keeps two processes from writing one database file at the same moment, but nothing keeps a
writer away from a file that a restore is about to replace: an `ingest` that opened the warehouse
while the restore rebuilt its copy wrote into the file then moved aside. So every writing connection
(`Warehouse.open` without read_only: ingest, decide, the hourly run, alerts, demo) holds a shared
lock on `<warehouse>.writers.lock` for as long as it is open (writers do not exclude each other here:
DuckDB does that), and a restore holds it exclusively from before it looks at the old file until
the new one is in place. A writer that finds a restore going waits up to its wait (the config's
[hourly] lock_timeout_s), then gives up with WarehouseBusy (exit status 75): nothing is written, and
the next attempt writes into the restored warehouse.

POSIX `flock` (the same on every thread and process, released by the kernel when a process dies).
On a system without it (Windows) the lock is a no-op: restore there must be run with the writers
stopped, as docs/operations.md says.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from launchkit.errors import WarehouseBusy, WarehouseError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".writers.lock"


def lock_path(warehouse: str | Path) -> Path:
    """The writers' lock file beside a warehouse: `<warehouse>.writers.lock`."""
    p = Path(warehouse)
    return p.with_name(p.name + SUFFIX)


class WritersLock:
    """A held shared (a writer) or exclusive (a restore) lock on a warehouse's writers' lock file."""

    def __init__(self, warehouse: str | Path, *, exclusive: bool = False) -> None:
        self.warehouse = Path(warehouse)
        self.path = lock_path(warehouse)
        self.exclusive = exclusive
        self._fd: int | None = None

    def acquire(self, wait_s: float = 0.0) -> WritersLock:
        """Take the lock, waiting up to `wait_s` seconds (backing off); else WarehouseBusy."""
        if fcntl is None or self._fd is not None:
            return self
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise WarehouseError(f"cannot open the writers' lock {self.path}: {exc.strerror or exc}") from None
        mode = (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + wait_s
        delay = 0.02
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WarehouseBusy(str(self.warehouse), wait_s) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let go of the lock (closing the descriptor releases it)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def __enter__(self) -> WritersLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
