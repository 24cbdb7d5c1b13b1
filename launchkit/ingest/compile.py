"""The one contract-to-SQL compiler: how a staged file's raw values are typed and checked, in DuckDB.

For each contract column it builds the SQL that normalises the raw value (blank -> NULL, trimmed),
parses it once (numbers, ISO or epoch timestamps, dates, case-folded enums) and lists the checks a
row must pass, in order; `typed_sql` assembles them into a query whose rows carry the typed values
and the number and reason of the first rule each row breaks. Values are never formatted into SQL:
only contract-defined names and reasons are, quoted by launchkit.store.sql.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from launchkit.contract import Column, Table
from launchkit.store.sql import quote_ident, string_literal

# Epoch numbers below this are seconds, from it up to EPOCH_MAX milliseconds (1e11 s is year 5138).
EPOCH_MS_FROM = 100_000_000_000
EPOCH_MAX = 100_000_000_000_000


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
        value = string_literal(col.default) if col.default is not None else "NULL"
        absent = [("TRUE", "missing required value")] if col.required and col.default is None else []
        return _ColumnSQL("NULL", [], value, absent)
    src = quote_ident(col.name)
    is_text = src_type == "VARCHAR"
    # NULLIF(trim(x), '') -- but trim only the values that need it: most do not, and trimming
    # every value costs more than reading it (about 0.15 s per column per 10M rows).
    norm = (
        f"NULLIF(CASE WHEN prefix({src}, ' ') OR suffix({src}, ' ') THEN trim({src}) ELSE {src} END, '')"
        if is_text
        else src
    )
    parsed: list[tuple[str, str]] = []
    checks: list[tuple[str, str]] = []
    if col.required and col.default is None:
        checks.append((f"{n} IS NULL", "missing required value"))
    if col.kind == "text":
        value = n if is_text else f"CAST({n} AS VARCHAR)"
        if col.choices:
            exact = " ".join(f"WHEN {string_literal(c)} THEN {string_literal(c)}" for c in col.choices)
            folded = " ".join(f"WHEN {string_literal(c.lower())} THEN {string_literal(c)}" for c in col.choices)
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
        numeric = src_type in (
            "BIGINT",
            "INTEGER",
            "DOUBLE",
            "HUGEINT",
            "UBIGINT",
            "FLOAT",
            "SMALLINT",
            "UINTEGER",
        ) or src_type.startswith("DECIMAL")
        if is_text or numeric:
            # ISO-8601 (with Z, an offset, or none: the session zone) first; else an epoch number:
            # seconds below 1e11, milliseconds below 1e14. A plain number never parses as ISO.
            epoch = (
                f"CASE WHEN abs({d}) < {EPOCH_MS_FROM} THEN to_timestamp({d}) "
                f"WHEN abs({d}) < {EPOCH_MAX} THEN to_timestamp({d} / 1000.0) END"
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
        value = f"coalesce({value}, {string_literal(col.default)})"
    return _ColumnSQL(norm, parsed, value, checks)


def typed_sql(con: duckdb.DuckDBPyConnection, table: Table, src: str) -> tuple[str, str]:
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
    raw_json = "to_json(struct_pack(" + ", ".join(f"{quote_ident(c)} := {quote_ident(c)}" for c in present) + "))"
    norms = ", ".join(f"{p.norm} AS _n{i}" for i, p in enumerate(parts))
    parsed = ", ".join(f"{expr} AS {alias}" for p in parts for alias, expr in p.parsed)
    n_aliases = ", ".join(f"_n{i}" for i in range(len(parts)))
    values = ", ".join(f"{p.value} AS {quote_ident(c.name)}" for c, p in zip(table.columns, parts))
    code = (
        "CASE " + " ".join(f"WHEN {c} THEN {k + 1}" for k, (c, _, _) in enumerate(rules)) + " END" if rules else "NULL"
    )
    cross_code = (
        "CASE " + " ".join(f"WHEN {c} THEN {len(rules) + k + 1}" for k, (c, _, _) in enumerate(cross)) + " END"
        if cross
        else "NULL"
    )
    all_rules = rules + cross
    reasons = "[" + ", ".join(string_literal(r) for _, _, r in all_rules) + "]" if all_rules else "[NULL]"
    columns = "[" + ", ".join(string_literal(c) for _, c, _ in all_rules) + "]" if all_rules else "[NULL]"
    typed_cols = ", ".join(quote_ident(c) for c in table.column_names)
    tv0 = f"SELECT {keep_row}{norms}, {raw_json} AS _raw FROM {quote_ident(src)}"
    tv1 = f"SELECT {keep_row}{n_aliases}{', ' + parsed if parsed else ''}, _raw FROM ({tv0})"
    tv2 = f"SELECT {keep_row}{values}, {code} AS _code0, _raw FROM ({tv1})"
    tv = (
        f"SELECT {keep_row}{typed_cols}, coalesce(_code0, {cross_code}) AS _code, "
        f"{reasons}[coalesce(_code0, {cross_code})] AS _reason, {columns}[coalesce(_code0, {cross_code})] AS _column, "
        f"_raw FROM ({tv2})"
    )
    tvr = tv if has_row else f"SELECT row_number() OVER () AS _row, * FROM ({tv})"
    return f"({tv})", f"({tvr})"
