"""Opening the DuckDB warehouse: UTC, migrated by writers, version-checked by readers, one wait policy.

DuckDB lets one process write a database file, and any connection from another process keeps a
writer out; `connect` waits up to `wait_s` (the config's [hourly] lock_timeout_s for commands) for
the lock, backing off, then raises WarehouseBusy (a temporary failure: exit status 75 where a
scheduler may retry).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from launchkit.errors import OutputError, WarehouseBusy, WarehouseDamaged, WarehouseError
from launchkit.store.atomic import ensure_folder
from launchkit.store.migrate import expected_version, migrate, schema_version

# What DuckDB says when a database file cannot be read whole: truncated, a block failing its
# checksum, a header that is not DuckDB's.
_DAMAGE = ("corrupt", "checksum", "could not read enough bytes", "not a valid duckdb database")


def is_damage(exc: BaseException) -> bool:
    """Whether a DuckDB error says the database file is damaged (rather than busy, or a query's fault)."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and any(marker in text for marker in _DAMAGE)


def damaged(path: str | Path, exc: BaseException) -> WarehouseDamaged:
    """The one-line error for a damaged warehouse file: which file, DuckDB's first line, how to restore."""
    return WarehouseDamaged(str(path), str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used by another" in text


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    wait_s: float = 0.0,
    migrate_schema: bool = True,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse in UTC; a writer migrates it. Waits up to `wait_s` for another process's lock."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run 'launchkit ingest' or 'launchkit demo' first")
    if not read_only:
        try:
            ensure_folder(path.parent)
        except OutputError as exc:
            raise WarehouseError(f"warehouse {path}: {exc}") from None
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.Error as exc:
            if is_damage(exc):
                raise damaged(path, exc) from None
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open warehouse {path}: {str(exc).splitlines()[0]}") from None
            if time.monotonic() >= deadline:
                raise WarehouseBusy(str(path), wait_s) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    try:
        con.execute("SET TimeZone = 'UTC'")
        quiet_progress(con)
        if not read_only and migrate_schema:
            migrate(con)
        elif read_only:
            _check_version(con, path)
    except duckdb.Error as exc:
        con.close()
        if is_damage(exc):
            raise damaged(path, exc) from None
        raise
    return con


def _check_version(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    found = schema_version(con)
    expected = expected_version()
    if found != expected:
        con.close()
        if found == 0:
            raise WarehouseError(f"{path} is not a launchkit warehouse (no schema version)")
        raise WarehouseError(
            f"{path} has schema version {found}, this launchkit expects {expected}: "
            "run a writing command (e.g. 'launchkit ingest') to migrate it"
        )


def quiet_progress(con: duckdb.DuckDBPyConnection) -> None:
    """Track a query's progress (`con.query_progress()`, which the CLI polls to show a bar on a
    terminal) without DuckDB drawing its own bar on stdout: a long query would otherwise print one
    into a cron log, a pipe or a report notebook's output."""
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")


def connect_memory() -> duckdb.DuckDBPyConnection:
    """An in-memory, migrated warehouse: for tests and dry runs."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    migrate(con)
    return con
