"""The load manifest (`loads`) and the rejects table: what each load read, loaded and refused, and why."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import duckdb

from launchkit import __version__
from launchkit.errors import ConfigError
from launchkit.ingest.result import FileResult
from launchkit.store.sql import string_literal
from launchkit.store.warehouse import execute


def _count(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object]) -> int:
    return int(execute(con, name, params).fetchall()[0][0])


def record(con: duckdb.DuckDBPyConnection, r: FileResult, digest: str, status: str) -> None:
    """The manifest row of one load."""
    execute(
        con,
        "ingest/record_load",
        {
            "load_id": r.load_id,
            "path": r.file,
            "content_hash": digest,
            "table_name": r.table,
            "format": r.format,
            "status": status,
            "rows_read": r.rows_read,
            "loaded": r.loaded,
            "updated": r.updated,
            "duplicates": r.duplicates,
            "rejected": r.rejected,
            "ignored": r.ignored,
            "ignored_by_reason": json.dumps(r.ignored_by_reason, sort_keys=True) if r.ignored_by_reason else None,
            "warnings": json.dumps(r.warnings) if r.warnings else None,
            "error": r.error,
            "launchkit_version": __version__,
        },
    ).fetchall()


def reject(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    path: str,
    table: str,
    row: int,
    column: str | None,
    reason: str,
    raw: str | None,
) -> None:
    """One rejected record, with its reason."""
    execute(
        con,
        "ingest/record_reject",
        {
            "load_id": load_id,
            "path": path,
            "table_name": table,
            "row_number": row,
            "column_name": column,
            "reason": reason,
            "raw": raw,
        },
    ).fetchall()


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(execute(con, "ingest/next_load_id").fetchall()[0][0])


def path_loaded_before(con: duckdb.DuckDBPyConnection, path: str) -> bool:
    return _count(con, "ingest/path_loaded_before", {"path": path}) > 0


def already_loaded(con: duckdb.DuckDBPyConnection, digest: str, table: str | None, *, besides: int = -1) -> bool:
    """Whether this content was loaded before (into `table`, when given) by another load."""
    return _count(con, "ingest/content_loaded", {"content_hash": digest, "table_name": table, "besides": besides}) > 0


def failure_recorded(con: duckdb.DuckDBPyConnection, path: str, digest: str, error: str) -> bool:
    return _count(con, "ingest/failure_recorded", {"path": path, "content_hash": digest, "error": error}) > 0


def now() -> datetime:
    """The clock a load judges times by (one place, so a test can step it)."""
    return datetime.now(UTC)


def set_window(
    con: duckdb.DuckDBPyConnection,
    earliest: date,
    max_future_hours: float,
    now: datetime,
    max_cost: float | None = None,
) -> None:
    """The plausibility window of this load: [earliest, now + max_future_hours] (UTC), and its cost cap."""
    first = datetime(earliest.year, earliest.month, earliest.day, tzinfo=UTC)
    try:
        latest = now.astimezone(UTC) + timedelta(hours=max_future_hours)
    except OverflowError:
        latest = datetime.max.replace(tzinfo=UTC)
    execute(
        con,
        "ingest/set_window",
        {"earliest": first, "latest": latest, "first_day": earliest, "last_day": latest.date(), "max_cost": max_cost},
    ).fetchall()


def set_zone(con: duckdb.DuckDBPyConnection, zone: str) -> None:
    """Session zone for timestamps without an offset; `zone` must be a zone DuckDB knows (allow-list)."""
    if not _count(con, "ingest/known_zone", {"zone": zone}):
        raise ConfigError("ingest.timezone", f"unknown time zone {zone!r}")
    con.execute(f"SET TimeZone = {string_literal(zone)}")
