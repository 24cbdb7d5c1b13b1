"""Merging a staged, typed file into its contract table: loaded, updated, duplicate or rejected, exactly.

Row classification, per key, in file order: a key not seen before is *loaded*; a row equal to the
key's current value (the previous row in the file, else the warehouse) is a *duplicate*; a row
that differs from it is a late correction, *updated*. The key's last row in the file wins.
Invalid rows go to `rejects` with their row number, column, reason and raw values; those rejected for a
reason that can change (compile.HELD_REASONS) are marked held, for later loads to re-evaluate.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from launchkit.contract import LINEAGE_COLUMN, TABLES, Table
from launchkit.ingest.compile import HELD_REASONS, absent_columns, typed_sql
from launchkit.ingest.result import FileResult
from launchkit.store.sql import quote_ident


def _insert_all_valid(con: duckdb.DuckDBPyConnection, table: Table, load_id: int, tv: str) -> int:
    """Stream every valid row into the table (one pass, the file read once); returns the count."""
    cols = ", ".join(quote_ident(c) for c in table.column_names)
    # Row order in the table carries no meaning (file order is kept by `_row` where it matters:
    # reject numbering and the exact merge), so DuckDB may insert in whatever order is fastest.
    con.execute("SET preserve_insertion_order = false")
    try:
        return con.execute(
            f"INSERT INTO {quote_ident(table.name)} ({cols}, {LINEAGE_COLUMN}) SELECT {cols}, ? FROM {tv} WHERE _code IS NULL",
            [load_id],
        ).fetchall()[0][0]
    finally:
        con.execute("SET preserve_insertion_order = true")


def _has_key_conflicts(con: duckdb.DuckDBPyConnection, table: Table, load_id: int) -> bool:
    """True when this load repeats a key, or hits a key already in the table."""
    key, target = quote_ident(table.key), quote_ident(table.name)
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


def _merge_exact(
    con: duckdb.DuckDBPyConnection, table: Table, load_id: int, tvr: str, absent: list[str]
) -> tuple[int, int, int, int]:
    """Classify valid rows key by key in file order and write each key's last row.

    Columns the file does not carry (`absent`) keep the stored row's values for keys already in
    the warehouse: a correction file with fewer columns corrects what it has and erases nothing.
    Returns (loaded, updated, duplicates, rows whose absent columns were kept).
    """
    key, target = quote_ident(table.key), quote_ident(table.name)
    cols = [quote_ident(c) for c in table.column_names]
    col_list = ", ".join(cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _typed AS SELECT _row, {col_list} FROM {tvr} WHERE _code IS NULL")
    kept = 0
    if absent:
        sets = ", ".join(f"{quote_ident(c)} = _stored.{quote_ident(c)}" for c in absent)
        kept = con.execute(
            f"UPDATE _typed SET {sets} FROM {target} AS _stored WHERE _typed.{key} = _stored.{key}"
        ).fetchall()[0][0]
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
    return loaded, updated, duplicates, kept


def _write_rejects(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    path: str,
    table: str,
    tv: str,
    tvr: str,
    valid: int | None = None,
    max_records: int | Callable[[], int] | None = None,
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
    n = (
        con.execute(f"SELECT count(*) FROM {tv} WHERE _code IS NOT NULL").fetchall()[0][0]
        if valid is None
        else (
            con.execute(f"SELECT count(*) FROM {tv}").fetchall()[0][0] - valid  # count(*) needs no parsing
        )
    )
    if n:
        con.execute(
            "INSERT INTO rejects (load_id, path, table_name, row_number, column_name, reason, raw, held) "
            f"SELECT ?, ?, ?, _row, _column, _reason, _raw, list_contains(?, _reason) FROM {tvr} WHERE _code IS NOT NULL",
            [load_id, path, table, list(HELD_REASONS)],
        )
    return n


def load_staged(
    con: duckdb.DuckDBPyConnection,
    *,
    load_id: int,
    path: str,
    table: str,
    stg: str,
    max_records: int | Callable[[], int] | None = None,
) -> FileResult:
    """Validate the staged relation `stg` (contract column names, optional `_row`) and merge it into `table`.

    Runs inside the caller's transaction; records rejects but not the manifest row. The common
    case (all keys new and distinct) streams the file into the table once; repeated or known keys
    undo that insert and take the exact, order-aware path.
    """
    spec = TABLES[table]
    tv, tvr = typed_sql(con, spec, stg)
    inserted = _insert_all_valid(con, spec, load_id, tv)
    notes: list[str] = []
    if _has_key_conflicts(con, spec, load_id):
        con.execute(f"DELETE FROM {quote_ident(spec.name)} WHERE {LINEAGE_COLUMN} = ?", [load_id])
        absent = absent_columns(con, spec, stg)
        loaded, updated, duplicates, kept = _merge_exact(con, spec, load_id, tvr, absent)
        if kept:
            notes.append(
                f"{kept} row(s) already stored kept their values of the columns this file does not have: "
                + ", ".join(absent)
            )
    else:
        loaded, updated, duplicates = inserted, 0, 0
    rejected = _write_rejects(
        con, load_id, path, table, tv, tvr, valid=loaded + updated + duplicates, max_records=max_records
    )
    return FileResult(
        file=path,
        table=table,
        rows_read=loaded + updated + duplicates + rejected,
        loaded=loaded,
        updated=updated,
        duplicates=duplicates,
        rejected=rejected,
        load_id=load_id,
        notes=notes,
    )
