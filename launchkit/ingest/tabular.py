"""Reading a CSV, Parquet or JSON Lines file as relation `_src` of raw values (DuckDB readers; path bound).

The loader then types and checks `_src` with the contract compiler (launchkit.ingest.compile).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from launchkit.contract import Table
from launchkit.errors import InputFileError
from launchkit.store.sql import quote_ident, string_literal

SMALL_FILE = 64 << 20  # below this a file is staged in a temp table: sniffed and parsed once


def stage_tabular(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> tuple[list[str], str]:
    """Stage the file as relation `_src` of raw values; return its columns and 'TABLE' or 'VIEW'.

    A small file is copied into a temp table with a `_row` (its record number), so the several
    statements of a load do not re-read it; a large one becomes a view that each statement
    streams, so memory stays flat (Parquet brings its own `_row`).
    """
    small = path.stat().st_size < SMALL_FILE
    p = {"p": str(path)}
    try:
        if fmt == "csv":
            reader = (
                "read_csv($p, all_varchar = true, header = true, store_rejects = true, "
                "rejects_scan = '_lk_scan', rejects_table = '_lk_errors')"
            )
            select = f"SELECT row_number() OVER () AS _row, * FROM {reader}" if small else f"SELECT * FROM {reader}"
        elif fmt == "parquet":
            select = (
                "SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row "
                "FROM read_parquet($p, file_row_number = true)"
            )
        elif fmt == "jsonl":
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _raw AS SELECT row_number() OVER () AS _row, json FROM read_ndjson_objects($p)",
                p,
            )
            bad = con.execute("SELECT min(_row) FROM _raw WHERE json_type(json) <> 'OBJECT'").fetchall()[0][0]
            if bad is not None:
                raise InputFileError(str(path), f"line {bad} is not a JSON object")
            keys = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT k FROM (SELECT unnest(json_keys(json)) AS k FROM _raw) ORDER BY k"
                ).fetchall()
            ]
            return keys, "TABLE"
        else:  # pragma: no cover - guarded by the caller
            raise InputFileError(str(path), f"unsupported format {fmt}")
        if small:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS {select}", p)
            kind = "TABLE"
        else:
            con.sql(select, params=p).create_view("_src", replace=True)
            kind = "VIEW"
        return [r[0] for r in con.execute("SELECT name FROM pragma_table_info('_src')").fetchall()], kind
    except InputFileError:
        raise
    except duckdb.Error as exc:
        raise InputFileError(str(path), f"not a readable {fmt.upper()} file ({first_line(exc, path)})") from None


def malformed_csv_lines(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """Lines the CSV reader could not split into the header's columns (filled by the last scan)."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = '_lk_errors'").fetchall()[0][0]
    if not exists:
        return []
    # Every scan of the file (insert, count, rejects) logs the same lines again: keep one per line.
    rows = con.execute("SELECT line, min(error_message) FROM _lk_errors GROUP BY line ORDER BY line").fetchall()
    con.execute("DROP TABLE IF EXISTS _lk_errors")
    con.execute("DROP TABLE IF EXISTS _lk_scan")
    return [(int(line), f"malformed CSV line {line}: {msg.splitlines()[0][:160]}") for line, msg in rows]


def first_line(exc: Exception, path: Path | None = None) -> str:
    text = str(exc).strip().splitlines()
    line = text[0][:200] if text else type(exc).__name__
    return line.replace(f' "{path}"', "").replace(f" '{path}'", "") if path else line


def check_columns(path: Path, table: Table, columns: list[str]) -> None:
    names = set(table.column_names)
    present = [c for c in columns if c != "_row"]
    missing = [c.name for c in table.columns if c.required and c.default is None and c.name not in present]
    unknown = [c for c in present if c not in names]
    problems = []
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
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
