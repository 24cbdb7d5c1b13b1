"""Staging mapped trace rows as temp tables, so the loader validates and merges them like a CSV file.

Counting: every span / observation / score read is one record, and
records = turn rows + tool-call rows + feedback rows + ignored + rejected before staging. Sessions
are derived, not read: the sessions manifest row counts distinct sessions (see docs/telemetry.md).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import msgspec

from launchkit.contract import TABLES
from launchkit.errors import CountsError
from launchkit.ingest.result import Staged
from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.spans import Mapped, iso_to_ns, ns_to_iso
from launchkit.store.runner import execute
from launchkit.store.sql import quote_ident

_STAGE_ORDER = ("turns", "tool_calls", "feedback", "sessions")


def _value_text(value: Any) -> str | None:
    """A raw value as text for staging (the loader types it): numbers exactly, lists/dicts as JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    return json.dumps(value, default=str)


def _texts(row: dict[str, Any]) -> dict[str, Any]:
    """The row with every value but `_row` as text (_value_text); text and missing values pass as they are."""
    for key, value in row.items():
        if value is not None and type(value) is not str and key != "_row":
            row[key] = _value_text(value)
    return row


# A batch of one table's rows written out: (table, JSON Lines file, its columns, rows).
RowFile = tuple[str, str, tuple[str, ...], int]

_ENCODER = msgspec.json.Encoder()


def write_rows(table: str, rows: list[dict[str, Any]], folder: str | None = None) -> RowFile:
    """Rows (contract column names + _row) as a JSON Lines file for DuckDB to stage: every value as text.

    A file, not an in-memory table: DuckDB reads it in parallel, and a worker process can write it.
    """
    cols = tuple(c for c in TABLES[table].column_names if any(c in r for r in rows))
    fd, path = tempfile.mkstemp(prefix=f"launchkit-{table}-", suffix=".jsonl", dir=folder)
    with os.fdopen(fd, "wb") as f:
        f.write(_ENCODER.encode_lines([_texts(r) for r in rows]))
    return table, path, cols, len(rows)


def _stage_file(con: duckdb.DuckDBPyConnection, batch: RowFile, append: bool) -> str:
    """Read a batch file (write_rows) into temp table _lk_trace_<table>, all values VARCHAR, and remove it.

    With `append`, the rows go after those a batch before staged (a column only these rows have is
    added, NULL for the rows before, as if they had been staged at once).
    """
    table, path, cols, _ = batch
    name = quote_ident(f"_lk_trace_{table}")
    source = "read_json(?, format = 'newline_delimited', columns = ?, maximum_object_size = 1073741824)"
    columns = {"_row": "BIGINT", **dict.fromkeys(cols, "VARCHAR")}
    try:
        if not append:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {source}", [path, columns])
        else:
            have = {r[0] for r in con.execute(f"SELECT * FROM {name} LIMIT 0").description}
            for c in cols:
                if c not in have:
                    con.execute(f"ALTER TABLE {name} ADD COLUMN {quote_ident(c)} VARCHAR")
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {source}", [path, columns])
    finally:
        Path(path).unlink(missing_ok=True)
    return f"_lk_trace_{table}"


def take_batch(mapped: Mapped, folder: str | None = None) -> list[RowFile]:
    """The rows mapped so far (turns, tool calls, feedback) written to files (write_rows), cleared from
    `mapped`. Needs no connection: a worker process writes the batch, the importing process stages it."""
    batch = []
    for table, rows in (("turns", mapped.turns), ("tool_calls", mapped.tool_calls), ("feedback", mapped.feedback)):
        if rows:
            batch.append(write_rows(table, rows, folder))
            rows.clear()
    return batch


def stage_batch(con: duckdb.DuckDBPyConnection, mapped: Mapped, batch: list[RowFile]) -> None:
    """Stage a batch (take_batch) after the rows staged before, removing its files; `mapped.staged` counts them."""
    try:
        for row_file in batch:
            table = row_file[0]
            _stage_file(con, row_file, append=table in mapped.staged)
            mapped.staged[table] = mapped.staged.get(table, 0) + row_file[3]
    finally:
        for _, path, _, _ in batch:
            Path(path).unlink(missing_ok=True)


def stage_rows(con: duckdb.DuckDBPyConnection, mapped: Mapped) -> None:
    """Stage the rows mapped so far (turns, tool calls, feedback) and clear them: a batch of a large file."""
    stage_batch(con, mapped, take_batch(mapped))


