"""Reading a CSV, Parquet or JSON Lines file as relation `_src` of raw values (DuckDB readers; path bound).

The loader then types and checks `_src` with the contract compiler (launchkit.ingest.compile).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Callable
from pathlib import Path

import duckdb

from launchkit.contract import Table
from launchkit.errors import InputFileError
from launchkit.ingest.formats import ReadAgain, delimited, is_gzip, record_of
from launchkit.store.sql import quote_ident, string_literal

SMALL_FILE = 64 << 20  # below this a file is staged in a temp table: sniffed and parsed once
# The longest CSV record DuckDB reads at first: a small file's own size (no record is longer, and
# it is read into memory anyway), else DuckDB's default of 2 MB (a larger limit grows the reader's
# buffers: +100 MiB peak on the ingest benchmark). A longer record (a 10 MB comment in a large
# file) makes the loader read the file again with a limit that fits it (LineTooLong).
MAX_LINE_SIZE = 2_000_000


class LineTooLong(ReadAgain):
    """A CSV record longer than the reader's line-size limit: the loader reads the file again with a
    limit that fits it (DuckDB's default is 2 MB; a 10 MB comment is a value, not a broken file)."""

    def __init__(self, needed: int, limit: int = 0) -> None:
        self.needed = needed  # as far as DuckDB read it (it stops at the limit)
        self.limit = limit  # the line-size limit of the read that met it
        super().__init__(f"a CSV record of {needed} bytes")


_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded\. Actual Size:\s*(\d+)")


def duckdb_error(exc: duckdb.Error, name: str, fmt: str, shown: Path | None = None) -> Exception:
    """The exception a DuckDB reader error becomes: LineTooLong, or one line naming the file."""
    m = _LINE_SIZE.search(str(exc))
    if m and delimited(fmt):
        return LineTooLong(int(m.group(2)), int(m.group(1)))
    if delimited(fmt) and "Error when sniffing file" in str(exc):
        return InputFileError(
            name,
            "not a readable CSV file (DuckDB could not tell its delimiter, quoting and line ends; "
            "check the header and the quotes)",
        )
    return InputFileError(name, f"not a readable {fmt.upper()} file ({first_line(exc, shown)})")


def stage_tabular(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fmt: str,
    *,
    name: str | None = None,
    max_line_size: int | None = None,
    record_limit: int | None = None,
) -> tuple[list[str], str]:
    """Stage the file as relation `_src` of raw values with its format's reader (its record's `reader`,
    launchkit.ingest.formats); return its columns and 'TABLE' or 'VIEW'.

    A small file is copied into a temp table with a `_row` (its record number), so the several
    statements of a load do not re-read it; a large one becomes a view that each statement
    streams, so memory stays flat (Parquet brings its own `_row`). `path` is read literally (see
    launchkit.ingest.source: hive partitioning is off); `name` is the file's name for messages. A CSV
    record is read up to `max_line_size` bytes (default: what fits the file), never past `record_limit`.
    """
    name = name or str(path)
    read: _Stage = globals()[record_of(fmt).reader]
    try:
        return read(con, path, name, path.stat().st_size < SMALL_FILE, max_line_size, record_limit)
    except InputFileError:
        raise
    except duckdb.Error as exc:
        raise duckdb_error(exc, name, fmt, path) from None


# A format's staging: (con, path, name, small, max_line_size, record_limit) -> (columns, 'TABLE' | 'VIEW').
_Stage = Callable[[duckdb.DuckDBPyConnection, Path, str, bool, "int | None", "int | None"], tuple[list[str], str]]


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    small: bool,
    max_line_size: int | None,
    record_limit: int | None,
) -> tuple[list[str], str]:
    """A CSV file through DuckDB's reader, every value as text, malformed lines kept aside (_lk_errors)."""
    fits = path.stat().st_size + 1 if small and not is_gzip(path) else 0
    mls = max_line_size or max(fits, MAX_LINE_SIZE)
    p: dict[str, object] = {"p": str(path), "mls": min(mls, record_limit) if record_limit else mls}
    reader = (
        "read_csv($p, all_varchar = true, header = true, hive_partitioning = false, store_rejects = true, "
        "rejects_scan = '_lk_scan', rejects_table = '_lk_errors', max_line_size = $mls)"
    )
    select = f"SELECT row_number() OVER () AS _row, * FROM {reader}" if small else f"SELECT * FROM {reader}"
    return _staged(con, select, p, small)


def stage_parquet(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    small: bool,
    max_line_size: int | None,
    record_limit: int | None,
) -> tuple[list[str], str]:
    """A Parquet file, its row number as `_row`."""
    select = (
        "SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row "
        "FROM read_parquet($p, file_row_number = true, hive_partitioning = false)"
    )
    return _staged(con, select, {"p": str(path)}, small)


