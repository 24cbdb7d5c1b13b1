"""Load CSV, Parquet and JSON Lines files into the contract tables without losing or doubling a row.

For every file: rows_read == loaded + updated + duplicates + rejected (+ ignored, for trace
formats that carry spans of no interest). The counts go to the `loads` manifest; rejected rows go
to `rejects` with their row number, column, reason and raw values. A file whose content was loaded
before is skipped. Each file loads in one transaction. Validation runs inside DuckDB: values are
read by DuckDB's readers and typed with TRY_CAST, never formatted into SQL.

Row classification, per key, in file order: a key not seen before is *loaded*; a row equal to the
key's current value (the previous row in the file, else the warehouse) is a *duplicate*; a row
that differs from it is a late correction, *updated*. The key's last row in the file wins.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import duckdb

from launchkit import __version__
from launchkit.config import Config
from launchkit.contract import LINEAGE_COLUMN, TABLES, Column, Table, table_for_file
from launchkit.errors import InputFileError, LaunchkitError

TABULAR_FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}

# Epoch numbers below this are seconds, from it up to _EPOCH_MAX milliseconds (1e11 s is year 5138).
_EPOCH_MS_FROM = 100_000_000_000
_EPOCH_MAX = 100_000_000_000_000


@dataclass
class FileResult:
    """What one load did with one file (and one table, for files that feed several)."""

    file: str
    table: str | None
    format: str | None = None
    rows_read: int = 0
    loaded: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    ignored: int = 0
    skipped: bool = False
    error: str | None = None
    load_id: int | None = None
    detected: bool = False
    passed_over: bool = False  # found in a folder but not a launchkit data file
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def reconciles(self) -> bool:
        total = self.loaded + self.updated + self.duplicates + self.rejected + self.ignored
        return self.rows_read == total

    def to_json(self) -> dict:
        out = {
            k: v
            for k, v in asdict(self).items()
            if k in ("file", "table", "rows_read", "loaded", "updated", "duplicates", "rejected", "skipped")
        }
        if self.ignored:
            out["ignored"] = self.ignored
        if self.format:
            out["format"] = self.format
        if self.error:
            out["error"] = self.error
        if self.notes:
            out["notes"] = self.notes
        if self.passed_over:
            out["reason"] = "not a launchkit data file"
        return out

    def summary(self) -> str:
        if self.error:
            return f"FAILED {self.file}: {self.error}"
        if self.passed_over:
            return f"passed over {self.file}: not a launchkit data file"
        if self.skipped:
            return f"skipped {self.file}: content already loaded"
        extra = f", {self.ignored} ignored" if self.ignored else ""
        return (
            f"{self.file} -> {self.table}: {self.rows_read} read, {self.loaded} loaded, "
            f"{self.updated} updated, {self.duplicates} duplicates, {self.rejected} rejected{extra}"
        )


# A reader for a non-tabular format (traces): returns, for one file, a staged relation per table
# (registered by the reader on `con` as a temp table/view with a `_row` column plus contract column
# names), a count of records ignored by kind, and records rejected before staging.
@dataclass
class Staged:
    tables: dict[str, str]  # contract table -> name of a temp relation on the connection
    rows_read: dict[str, int] = field(default_factory=dict)  # per table; rows routed to it
    ignored: int = 0
    pre_rejects: list[tuple[int, str | None, str, str]] = field(default_factory=list)  # row, column, reason, raw
    notes: list[str] = field(default_factory=list)


FormatReader = Callable[[duckdb.DuckDBPyConnection, Path, Config], Staged]
FormatDetector = Callable[[Path], str | None]

# Filled by the telemetry importers (launchkit.telemetry) on import: name -> reader.
EXTRA_FORMATS: dict[str, FormatReader] = {}
EXTRA_DETECTORS: list[FormatDetector] = []


def content_hash(path: Path) -> str:
    return scan_bytes(path)[0]


def scan_bytes(path: Path) -> tuple[str, int]:
    """SHA-256 of the file and its number of lines, in one read.

    The line count bounds the number of CSV records from above (a record takes at least one line),
    which lets a clean load skip a second parse just to count rows.
    """
    h = hashlib.sha256()
    lines, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return h.hexdigest(), lines


def expand_paths(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """Files named, and every file (sorted, not hidden) in folders named; True for the latter."""
    for p in map(Path, paths):
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if child.is_file() and not child.name.startswith(".") and child.suffix.lower() in _KNOWN_SUFFIXES:
                    yield child, True
        else:
            yield p, False


_KNOWN_SUFFIXES = set(TABULAR_FORMATS) | {".json"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------
# Reading a tabular file as a temp view `_src` of raw values (DuckDB readers; the path is bound).


_SMALL_FILE = 64 << 20  # below this a file is staged in a temp table: sniffed and parsed once


def _stage_tabular(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> tuple[list[str], str]:
    """Stage the file as relation `_src` of raw values; return its columns and 'TABLE' or 'VIEW'.

    A small file is copied into a temp table with a `_row` (its record number), so the several
    statements of a load do not re-read it; a large one becomes a view that each statement
    streams, so memory stays flat (Parquet brings its own `_row`).
    """
    small = path.stat().st_size < _SMALL_FILE
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
                "CREATE OR REPLACE TEMP TABLE _raw AS SELECT row_number() OVER () AS _row, json FROM read_ndjson_objects($p)", p
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
        raise InputFileError(str(path), f"not a readable {fmt.upper()} file ({_first_line(exc, path)})") from None


def _malformed_csv_lines(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """Lines the CSV reader could not split into the header's columns (filled by the last scan)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = '_lk_errors'"
    ).fetchall()[0][0]
    if not exists:
        return []
    # Every scan of the file (insert, count, rejects) logs the same lines again: keep one per line.
    rows = con.execute(
        "SELECT line, min(error_message) FROM _lk_errors GROUP BY line ORDER BY line"
    ).fetchall()
    con.execute("DROP TABLE IF EXISTS _lk_errors")
    con.execute("DROP TABLE IF EXISTS _lk_scan")
    return [(int(line), f"malformed CSV line {line}: {msg.splitlines()[0][:160]}") for line, msg in rows]