def _ts_ns(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        v = value if value.tzinfo else value.replace(tzinfo=UTC)
        return iso_to_ns(v.astimezone(UTC).isoformat())
    return None


def _session_rows(con: duckdb.DuckDBPyConnection, mapped: Mapped) -> tuple[list[dict[str, Any]], list[str]]:
    """Session rows from the facts, merged with what the warehouse already holds for those sessions.

    Span-derived facts only widen the time range and fill gaps (NULL user/release/ended_at, the
    'unknown' tenant); they never overwrite a value already loaded (e.g. from a sessions CSV). So a
    re-import of the same spans from another file stays a duplicate.
    """
    notes: list[str] = []
    facts = [f for f in mapped.sessions.values()]
    timeless = [f for f in facts if f.start_ns is None]
    facts = [f for f in facts if f.start_ns is not None]
    if timeless:
        notes.append(f"{len(timeless)} session(s) not derived: none of their spans has a start time")
    existing: dict[str, tuple] = {}
    if facts:
        for row in execute(con, "ingest/sessions_known", {"ids": [f.session_id for f in facts]}).fetchall():
            existing[row[0]] = row
    rows: list[dict[str, Any]] = []
    unknown = 0
    for f in sorted(facts, key=lambda x: x.first_row):
        if f.start_ns is None:  # set aside above: a session needs a start
            continue
        start, end = f.start_ns, f.end_ns
        tenant, user, release, cohort = f.tenant_id, f.user_id, f.release, None
        old = existing.get(f.session_id)
        if old is not None:
            _, o_tenant, o_user, o_start, o_end, o_cohort, o_release = old
            o_start_ns, o_end_ns = _ts_ns(o_start), _ts_ns(o_end)
            start = min(start, o_start_ns) if o_start_ns is not None else start
            end = o_end_ns if end is None else (end if o_end_ns is None else max(end, o_end_ns))
            if o_tenant is not None and (o_tenant != semconv.UNKNOWN_TENANT or tenant is None):
                tenant = o_tenant
            user = o_user if o_user is not None else user
            release = o_release if o_release is not None else release
            cohort = o_cohort
        if tenant is None:
            tenant = semconv.UNKNOWN_TENANT
            unknown += 1
        rows.append(
            {
                "_row": f.first_row,
                "session_id": f.session_id,
                "tenant_id": tenant,
                "user_id": user,
                "started_at": ns_to_iso(start),
                "ended_at": ns_to_iso(end) if end is not None else None,
                "cohort": cohort,
                "release": release,
            }
        )
    if unknown:
        notes.append(
            f"{unknown} session(s) carry no tenant attribute ([attributes] tenant in launchkit.toml): "
            f"tenant_id set to '{semconv.UNKNOWN_TENANT}'"
        )
    return rows, notes


def stage(con: duckdb.DuckDBPyConnection, mapped: Mapped, fmt: str) -> Staged:
    """Stage mapped rows as temp tables for ingest.load_staged, with the counts and notes.

    Rows already staged in batches (stage_rows) are counted with those still in `mapped`.
    """
    session_rows, session_notes = _session_rows(con, mapped)
    stage_rows(con, mapped)
    if session_rows:
        _stage_file(con, write_rows("sessions", session_rows), append=False)
        mapped.staged["sessions"] = len(session_rows)
    n_turns, n_calls, n_feedback = (mapped.staged.get(t, 0) for t in ("turns", "tool_calls", "feedback"))
    tables = {t: f"_lk_trace_{t}" for t in _STAGE_ORDER if mapped.staged.get(t)}
    rows_read = {t: mapped.staged[t] for t in tables}
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(mapped.ignored_kinds.items()))
    summary = (
        f"{fmt}: {mapped.records} record(s) read = {n_turns} turn(s) + {n_calls} "
        f"tool call(s) + {n_feedback} feedback + {mapped.ignored} ignored"
        f"{' (' + kinds + ')' if kinds else ''} + {len(mapped.pre_rejects)} rejected before staging"
    )
    notes = [summary] + mapped.notes + session_notes
    if session_rows:
        notes.append(
            f"{len(session_rows)} session(s) derived from the spans (the sessions row counts sessions, not spans)"
        )
    staged_total = n_turns + n_calls + n_feedback + mapped.ignored + len(mapped.pre_rejects)
    if mapped.records != staged_total:
        raise CountsError(
            fmt,
            {
                "records": mapped.records,
                "turns": n_turns,
                "tool_calls": n_calls,
                "feedback": n_feedback,
                "ignored": mapped.ignored,
                "rejected": len(mapped.pre_rejects),
            },
        )
    return Staged(
        tables=tables,
        rows_read=rows_read,
        ignored=mapped.ignored,
        ignored_by_reason=dict(mapped.ignored_kinds),
        warnings=list(mapped.warnings),
        pre_rejects=list(mapped.pre_rejects),
        notes=notes,
    )
