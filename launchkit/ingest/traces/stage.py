"""Staging mapped trace rows, so the loader validates and merges them like a CSV file.

Rows are written out a batch at a time as JSON Lines files (every value as text), and each table is
staged as a temp view over its files: DuckDB reads them in parallel when it merges, and neither
Python nor DuckDB holds the file's rows in memory before then. The files live in a scratch folder
that the loader removes when the file is merged (Staged.scratch).

Counting: every span / observation / score read is one record, and
records = turn rows + tool-call rows + feedback rows + evaluation rows + ignored + rejected before staging. Sessions
are derived, not read: the sessions manifest row counts distinct sessions (see docs/telemetry.md).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import msgspec

from launchkit.contract import TABLES
from launchkit.errors import CountsError
from launchkit.ingest.result import Staged
from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.spans import Mapped, SessionFacts, iso_to_ns, ns_to_iso
from launchkit.store.sql import quote_ident, string_literal
from launchkit.store.warehouse import execute

_STAGE_ORDER = ("turns", "tool_calls", "feedback", "evaluations", "sessions")
# The tables a trace format maps rows to (sessions are derived from them).
_ROW_TABLES = ("turns", "tool_calls", "feedback", "evaluations")


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


_SCRATCH_PREFIX = "launchkit-rows-"


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    """A new folder for one file's row batches, named after this process. Folders left behind by a
    load that was killed before it could clean up (its process gone, the folder untouched for an
    hour) are removed first."""
    if os.name == "posix":  # elsewhere os.kill(pid, 0) is not a harmless probe
        for old in Path(tempfile.gettempdir()).glob(f"{_SCRATCH_PREFIX}*-*"):
            pid = old.name[len(_SCRATCH_PREFIX) :].split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)) and _untouched_for(old, _STALE_S):
                shutil.rmtree(old, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-")


_STALE_S = 3600.0


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: it is running
        return True
    return True


def _untouched_for(folder: Path, seconds: float) -> bool:
    """No file in `folder` (nor the folder) changed in the last `seconds` (a process id alone may be
    another machine's or container's, where /tmp is shared)."""
    try:
        newest = max([folder.stat().st_mtime, *(f.stat().st_mtime for f in folder.iterdir())])
    except OSError:
        return False
    return time.time() - newest > seconds


def _write_lines(name: str, records: list[dict[str, Any]], folder: str) -> str:
    """Records as a new JSON Lines file in `folder` (named after `name`); returns its path."""
    fd, path = tempfile.mkstemp(prefix=f"{name}-", suffix=".jsonl", dir=folder)
    with os.fdopen(fd, "wb") as f:
        f.write(_ENCODER.encode_lines(records))
    return path


def _files_view(con: duckdb.DuckDBPyConnection, name: str, paths: list[str], columns: dict[str, str]) -> str:
    """Temp view `name` over JSON Lines files with the given column types (a column a file lacks is NULL)."""
    spec = "{" + ", ".join(f"{string_literal(c)}: {string_literal(t)}" for c, t in columns.items()) + "}"
    files = "[" + ", ".join(string_literal(path) for path in paths) + "]"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {quote_ident(name)} AS SELECT * FROM read_json({files}, "
        f"format = 'newline_delimited', columns = {spec}, maximum_object_size = 1073741824)"
    )
    return name


def write_rows(table: str, rows: list[dict[str, Any]], folder: str) -> RowFile:
    """Rows (contract column names + _row) as a JSON Lines file in `folder`: every value as text."""
    cols = tuple(c for c in TABLES[table].column_names if any(c in r for r in rows))
    return table, _write_lines(table, [_texts(r) for r in rows], folder), cols, len(rows)


def take_batch(mapped: Mapped, folder: str) -> list[RowFile]:
    """The rows mapped so far (turns, tool calls, feedback, evaluations) and the session facts written to
    files in `folder`, cleared from `mapped`. Needs no connection: a worker process can write a batch."""
    batch = []
    for table in _ROW_TABLES:
        rows = getattr(mapped, table)
        if rows:
            batch.append(write_rows(table, rows, folder))
            rows.clear()
    if mapped.sessions:  # what the batch's spans said of their sessions, aggregated at staging
        batch.append(_write_session_facts(list(mapped.sessions.values()), folder))
        mapped.sessions.clear()
    return batch


def keep_batch(mapped: Mapped, batch: list[RowFile]) -> None:
    """Count a batch's files in `mapped.staged`, after those written before."""
    for table, path, cols, n in batch:
        mapped.staged.setdefault(table, []).append((path, cols, n))


def stage_rows(mapped: Mapped, folder: str) -> None:
    """Write out the rows mapped so far (turns, tool calls, feedback) and clear them: a batch of a large file."""
    keep_batch(mapped, take_batch(mapped, folder))


def _view(con: duckdb.DuckDBPyConnection, table: str, files: list[tuple[str, tuple[str, ...], int]]) -> str:
    """Temp view _lk_trace_<table> over a table's batch files: `_row` BIGINT, the columns any batch has
    as VARCHAR (NULL in a batch without them, as if the rows had been written at once)."""
    have = {c for _, cols, _ in files for c in cols}
    columns = {"_row": "BIGINT", **{c: "VARCHAR" for c in TABLES[table].column_names if c in have}}
    return _files_view(con, f"_lk_trace_{table}", [path for path, _, _ in files], columns)