def _first_line(exc: Exception, path: Path | None = None) -> str:
    text = str(exc).strip().splitlines()
    line = text[0][:200] if text else type(exc).__name__
    return line.replace(f' "{path}"', "").replace(f" '{path}'", "") if path else line


def _check_columns(path: Path, table: Table, columns: list[str]) -> None:
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


def _jsonl_table(con: duckdb.DuckDBPyConnection, keys: list[str]) -> None:
    """Temp table _src from _raw(_row, json): one text column per (already allow-listed) key."""
    cols = ", ".join(f"json_extract_string(json, {_sql_str('$.' + _json_path_key(k))}) AS {_q(k)}" for k in keys)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS SELECT _row{', ' + cols if cols else ''} FROM _raw")
    con.execute("DROP TABLE _raw")


def _json_path_key(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'


def _sql_str(text: str) -> str:
    """A SQL string literal for contract-defined text (names, reasons), never for data values."""
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Typing and validating staged values, in SQL.


@dataclass
class _ColumnSQL:
    """How one contract column is typed, in layers so each parse runs once per row."""

    norm: str  # over the source: the raw value, blanks as NULL
    parsed: list[tuple[str, str]]  # (alias, expr over norm aliases)
    value: str  # the typed value, over norm/parsed aliases
    checks: list[tuple[str, str]]  # (condition over norm/parsed aliases, reason), in order


def _column_sql(col: Column, i: int, src_type: str | None) -> _ColumnSQL:
    """SQL pieces typing column `col` (the i-th) from a staged column of type `src_type` (None: absent)."""
    n, d, t = f"_n{i}", f"_d{i}", f"_t{i}"
    if src_type is None:
        value = _sql_str(col.default) if col.default is not None else "NULL"
        checks = [("TRUE", "missing required value")] if col.required and col.default is None else []
        return _ColumnSQL("NULL", [], value, checks)
    src = _q(col.name)
    is_text = src_type == "VARCHAR"
    # NULLIF(trim(x), '') -- but trim only the values that need it: most do not, and trimming
    # every value costs more than reading it (about 0.15 s per column per 10M rows).
    norm = (
        f"NULLIF(CASE WHEN prefix({src}, ' ') OR suffix({src}, ' ') THEN trim({src}) ELSE {src} END, '')"
        if is_text else src
    )
    parsed: list[tuple[str, str]] = []
    checks: list[tuple[str, str]] = []
    if col.required and col.default is None:
        checks.append((f"{n} IS NULL", "missing required value"))
    if col.kind == "text":
        value = n if is_text else f"CAST({n} AS VARCHAR)"
        if col.choices:
            exact = " ".join(f"WHEN {_sql_str(c)} THEN {_sql_str(c)}" for c in col.choices)
            folded = " ".join(f"WHEN {_sql_str(c.lower())} THEN {_sql_str(c)}" for c in col.choices)
            # the canonical spelling is the common case: fold case only for the rest
            parsed.append((t, f"CASE {value} {exact} ELSE (CASE lower({value}) {folded} END) END"))
            checks.append((f"{n} IS NOT NULL AND {t} IS NULL", f"not one of {', '.join(col.choices)}"))
            value = t
    elif col.kind in ("double", "bigint", "integer"):
        parsed.append((d, f"TRY_CAST({n} AS DOUBLE)"))
        checks.append((f"{n} IS NOT NULL AND ({d} IS NULL OR NOT isfinite({d}))", "not a number"))
        value = d
        if col.kind != "double":
            checks.append((f"{d} <> trunc({d})", "not a whole number"))
            limit = 9.2e18 if col.kind == "bigint" else 2147483647
            checks.append((f"abs({d}) > {limit}", "out of range"))
            value = f"CAST({d} AS {'BIGINT' if col.kind == 'bigint' else 'INTEGER'})"
        if col.min is not None:
            checks.append((f"{d} < {col.min!r}", f"below minimum {col.min:g}"))
        if col.max is not None:
            checks.append((f"{d} > {col.max!r}", f"above maximum {col.max:g}"))
    elif col.kind == "timestamp":
        numeric = src_type in ("BIGINT", "INTEGER", "DOUBLE", "HUGEINT", "UBIGINT", "FLOAT", "SMALLINT", "UINTEGER") \
            or src_type.startswith("DECIMAL")
        if is_text or numeric:
            # ISO-8601 (with Z, an offset, or none: the session zone) first; else an epoch number:
            # seconds below 1e11, milliseconds below 1e14. A plain number never parses as ISO.
            epoch = (
                f"CASE WHEN abs({d}) < {_EPOCH_MS_FROM} THEN to_timestamp({d}) "
                f"WHEN abs({d}) < {_EPOCH_MAX} THEN to_timestamp({d} / 1000.0) END"
            )
            iso = f"TRY_CAST({n} AS TIMESTAMPTZ)" if is_text else "NULL::TIMESTAMPTZ"
            parsed.append((d, f"CASE WHEN {iso} IS NULL THEN TRY_CAST({n} AS DOUBLE) END"))
            parsed.append((t, f"coalesce({iso}, {epoch})"))
            checks.append((f"{n} IS NOT NULL AND {t} IS NULL AND {d} IS NOT NULL", "epoch value out of range"))
        else:
            parsed.append((t, f"TRY_CAST({n} AS TIMESTAMPTZ)"))
        checks.append((f"{n} IS NOT NULL AND {t} IS NULL", "unparseable timestamp"))
        value = t
    elif col.kind == "date":
        parsed.append((t, f"TRY_CAST({n} AS DATE)"))
        checks.append((f"{n} IS NOT NULL AND {t} IS NULL", "unparseable date"))
        value = t
    else:  # pragma: no cover
        raise AssertionError(col.kind)
    if col.default is not None:
        value = f"coalesce({value}, {_sql_str(col.default)})"
    return _ColumnSQL(norm, parsed, value, checks)


def _typed_sql(con: duckdb.DuckDBPyConnection, table: Table, src: str) -> tuple[str, str]:
    """Subqueries over `src`: typed contract columns, _code, _reason, _column, _raw; the second adds `_row`.

    _reason is the first rule a row breaks (column rules in column order, then cross-column
    checks), NULL for a valid row; rules are numbered and a row carries the number of the first
    it breaks, so each parse and check runs once. `_row` is the source's own `_row` if it has one,
    else the record's position in the file (row_number over the reader's order, which DuckDB keeps).
    """
    types = dict(con.execute("SELECT name, type FROM pragma_table_info(?)", [src]).fetchall())
    has_row = "_row" in types
    keep_row = "_row, " if has_row else ""
    parts = [_column_sql(col, i, types.get(col.name)) for i, col in enumerate(table.columns)]
    rules: list[tuple[str, str, str]] = []  # (condition, column, reason)
    for col, part in zip(table.columns, parts):
        rules.extend((cond, col.name, reason) for cond, reason in part.checks)
    cross = [(f"NOT ({k.predicate})", k.column, k.reason) for k in table.checks]
    present = [c for c in types if c != "_row"]
    raw_json = "to_json(struct_pack(" + ", ".join(f"{_q(c)} := {_q(c)}" for c in present) + "))"
    norms = ", ".join(f"{p.norm} AS _n{i}" for i, p in enumerate(parts))
    parsed = ", ".join(f"{expr} AS {alias}" for p in parts for alias, expr in p.parsed)
    n_aliases = ", ".join(f"_n{i}" for i in range(len(parts)))
    values = ", ".join(f"{p.value} AS {_q(c.name)}" for c, p in zip(table.columns, parts))
    code = "CASE " + " ".join(f"WHEN {c} THEN {k + 1}" for k, (c, _, _) in enumerate(rules)) + " END" if rules else "NULL"
    cross_code = (
        "CASE " + " ".join(f"WHEN {c} THEN {len(rules) + k + 1}" for k, (c, _, _) in enumerate(cross)) + " END"
        if cross else "NULL"
    )
    all_rules = rules + cross
    reasons = "[" + ", ".join(_sql_str(r) for _, _, r in all_rules) + "]" if all_rules else "[NULL]"
    columns = "[" + ", ".join(_sql_str(c) for _, c, _ in all_rules) + "]" if all_rules else "[NULL]"
    typed_cols = ", ".join(_q(c) for c in table.column_names)
    tv0 = f"SELECT {keep_row}{norms}, {raw_json} AS _raw FROM {_q(src)}"
    tv1 = f"SELECT {keep_row}{n_aliases}{', ' + parsed if parsed else ''}, _raw FROM ({tv0})"
    tv2 = f"SELECT {keep_row}{values}, {code} AS _code0, _raw FROM ({tv1})"
    tv = (
        f"SELECT {keep_row}{typed_cols}, coalesce(_code0, {cross_code}) AS _code, "
        f"{reasons}[coalesce(_code0, {cross_code})] AS _reason, {columns}[coalesce(_code0, {cross_code})] AS _column, "
        f"_raw FROM ({tv2})"
    )
    tvr = tv if has_row else f"SELECT row_number() OVER () AS _row, * FROM ({tv})"
    return f"({tv})", f"({tvr})"


# ---------------------------------------------------------------------------------------------
# Merging valid rows into the contract table.


def _insert_all_valid(con: duckdb.DuckDBPyConnection, table: Table, load_id: int, tv: str) -> int:
    """Stream every valid row into the table (one pass, the file read once); returns the count."""
    cols = ", ".join(_q(c) for c in table.column_names)
    # Row order in the table carries no meaning (file order is kept by `_row` where it matters:
    # reject numbering and the exact merge), so DuckDB may insert in whatever order is fastest.
    con.execute("SET preserve_insertion_order = false")
    try:
        return con.execute(
            f"INSERT INTO {_q(table.name)} ({cols}, {LINEAGE_COLUMN}) SELECT {cols}, ? FROM {tv} WHERE _code IS NULL",
            [load_id],
        ).fetchall()[0][0]
    finally:
        con.execute("SET preserve_insertion_order = true")


def _has_key_conflicts(con: duckdb.DuckDBPyConnection, table: Table, load_id: int) -> bool:
    """True when this load repeats a key, or hits a key already in the table."""
    key, target = _q(table.key), _q(table.name)
    older = con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {target} WHERE {LINEAGE_COLUMN} <> ? LIMIT 1)", [load_id]
    ).fetchall()[0][0]
    if not older:  # the table holds only this load's rows: no filter needed to count them
        n, n_keys = con.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {target}").fetchall()[0]
        return n != n_keys
    n, n_keys = con.execute(
        f"SELECT count(*), count(DISTINCT {key}) FROM {target} WHERE {LINEAGE_COLUMN} = ?", [load_id]
    ).fetchall()[0]
    if n != n_keys:
        return True
    clash = con.execute(
        f"SELECT count(*) FROM {target} WHERE {LINEAGE_COLUMN} <> ? AND {key} IN "
        f"(SELECT {key} FROM {target} WHERE {LINEAGE_COLUMN} = ?)",
        [load_id, load_id],
    ).fetchall()[0][0]
    return clash > 0


