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
        return out

    def summary(self) -> str:
        if self.error:
            return f"FAILED {self.file}: {self.error}"
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
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and every file (sorted, not hidden) in folders named."""
    for p in map(Path, paths):
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if child.is_file() and not child.name.startswith(".") and child.suffix.lower() in _KNOWN_SUFFIXES:
                    yield child
        else:
            yield p


_KNOWN_SUFFIXES = set(TABULAR_FORMATS) | {".json"}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------
# Reading a tabular file into a staged relation of raw values with a 1-based `_row`.


def _stage_tabular(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> tuple[list[str], list[tuple[int, str]]]:
    """Create temp table _stg(_row, <file columns>) from the file; return its columns and malformed lines."""
    malformed: list[tuple[int, str]] = []
    try:
        if fmt == "csv":
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _stg AS SELECT row_number() OVER () AS _row, * "
                "FROM read_csv(?, all_varchar = true, header = true, store_rejects = true, "
                "rejects_scan = '_lk_scan', rejects_table = '_lk_errors')",
                [str(path)],
            )
            malformed = [
                (int(line), f"malformed CSV line {line}: {msg}")
                for line, msg in con.execute(
                    "SELECT line, error_message FROM _lk_errors ORDER BY line"
                ).fetchall()
            ]
            con.execute("DROP TABLE IF EXISTS _lk_errors")
            con.execute("DROP TABLE IF EXISTS _lk_scan")
        elif fmt == "parquet":
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _stg AS SELECT * EXCLUDE (file_row_number), "
                "file_row_number + 1 AS _row FROM read_parquet(?, file_row_number = true)",
                [str(path)],
            )
        elif fmt == "jsonl":
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _raw AS SELECT row_number() OVER () AS _row, json "
                "FROM read_ndjson_objects(?)",
                [str(path)],
            )
            keys = [
                r[0]
                for r in con.execute(
                    "SELECT DISTINCT k FROM (SELECT unnest(json_keys(json)) AS k FROM _raw) ORDER BY k"
                ).fetchall()
            ]
            bad = con.execute(
                "SELECT min(_row) FROM _raw WHERE json_type(json) <> 'OBJECT'"
            ).fetchall()[0][0]
            if bad is not None:
                raise InputFileError(str(path), f"line {bad} is not a JSON object")
            # Keys become columns only after the allow-list check in _check_columns.
            return keys, malformed
        else:  # pragma: no cover - guarded by the caller
            raise InputFileError(str(path), f"unsupported format {fmt}")
    except InputFileError:
        raise
    except duckdb.Error as exc:
        raise InputFileError(str(path), f"not a readable {fmt.upper()} file ({_first_line(exc)})") from None
    cols = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('_stg')").fetchall() if r[0] != "_row"]
    return cols, malformed


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _check_columns(path: Path, table: Table, columns: list[str]) -> None:
    names = set(table.column_names)
    missing = [c.name for c in table.columns if c.required and c.name not in columns]
    unknown = [c for c in columns if c not in names]
    problems = []
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if problems:
        raise InputFileError(
            str(path), f"not a '{table.name}' file: {'; '.join(problems)} (expected {', '.join(table.column_names)})"
        )


def _jsonl_to_stg(con: duckdb.DuckDBPyConnection, keys: list[str]) -> None:
    """Turn _raw(_row, json) into _stg(_row, key...) with every value as text (keys already allow-listed)."""
    cols = ", ".join(f"json_extract_string(json, {_sql_str('$.' + _json_path_key(k))}) AS {_q(k)}" for k in keys)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _stg AS SELECT _row{', ' + cols if cols else ''} FROM _raw")
    con.execute("DROP TABLE _raw")


def _json_path_key(key: str) -> str:
    return '"' + key.replace('"', '\\"') + '"'


def _sql_str(text: str) -> str:
    """A SQL string literal for an allow-listed identifier-like text (never for data values)."""
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Typing and validating staged values, in SQL.


def _typed_expr(col: Column, src_type: str | None) -> tuple[str, list[tuple[str, str]]]:
    """SQL for the typed value of `col` from staged column of type `src_type`, and its failure checks.

    Returns (value_sql, [(condition_sql, reason)]), conditions true when the row must be rejected.
    `src` stands for the staged column. Checks are in the order they apply.
    """
    src = _q(col.name)
    if src_type is None:  # column absent from the file
        value = _sql_str(col.default) if col.default is not None else "NULL"
        checks = [("TRUE", "missing required value")] if col.required and col.default is None else []
        return value, checks
    is_text = src_type == "VARCHAR"
    raw = f"NULLIF(trim({src}), '')" if is_text else src
    checks: list[tuple[str, str]] = []
    if col.kind == "text":
        v = f"CAST({raw} AS VARCHAR)" if not is_text else raw
        if col.choices:
            whens = " ".join(f"WHEN {_sql_str(c.lower())} THEN {_sql_str(c)}" for c in col.choices)
            choice = f"(CASE lower({v}) {whens} END)"
            checks.append((f"{v} IS NOT NULL AND {choice} IS NULL", f"not one of {', '.join(col.choices)}"))
            v = choice
    elif col.kind in ("double", "bigint", "integer"):
        d = f"TRY_CAST({raw} AS DOUBLE)"
        checks.append((f"{raw} IS NOT NULL AND ({d} IS NULL OR NOT isfinite({d}))", "not a number"))
        if col.kind != "double":
            checks.append((f"{d} IS NOT NULL AND {d} <> trunc({d})", "not a whole number"))
            v = f"CAST({d} AS {'BIGINT' if col.kind == 'bigint' else 'INTEGER'})"
            if col.kind == "integer":
                checks.append((f"abs({d}) > 2147483647", "out of range"))
        else:
            v = d
        if col.min is not None:
            checks.append((f"{d} < {col.min!r}", f"below minimum {col.min:g}"))
        if col.max is not None:
            checks.append((f"{d} > {col.max!r}", f"above maximum {col.max:g}"))
    elif col.kind == "timestamp":
        if is_text:
            num = f"TRY_CAST({raw} AS DOUBLE)"
            epoch = (
                f"CASE WHEN abs({num}) < {_EPOCH_MS_FROM} THEN to_timestamp({num}) "
                f"WHEN abs({num}) < {_EPOCH_MAX} THEN to_timestamp({num} / 1000.0) END"
            )
            is_num = f"regexp_full_match({raw}, '-?[0-9]+(\\.[0-9]+)?')"
            v = f"(CASE WHEN {is_num} THEN {epoch} ELSE TRY_CAST({raw} AS TIMESTAMPTZ) END)"
            checks.append((f"{raw} IS NOT NULL AND {is_num} AND {epoch} IS NULL", "epoch value out of range"))
            checks.append((f"{raw} IS NOT NULL AND {v} IS NULL", "unparseable timestamp"))
        elif src_type in ("BIGINT", "INTEGER", "DOUBLE", "HUGEINT", "UBIGINT", "FLOAT", "DECIMAL") or src_type.startswith("DECIMAL"):
            num = f"CAST({src} AS DOUBLE)"
            v = (
                f"(CASE WHEN abs({num}) < {_EPOCH_MS_FROM} THEN to_timestamp({num}) "
                f"WHEN abs({num}) < {_EPOCH_MAX} THEN to_timestamp({num} / 1000.0) END)"
            )
            checks.append((f"{src} IS NOT NULL AND {v} IS NULL", "epoch value out of range"))
        else:
            v = f"TRY_CAST({src} AS TIMESTAMPTZ)"
            checks.append((f"{src} IS NOT NULL AND {v} IS NULL", "unparseable timestamp"))
    elif col.kind == "date":
        v = f"TRY_CAST({raw} AS DATE)"
        checks.append((f"{raw} IS NOT NULL AND {v} IS NULL", "unparseable date"))
    else:  # pragma: no cover
        raise AssertionError(col.kind)
    if col.default is not None:
        v = f"coalesce({v}, {_sql_str(col.default)})"
    if col.required:
        checks.insert(0, (f"{raw} IS NULL", "missing required value"))
    return v, checks


def _stage_typed(con: duckdb.DuckDBPyConnection, table: Table, stg: str) -> None:
    """Create temp table _typed(_row, typed contract columns, _reason, _column, _raw) from `stg`."""
    types = {
        name: typ
        for name, typ in con.execute(
            "SELECT name, type FROM pragma_table_info(?)", [stg]
        ).fetchall()
    }
    values, reasons = [], []
    for col in table.columns:
        v, checks = _typed_expr(col, types.get(col.name))
        values.append(f"{v} AS {_q(col.name)}")
        for cond, reason in checks:
            reasons.append((cond, col.name, reason))
    present = [c for c in types if c != "_row"]
    raw = "to_json(struct_pack(" + ", ".join(f"{_q(c)} := {_q(c)}" for c in present) + "))" if present else "NULL"
    row_reason = " ".join(f"WHEN {cond} THEN {_sql_str(reason)}" for cond, _, reason in reasons)
    row_column = " ".join(f"WHEN {cond} THEN {_sql_str(colname)}" for cond, colname, _ in reasons)
    reason_sql = f"CASE {row_reason} END" if reasons else "NULL"
    column_sql = f"CASE {row_column} END" if reasons else "NULL"
    # Cross-column checks apply to otherwise valid rows, over the typed values.
    cross = " ".join(f"WHEN NOT ({chk.predicate}) THEN {_sql_str(chk.reason)}" for chk in table.checks)
    cross_col = " ".join(f"WHEN NOT ({chk.predicate}) THEN {_sql_str(chk.column)}" for chk in table.checks)
    typed_cols = ", ".join(_q(c) for c in table.column_names)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _typed AS
        WITH v AS (
            SELECT _row, {', '.join(values)}, {reason_sql} AS _r0, {column_sql} AS _c0,
                   CASE WHEN ({reason_sql}) IS NOT NULL THEN {raw} END AS _raw0
            FROM {_q(stg)}
        )
        SELECT _row, {typed_cols},
               coalesce(_r0, {('CASE ' + cross + ' END') if cross else 'NULL'}) AS _reason,
               coalesce(_c0, {('CASE ' + cross_col + ' END') if cross else 'NULL'}) AS _column,
               _raw0 AS _raw_partial
        FROM v
        """
    )
    if table.checks:  # rows rejected by a cross-column check need their raw values too
        con.execute(
            f"UPDATE _typed SET _raw_partial = (SELECT {raw} FROM {_q(stg)} s WHERE s._row = _typed._row) "
            "WHERE _reason IS NOT NULL AND _raw_partial IS NULL"
        )