def _ts_ns(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        v = value if value.tzinfo else value.replace(tzinfo=UTC)
        return iso_to_ns(v.astimezone(UTC).isoformat())
    return None


# A batch's session facts (launchkit.ingest.traces.spans.SessionFacts), as DuckDB reads them.
_FACT_TYPES = {
    "session_id": "VARCHAR",
    "first_row": "BIGINT",
    "start_ns": "HUGEINT",  # nanoseconds: a wild time in a span must not stop the load here
    "end_ns": "HUGEINT",
    "tenant_id": "VARCHAR",
    "tenant_row": "BIGINT",
    "user_id": "VARCHAR",
    "user_row": "BIGINT",
    "release": "VARCHAR",
    "release_row": "BIGINT",
}
_FACTS_VIEW = "_lk_trace_session_facts"
# How many sessions' rows are made and written at a time.
_SESSION_CHUNK = 10_000


def _write_session_facts(facts: list[SessionFacts], folder: str) -> RowFile:
    """Session facts (possibly of part of a session) as a JSON Lines file, aggregated at staging."""
    path = _write_lines("session_facts", [{c: getattr(x, c) for c in _FACT_TYPES} for x in facts], folder)
    return "session_facts", path, tuple(_FACT_TYPES), len(facts)


def _stage_sessions(con: duckdb.DuckDBPyConnection, mapped: Mapped, folder: str) -> tuple[int, list[str]]:
    """Session rows from the file's session facts, merged with what the warehouse already holds for
    those sessions, written out a chunk at a time; returns (sessions, notes).

    Span-derived facts only widen the time range and fill gaps (NULL user/release/ended_at, the
    'unknown' tenant); they never overwrite a value already loaded (e.g. from a sessions CSV). So a
    re-import of the same spans from another file stays a duplicate.
    """
    files = mapped.staged.pop("session_facts", [])
    if not files:
        return 0, []
    _files_view(con, _FACTS_VIEW, [path for path, _, _ in files], _FACT_TYPES)
    timeless = unknown = n = 0
    cursor = execute(con, "ingest/session_facts")
    while chunk := cursor.fetchmany(_SESSION_CHUNK):
        rows: list[dict[str, Any]] = []
        for sid, first_row, start, end, tenant, user, release, stored, *old in chunk:
            if start is None:  # a session needs a start
                timeless += 1
                continue
            cohort = None
            if stored:
                o_tenant, o_user, o_start, o_end, o_cohort, o_release = old
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
                    "_row": first_row,
                    "session_id": sid,
                    "tenant_id": tenant,
                    "user_id": user,
                    "started_at": ns_to_iso(start),
                    "ended_at": ns_to_iso(end) if end is not None else None,
                    "cohort": cohort,
                    "release": release,
                }
            )
        if rows:
            keep_batch(mapped, [write_rows("sessions", rows, folder)])
            n += len(rows)
    con.execute(f"DROP VIEW IF EXISTS {quote_ident(_FACTS_VIEW)}")
    notes: list[str] = []
    if timeless:
        notes.append(f"{timeless} session(s) not derived: none of their spans has a start time")
    if unknown:
        notes.append(
            f"{unknown} session(s) carry no tenant attribute ([attributes] tenant in launchkit.toml): "
            f"tenant_id set to '{semconv.UNKNOWN_TENANT}'"
        )
    return n, notes


def stage(
    con: duckdb.DuckDBPyConnection, mapped: Mapped, fmt: str, scratch: tempfile.TemporaryDirectory[str] | None = None
) -> Staged:
    """Stage mapped rows as temp views for ingest.load_staged, with the counts and notes.

    Rows already written out in batches (stage_rows, into `scratch`) are counted with those still in
    `mapped`; the rest go to `scratch` too (a new folder when None), which the Staged carries for the
    loader to remove.
    """
    scratch = scratch if scratch is not None else scratch_folder()
    stage_rows(mapped, scratch.name)
    n_sessions, session_notes = _stage_sessions(con, mapped, scratch.name)
    n_turns, n_calls, n_feedback, n_evals = (mapped.n_staged(t) for t in _ROW_TABLES)
    tables = {t: _view(con, t, mapped.staged[t]) for t in _STAGE_ORDER if mapped.n_staged(t)}
    rows_read = {t: mapped.n_staged(t) for t in tables}
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(mapped.ignored_kinds.items()))
    summary = (
        f"{fmt}: {mapped.records} record(s) read = {n_turns} turn(s) + {n_calls} "
        f"tool call(s) + {n_feedback} feedback + {f'{n_evals} evaluation(s) + ' if n_evals else ''}"
        f"{mapped.ignored} ignored"
        f"{' (' + kinds + ')' if kinds else ''} + {len(mapped.pre_rejects)} rejected before staging"
    )
    notes = [summary] + mapped.notes + session_notes
    if n_sessions:
        notes.append(f"{n_sessions} session(s) derived from the spans (the sessions row counts sessions, not spans)")
    staged_total = n_turns + n_calls + n_feedback + n_evals + mapped.ignored + len(mapped.pre_rejects)
    if mapped.records != staged_total:
        raise CountsError(
            fmt,
            {
                "records": mapped.records,
                "turns": n_turns,
                "tool_calls": n_calls,
                "feedback": n_feedback,
                "evaluations": n_evals,
                "ignored": mapped.ignored,
                "rejected": len(mapped.pre_rejects),
            },
        )
    return Staged(
        tables=tables,
        kind="VIEW",
        scratch=scratch,
        rows_read=rows_read,
        ignored=mapped.ignored,
        ignored_by_reason=dict(mapped.ignored_kinds),
        warnings=list(mapped.warnings),
        pre_rejects=list(mapped.pre_rejects),
        notes=notes,
    )