def stage_jsonl(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    small: bool,
    max_line_size: int | None,
    record_limit: int | None,
) -> tuple[list[str], str]:
    """A JSON Lines file as `_raw(_row, json)` and its keys; `jsonl_table` makes `_src` once they are checked."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _raw AS SELECT row_number() OVER () AS _row, json "
        "FROM read_ndjson_objects($p, hive_partitioning = false)",
        {"p": str(path)},
    )
    bad = con.execute("SELECT min(_row) FROM _raw WHERE json_type(json) <> 'OBJECT'").fetchall()[0][0]
    if bad is not None:
        raise InputFileError(name, f"line {bad} is not a JSON object")
    keys = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT k FROM (SELECT unnest(json_keys(json)) AS k FROM _raw) ORDER BY k"
        ).fetchall()
    ]
    return keys, "TABLE"


def _staged(con: duckdb.DuckDBPyConnection, select: str, p: dict[str, object], small: bool) -> tuple[list[str], str]:
    if small:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS {select}", p)
        kind = "TABLE"
    else:
        con.sql(select, params=p).create_view("_src", replace=True)
        kind = "VIEW"
    return [r[0] for r in con.execute("SELECT name FROM pragma_table_info('_src')").fetchall()], kind


def csv_header(path: Path, width: int) -> list[str] | None:
    """The CSV file's `width` header fields exactly as written (DuckDB renames a repeated name to
    name_1), [] when they cannot be told, None when the header line is not UTF-8 text (DuckDB then
    skips it as a bad line). The delimiter is the usual one that splits the header into `width`."""
    try:
        with gzip.open(path, "rb") if is_gzip(path) else path.open("rb") as f:
            head = f.read(1 << 20)
    except (OSError, EOFError, zlib.error):
        return []
    head = head.removeprefix(b"\xef\xbb\xbf")
    first = head.replace(b"\r", b"\n").split(b"\n", 1)[0]
    try:
        first.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = head.decode("utf-8", errors="replace")
    for delim in (",", ";", "\t", "|"):
        try:
            fields = next(csv.reader(io.StringIO(text), delimiter=delim), [])
        except csv.Error:
            continue
        if len(fields) == width:
            return fields
    return []


def header_problem(header: list[str] | None) -> str | None:
    """What is wrong with a CSV header DuckDB did not take as written: a name given twice (DuckDB
    compares names ignoring case and renames the second `name_1`), a column without a name, or a
    header line that is not UTF-8 text (DuckDB skips it and takes the next line for the header)."""
    if header is None:
        return "the header (line 1) is not UTF-8 text (save the file as UTF-8)"
    names = [h.strip() for h in header]
    seen: dict[str, int] = {}
    for h in names:
        if h:
            seen[h.lower()] = seen.get(h.lower(), 0) + 1
    dups: list[str] = []
    for h in names:
        if h and seen[h.lower()] > 1 and h.lower() not in {d.lower() for d in dups}:
            dups.append(h)
    if dups:
        return f"duplicate column name(s) {_shown(dups)} in the header: each column must appear once"
    empty = [str(i + 1) for i, h in enumerate(names) if not h]
    if empty:
        return f"column(s) {', '.join(empty[:12])} of the header have no name"
    return None


def malformed_csv_lines(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """Lines the CSV reader could not split into the header's columns (filled by the last scan)."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = '_lk_errors'").fetchall()[0][0]
    if not exists:
        return []
    # Every scan of the file (insert, count, rejects) logs the same lines again: keep one per line.
    rows = con.execute("SELECT line, min(error_message) FROM _lk_errors GROUP BY line ORDER BY line").fetchall()
    con.execute("DROP TABLE IF EXISTS _lk_errors")
    con.execute("DROP TABLE IF EXISTS _lk_scan")
    return [(int(line), f"malformed CSV line {line}: {_csv_problem(msg)}") for line, msg in rows]


def _csv_problem(message: str) -> str:
    text = message.splitlines()[0][:160] if message else "unreadable"
    if "not utf-8" in text.lower() or "invalid unicode" in text.lower():
        return "not UTF-8 text (save the file as UTF-8)"
    return text


_QUOTED = re.compile("'[^']*'|\"[^\"]*\"")


def first_line(exc: Exception, path: Path | None = None) -> str:
    """DuckDB's first line about a file, without the file's path and without a quoted value from inside it."""
    text = str(exc).strip().splitlines()
    line = text[0][:200] if text else type(exc).__name__
    line = line.replace(f' "{path}"', "").replace(f" '{path}'", "") if path else line
    return _QUOTED.sub("'...'", line.split("Original Line:")[0].split(" Input: ")[0]).strip()


# What a column name looks like: a name, not a value. A header field that does not (a number, a date, words
# with spaces, a line of /etc/passwd) may be a row read as the header, and a message never echoes row content.
_NAME_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,39}")
_VALUE_LIKE = re.compile(r".*\d{4,}.*")


def _name_like(name: str) -> bool:
    return bool(_NAME_LIKE.fullmatch(name)) and not _VALUE_LIKE.fullmatch(name)


def _shown(names: list[str], limit: int = 12) -> str:
    """Column names for a one-line message: only what looks like a name is shown (a row read as the header is
    content, never echoed), a long list cut."""
    named = [n for n in names if _name_like(n)]
    hidden = len(names) - len(named)
    more = f" and {len(named) - limit} more" if len(named) > limit else ""
    text = ", ".join(named[:limit]) + more
    if hidden:
        text += (", and " if text else "") + (
            f"{hidden} field{'s' if hidden != 1 else ''} that do{'es' if hidden == 1 else ''} not look like "
            "column names (not shown: is the header line missing?)"
        )
    return text


def check_columns(path: Path, table: Table, columns: list[str]) -> None:
    names = set(table.column_names)
    present = [c for c in columns if c != "_row"]
    missing = [c.name for c in table.columns if c.required and c.default is None and c.name not in present]
    unknown = [c for c in present if c not in names]
    problems = []
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {_shown(unknown)}")
    if problems:
        raise InputFileError(
            str(path), f"not a '{table.name}' file: {'; '.join(problems)} (expected {', '.join(table.column_names)})"
        )


def jsonl_table(con: duckdb.DuckDBPyConnection, keys: list[str]) -> None:
    """Temp table _src from _raw(_row, json): one text column per (already allow-listed) key."""
    cols = ", ".join(
        f"json_extract_string(json, {string_literal('$.' + _json_path_key(k))}) AS {quote_ident(k)}" for k in keys
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS SELECT _row{', ' + cols if cols else ''} FROM _raw")
    con.execute("DROP TABLE _raw")


def _json_path_key(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'