def _merge_exact(con: duckdb.DuckDBPyConnection, table: Table, load_id: int, tvr: str) -> tuple[int, int, int]:
    """Classify valid rows key by key in file order and write each key's last row; (loaded, updated, duplicates)."""
    key, target = _q(table.key), _q(table.name)
    cols = [_q(c) for c in table.column_names]
    col_list = ", ".join(cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _typed AS SELECT _row, {col_list} FROM {tvr} WHERE _code IS NULL")
    row_val = "struct_pack(" + ", ".join(f"{c} := {c}" for c in cols) + ")"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _cls AS
        WITH v AS (SELECT _row, {key} AS k, {row_val} AS val FROM _typed),
        cur AS (
            SELECT {key} AS k, {row_val} AS val FROM {target}
            WHERE {key} IN (SELECT k FROM v)
        ),
        seq AS (
            SELECT v._row, v.k, v.val,
                   lag(v.val) OVER (PARTITION BY v.k ORDER BY v._row) AS prev_in_file,
                   row_number() OVER (PARTITION BY v.k ORDER BY v._row) AS nth,
                   row_number() OVER (PARTITION BY v.k ORDER BY v._row DESC) AS from_last,
                   cur.k IS NOT NULL AS existed, cur.val AS cur_val
            FROM v LEFT JOIN cur ON v.k = cur.k
        )
        SELECT _row, k, from_last = 1 AS is_last, existed,
               CASE
                   WHEN nth = 1 AND NOT existed THEN 'loaded'
                   WHEN val IS NOT DISTINCT FROM (CASE WHEN nth = 1 THEN cur_val ELSE prev_in_file END) THEN 'duplicate'
                   ELSE 'updated'
               END AS outcome,
               existed AND val IS NOT DISTINCT FROM cur_val AS same_as_current
        FROM seq
        """
    )
    loaded, updated, duplicates = con.execute(
        "SELECT count(*) FILTER (outcome = 'loaded'), count(*) FILTER (outcome = 'updated'), "
        "count(*) FILTER (outcome = 'duplicate') FROM _cls"
    ).fetchall()[0]
    # Write each key's last row, unless the warehouse already holds exactly that value.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _final AS SELECT _row, k, existed FROM _cls WHERE is_last AND NOT same_as_current"
    )
    con.execute(f"DELETE FROM {target} WHERE {key} IN (SELECT k FROM _final WHERE existed)")
    con.execute(
        f"INSERT INTO {target} ({col_list}, {LINEAGE_COLUMN}) "
        f"SELECT {', '.join('t.' + c for c in cols)}, ? FROM _typed t JOIN _final f ON t._row = f._row ORDER BY t._row",
        [load_id],
    )
    for t in ("_typed", "_cls", "_final"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return loaded, updated, duplicates


def _write_rejects(
    con: duckdb.DuckDBPyConnection, load_id: int, path: str, table: str, tv: str, tvr: str,
    valid: int | None = None, max_records: int | Callable[[], int] | None = None,
) -> int:
    """Copy invalid rows to `rejects`; returns their count.

    With `valid` (rows known valid) the count comes from a bare count(*) of the source, which
    DuckDB answers without typing a value (from metadata, for Parquet); rows are numbered and
    copied only when there is a reject. When the valid rows already reach `max_records`, an upper
    bound of the source's records, there can be no reject and the source is not read again.
    """
    if callable(max_records):
        max_records = max_records()
    if valid is not None and max_records is not None and valid >= max_records:
        return 0
    n = con.execute(f"SELECT count(*) FROM {tv} WHERE _code IS NOT NULL").fetchall()[0][0] if valid is None else (
        con.execute(f"SELECT count(*) FROM {tv}").fetchall()[0][0] - valid  # count(*) needs no parsing
    )
    if n:
        con.execute(
            f"INSERT INTO rejects SELECT ?, ?, ?, _row, _column, _reason, _raw FROM {tvr} WHERE _code IS NOT NULL",
            [load_id, path, table],
        )
    return n


def load_staged(
    con: duckdb.DuckDBPyConnection, *, load_id: int, path: str, table: str, stg: str,
    max_records: int | Callable[[], int] | None = None,
) -> FileResult:
    """Validate the staged relation `stg` (contract column names, optional `_row`) and merge it into `table`.

    Runs inside the caller's transaction; records rejects but not the manifest row. The common
    case (all keys new and distinct) streams the file into the table once; repeated or known keys
    undo that insert and take the exact, order-aware path.
    """
    spec = TABLES[table]
    tv, tvr = _typed_sql(con, spec, stg)
    inserted = _insert_all_valid(con, spec, load_id, tv)
    if _has_key_conflicts(con, spec, load_id):
        con.execute(f"DELETE FROM {_q(spec.name)} WHERE {LINEAGE_COLUMN} = ?", [load_id])
        loaded, updated, duplicates = _merge_exact(con, spec, load_id, tvr)
    else:
        loaded, updated, duplicates = inserted, 0, 0
    rejected = _write_rejects(con, load_id, path, table, tv, tvr, valid=loaded + updated + duplicates,
                              max_records=max_records)
    return FileResult(file=path, table=table, rows_read=loaded + updated + duplicates + rejected,
                      loaded=loaded, updated=updated, duplicates=duplicates, rejected=rejected, load_id=load_id)


def _record(con: duckdb.DuckDBPyConnection, r: FileResult, digest: str, status: str) -> None:
    con.execute(
        "INSERT INTO loads (load_id, path, content_hash, table_name, format, status, rows_read, loaded, "
        "updated, duplicates, rejected, ignored, error, loaded_at, launchkit_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
        [r.load_id, r.file, digest, r.table, r.format, status, r.rows_read, r.loaded, r.updated,
         r.duplicates, r.rejected, r.ignored, r.error, __version__],
    )


def _next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT nextval('load_id_seq')").fetchall()[0][0]


def _path_loaded_before(con: duckdb.DuckDBPyConnection, path: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM loads WHERE path = ? AND status = 'loaded'", [path]
    ).fetchall()[0][0] > 0


def _already_loaded(con: duckdb.DuckDBPyConnection, digest: str, table: str | None, *, besides: int = -1) -> bool:
    return con.execute(
        "SELECT count(*) FROM loads WHERE content_hash = ? AND status = 'loaded' AND (? IS NULL OR table_name = ?) "
        "AND load_id <> ?",
        [digest, table, table, besides],
    ).fetchall()[0][0] > 0


def _set_zone(con: duckdb.DuckDBPyConnection, zone: str) -> None:
    """Session zone for timestamps without an offset; `zone` must be a known zone name (allow-list)."""
    known = con.execute("SELECT count(*) FROM pg_timezone_names() WHERE name = ?", [zone]).fetchall()[0][0]
    if not known:
        raise LaunchkitError(f"config key 'ingest.timezone': unknown time zone {zone!r}")
    con.execute(f"SET TimeZone = {_sql_str(zone)}")


def detect_format(path: Path) -> str | None:
    """The format of a file: tabular by extension, trace formats by the registered detectors."""
    suffix = path.suffix.lower()
    tabular = TABULAR_FORMATS.get(suffix)
    # A .jsonl file that names no contract table may be trace JSON Lines (the collector's file exporter).
    if tabular and not (tabular == "jsonl" and table_for_file(path.name) is None):
        return tabular
    register_trace_formats()
    for detector in EXTRA_DETECTORS:
        found = detector(path)
        if found:
            return found
    return tabular


def _load_trace_file(con, path: Path, fmt: str, digest: str, config: Config) -> list[FileResult]:
    reader = EXTRA_FORMATS[fmt]
    staged = reader(con, path, config)
    results: list[FileResult] = []
    # One manifest row per table fed; the ignored and pre-rejected records are booked on the first.
    load_ids: dict[str, int] = {}
    for table, rel in staged.tables.items():
        load_ids[table] = _next_load_id(con)
        r = load_staged(con, load_id=load_ids[table], path=str(path), table=table, stg=rel)
        r.format = fmt
        results.append(r)
    if staged.pre_rejects or staged.ignored or not results:
        first_id = results[0].load_id if results else _next_load_id(con)
        if not results:
            results.append(FileResult(file=str(path), table=None, format=fmt, load_id=first_id))
        first = results[0]
        for row, column, reason, raw in staged.pre_rejects:
            con.execute(
                "INSERT INTO rejects VALUES (?, ?, ?, ?, ?, ?, ?)",
                [first_id, str(path), first.table or fmt, row, column, reason, raw],
            )
        first.rejected += len(staged.pre_rejects)
        first.rows_read += len(staged.pre_rejects) + staged.ignored
        first.ignored += staged.ignored
    for r in results:
        r.notes = list(staged.notes)
        _record(con, r, digest, "loaded")
    return results


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    config: Config,
    table: str | None = None,
    fmt: str | None = None,
) -> list[FileResult]:
    """Load one file in one transaction; a bad file gives a FileResult with `error`, never an exception."""
    path = Path(path)
    name = str(path)
    detected = False
    try:
        if not path.is_file():
            raise InputFileError(name, "no such file")
        if path.stat().st_size == 0:
            raise InputFileError(name, "empty file")
        if fmt is None:
            fmt = detect_format(path)
            detected = fmt not in (None, "csv", "parquet", "jsonl")
            if fmt is None:
                raise InputFileError(name, "unknown format: expected .csv, .parquet, .jsonl, or a trace format (--format)")
        if fmt not in TABULAR_FORMATS.values():
            register_trace_formats()
        if fmt not in TABULAR_FORMATS.values() and fmt not in EXTRA_FORMATS:
            raise InputFileError(name, f"unknown format '{fmt}'")
        if fmt in TABULAR_FORMATS.values():
            table = table or table_for_file(path.name)
            if table is None:
                raise InputFileError(
                    name, f"cannot tell the table from the file name; name it <table>_... or pass --table ({', '.join(TABLES)})"
                )
            if table not in TABLES:
                raise InputFileError(name, f"unknown table '{table}' ({', '.join(TABLES)})")
    except InputFileError as exc:
        return [_failed(con, name, table, fmt, exc.reason)]
    tabular = fmt in TABULAR_FORMATS.values()
    scan: Callable[[], tuple[str, int]]
    if tabular and path.stat().st_size >= _SMALL_FILE and not _path_loaded_before(con, name):
        # A large new file is hashed in a thread while DuckDB reads it (both release the GIL);
        # whether its content was loaded before (under another name) is checked once the hash is
        # known, before anything commits. A path loaded before is hashed first: a re-run skips fast.
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(scan_bytes, path)
        pool.shutdown(wait=False)
        scan = future.result
    else:
        scanned = scan_bytes(path)
        if _already_loaded(con, scanned[0], table if tabular else None):
            return [FileResult(file=name, table=table, format=fmt, skipped=True, detected=detected)]
        scan = lambda: scanned  # noqa: E731
    digest = None
    con.execute("BEGIN TRANSACTION")
    try:
        _set_zone(con, config.timezone)
        if fmt in EXTRA_FORMATS:
            digest = scan()[0]
            results = _load_trace_file(con, path, fmt, digest, config)
        else:
            assert table is not None
            bound = (lambda: scan()[1] - 1) if fmt == "csv" else None
            results = [_load_tabular(con, path, fmt, table, lambda: scan()[0], max_records=bound)]
            digest = scan()[0]
            if _already_loaded(con, digest, table, besides=results[0].load_id or -1):
                con.execute("ROLLBACK")
                con.execute("SET TimeZone = 'UTC'")
                return [FileResult(file=name, table=table, format=fmt, skipped=True, detected=detected)]
        con.execute("SET TimeZone = 'UTC'")
        for r in results:
            if not r.reconciles():  # a bug, not bad input: never commit counts that do not add up
                raise AssertionError(f"counts do not reconcile for {name}: {r}")
        con.execute("COMMIT")
    except InputFileError as exc:
        con.execute("ROLLBACK")
        con.execute("SET TimeZone = 'UTC'")
        return [_failed(con, name, table, fmt, exc.reason, digest or scan()[0])]
    except BaseException:
        con.execute("ROLLBACK")
        con.execute("SET TimeZone = 'UTC'")
        raise
    for r in results:
        r.detected = detected
    return results


def _load_tabular(
    con: duckdb.DuckDBPyConnection, path: Path, fmt: str, table: str, digest: Callable[[], str],
    max_records: Callable[[], int] | None = None,
) -> FileResult:
    spec = TABLES[table]
    columns, kind = _stage_tabular(con, path, fmt)
    _check_columns(path, spec, columns)
    if fmt == "jsonl":
        _jsonl_table(con, columns)
    load_id = _next_load_id(con)
    try:
        result = load_staged(con, load_id=load_id, path=str(path), table=table, stg="_src", max_records=max_records)
    except duckdb.Error as exc:  # the reader met something it cannot parse mid-file
        raise InputFileError(str(path), f"not a readable {fmt.upper()} file ({_first_line(exc, path)})") from None
    malformed = _malformed_csv_lines(con) if fmt == "csv" else []
    for line, reason in malformed:
        con.execute("INSERT INTO rejects VALUES (?, ?, ?, ?, NULL, ?, NULL)", [load_id, str(path), table, line, reason])
    result.rows_read += len(malformed)
    result.rejected += len(malformed)
    result.format = fmt
    con.execute(f"DROP {kind} IF EXISTS _src")
    _record(con, result, digest(), "loaded")
    return result


def _failed(con, name: str, table: str | None, fmt: str | None, reason: str, digest: str | None = None) -> FileResult:
    """Record a file that failed as a whole (once: re-running the same failure changes nothing)."""
    r = FileResult(file=name, table=table, format=fmt, error=reason)
    seen = con.execute(
        "SELECT count(*) FROM loads WHERE status = 'failed' AND path = ? AND content_hash = ? AND error = ?",
        [name, digest or "", reason],
    ).fetchall()[0][0]
    if not seen:
        r.load_id = _next_load_id(con)
        _record(con, r, digest or "", "failed")
    return r


def _is_data_file(path: Path, table: str | None, fmt: str | None) -> bool:
    """Whether a file found in a folder is one launchkit can load (others, e.g. a README.json, are passed over)."""
    if fmt is not None:
        return True
    found = detect_format(path)
    if found in TABULAR_FORMATS.values():
        return table is not None or table_for_file(path.name) is not None
    return found is not None


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    *,
    config: Config,
    table: str | None = None,
    fmt: str | None = None,
    price: bool = True,
) -> list[FileResult]:
    """Load every file named, and every data file in folders named; one result per file and table.

    Afterwards (price=True) the per-model, per-day prices are refreshed so that turns without a
    reported cost are priced from their tokens.

    A file named explicitly must load or fail; a file in a folder that is not a launchkit data
    file (no table prefix, unrecognised JSON) is reported as passed over, not as a failure.
    """
    results: list[FileResult] = []
    for path, from_folder in expand_paths(paths):
        if from_folder and not _is_data_file(path, table, fmt):
            results.append(FileResult(file=str(path), table=None, skipped=True, passed_over=True))
            continue
        results.extend(load_file(con, path, config=config, table=table, fmt=fmt))
    if price and any(r.table == "turns" and (r.loaded or r.updated) for r in results):
        from launchkit import pricing

        pricing.refresh(con, config)  # price turns that arrived without a cost (view turns_priced)
    return results


def register_trace_formats() -> None:
    """Make the trace importers (OTLP, SDK span JSON, Langfuse) known to the loader.

    Imported on first need only: they bring pandas, which a CSV or Parquet load does not need.
    """
    import launchkit.telemetry  # noqa: F401  (registers itself into EXTRA_FORMATS on import)