# ---------------------------------------------------------------------------------------------
# Merging valid rows into the contract table.


def _merge(con: duckdb.DuckDBPyConnection, table: Table, load_id: int) -> tuple[int, int, int]:
    """Merge valid rows of _typed into the table; return (loaded, updated, duplicates)."""
    key = _q(table.key)
    target = _q(table.name)
    cols = [_q(c) for c in table.column_names]
    col_list = ", ".join(cols)
    n_valid, n_keys = con.execute(
        f"SELECT count(*), count(DISTINCT {key}) FROM _typed WHERE _reason IS NULL"
    ).fetchall()[0]
    clash = con.execute(
        f"SELECT count(*) FROM {target} AS t SEMI JOIN _typed AS s ON t.{key} = s.{key} AND s._reason IS NULL"
    ).fetchall()[0][0]
    if n_valid == n_keys and clash == 0:  # the common case: all new, all distinct
        con.execute(
            f"INSERT INTO {target} ({col_list}, {LINEAGE_COLUMN}) "
            f"SELECT {col_list}, ? FROM _typed WHERE _reason IS NULL ORDER BY _row",
            [load_id],
        )
        return n_valid, 0, 0
    row_val = "struct_pack(" + ", ".join(f"{c} := {c}" for c in cols) + ")"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _cls AS
        WITH v AS (SELECT _row, {key} AS k, {row_val} AS val FROM _typed WHERE _reason IS NULL),
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
        SELECT _row, k, from_last = 1 AS is_last, cur_val,
               CASE
                   WHEN nth = 1 AND NOT existed THEN 'loaded'
                   WHEN val IS NOT DISTINCT FROM (CASE WHEN nth = 1 THEN cur_val ELSE prev_in_file END) THEN 'duplicate'
                   ELSE 'updated'
               END AS outcome,
               val IS NOT DISTINCT FROM cur_val AS same_as_current
        FROM seq
        """
    )
    loaded, updated, duplicates = con.execute(
        "SELECT count(*) FILTER (outcome = 'loaded'), count(*) FILTER (outcome = 'updated'), "
        "count(*) FILTER (outcome = 'duplicate') FROM _cls"
    ).fetchall()[0]
    # Write each key's last row unless the warehouse already holds exactly that value.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _final AS SELECT _row, k, cur_val IS NOT NULL AS existed FROM _cls "
        "WHERE is_last AND NOT coalesce(same_as_current, false)"
    )
    con.execute(f"DELETE FROM {target} WHERE {key} IN (SELECT k FROM _final WHERE existed)")
    con.execute(
        f"INSERT INTO {target} ({col_list}, {LINEAGE_COLUMN}) "
        f"SELECT {', '.join('t.' + c for c in cols)}, ? FROM _typed t JOIN _final f ON t._row = f._row ORDER BY t._row",
        [load_id],
    )
    return loaded, updated, duplicates


def _write_rejects(con: duckdb.DuckDBPyConnection, load_id: int, path: str, table: str) -> int:
    con.execute(
        "INSERT INTO rejects SELECT ?, ?, ?, _row, _column, _reason, _raw_partial FROM _typed "
        "WHERE _reason IS NOT NULL ORDER BY _row",
        [load_id, path, table],
    )
    return con.execute("SELECT count(*) FROM _typed WHERE _reason IS NOT NULL").fetchall()[0][0]


def load_staged(
    con: duckdb.DuckDBPyConnection, *, load_id: int, path: str, table: str, stg: str
) -> FileResult:
    """Validate staged relation `stg` (with `_row` and contract column names) and merge it into `table`.

    Must run inside the caller's transaction; records rejects but not the manifest row.
    """
    spec = TABLES[table]
    _stage_typed(con, spec, stg)
    rows_read = con.execute("SELECT count(*) FROM _typed").fetchall()[0][0]
    rejected = _write_rejects(con, load_id, path, table)
    loaded, updated, duplicates = _merge(con, spec, load_id)
    for t in ("_typed", "_cls", "_final"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return FileResult(file=path, table=table, rows_read=rows_read, loaded=loaded, updated=updated,
                      duplicates=duplicates, rejected=rejected, load_id=load_id)


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


def _already_loaded(con: duckdb.DuckDBPyConnection, digest: str, table: str | None) -> bool:
    return con.execute(
        "SELECT count(*) FROM loads WHERE content_hash = ? AND status = 'loaded' AND (? IS NULL OR table_name = ?)",
        [digest, table, table],
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
    if suffix in TABULAR_FORMATS:
        return TABULAR_FORMATS[suffix]
    for detector in EXTRA_DETECTORS:
        found = detector(path)
        if found:
            return found
    if suffix == ".json":
        return None
    return None


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
    digest = content_hash(path)
    if _already_loaded(con, digest, table if fmt in TABULAR_FORMATS.values() else None):
        return [FileResult(file=name, table=table, format=fmt, skipped=True, detected=detected)]
    con.execute("BEGIN TRANSACTION")
    try:
        _set_zone(con, config.timezone)
        if fmt in EXTRA_FORMATS:
            results = _load_trace_file(con, path, fmt, digest, config)
        else:
            assert table is not None
            results = [_load_tabular(con, path, fmt, table, digest)]
        con.execute("SET TimeZone = 'UTC'")
        for r in results:
            if not r.reconciles():  # a bug, not bad input: never commit counts that do not add up
                raise AssertionError(f"counts do not reconcile for {name}: {r}")
        con.execute("COMMIT")
    except InputFileError as exc:
        con.execute("ROLLBACK")
        con.execute("SET TimeZone = 'UTC'")
        return [_failed(con, name, table, fmt, exc.reason, digest)]
    except BaseException:
        con.execute("ROLLBACK")
        con.execute("SET TimeZone = 'UTC'")
        raise
    for r in results:
        r.detected = detected
    return results


def _load_tabular(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, table: str, digest: str) -> FileResult:
    spec = TABLES[table]
    columns, malformed = _stage_tabular(con, path, fmt)
    _check_columns(path, spec, columns)
    if fmt == "jsonl":
        _jsonl_to_stg(con, columns)
    load_id = _next_load_id(con)
    result = load_staged(con, load_id=load_id, path=str(path), table=table, stg="_stg")
    for line, reason in malformed:
        con.execute("INSERT INTO rejects VALUES (?, ?, ?, ?, NULL, ?, NULL)", [load_id, str(path), table, line, reason])
    result.rows_read += len(malformed)
    result.rejected += len(malformed)
    result.format = fmt
    con.execute("DROP TABLE IF EXISTS _stg")
    _record(con, result, digest, "loaded")
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


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    *,
    config: Config,
    table: str | None = None,
    fmt: str | None = None,
) -> list[FileResult]:
    """Load every file named (folders: every file in them); one result per file and table."""
    results: list[FileResult] = []
    files = list(expand_paths(paths))
    for path in files:
        results.extend(load_file(con, path, config=config, table=table, fmt=fmt))
    return results
