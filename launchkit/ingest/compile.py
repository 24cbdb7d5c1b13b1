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

from launchkit.contract import SQL_TYPE, Column, Table
from launchkit.store.sql import quote_ident, string_literal

# Epoch numbers below this are seconds, from it up to EPOCH_MAX milliseconds (1e11 s is year 5138).
EPOCH_MS_FROM = 100_000_000_000
EPOCH_MAX = 100_000_000_000_000
# A UTC offset no place has (beyond +/-14:00, or 60+ minutes) after a time: '...10:00:00+25:00'.
IMPOSSIBLE_OFFSET = (
    r"\d:\d\d(?::\d\d(?:[.,]\d*)?)?\s*[+-](?:1[5-9]|[2-9]\d|14:?(?:0[1-9]|[1-9]\d)|\d\d:?[6-9]\d)(?::?\d\d)?$"
)
# The plausibility window ([ingest] earliest, max_future_hours), set per load as a DuckDB variable
# (launchkit.ingest.manifest.set_window); unset, no window applies.
WINDOW_VARIABLE = "lk_window"
TOO_EARLY = "before the plausible window ([ingest] earliest)"
TOO_LATE = "too far in the future ([ingest] max_future_hours)"
TOO_COSTLY = "above [ingest] max_turn_cost_usd"
# Reasons that depend on the moment of the load or on configuration: a row rejected for one is held and
# re-evaluated by later loads (launchkit.ingest.held), never given up for good.
HELD_REASONS: tuple[str, ...] = (TOO_EARLY, TOO_LATE, TOO_COSTLY)
# The most a capped value may be whatever the configuration says (config.schema.MAX_TURN_COST_BOUND):
# beyond it a turn's cost could overflow the exact session sums, so the row is rejected for good.
CAP_BOUND = 100_000.0


def _window_checks(col: Column, t: str, low: str, high: str) -> list[tuple[str, str]]:
    """A time outside the plausibility window rejects the row; a planned time may lie ahead."""
    var = f"getvariable({string_literal(WINDOW_VARIABLE)})"
    out = [(f"{t} < {var}.{low}", TOO_EARLY)]
    if not col.may_be_planned:
        out.append((f"{t} > {var}.{high}", TOO_LATE))
    return out


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
        value = string_literal(col.default) if col.default is not None else f"CAST(NULL AS {SQL_TYPE[col.kind]})"
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
            # TRY_CAST: a row that is not a whole number in range is rejected by the checks above, but the
            # projection still computes its value (a NaN or 1e400 must not fail the whole file)
            value = f"TRY_CAST({d} AS {'BIGINT' if col.kind == 'bigint' else 'INTEGER'})"
        if col.min is not None:
            checks.append((f"{d} < {col.min!r}", f"below minimum {col.min:g}"))
        if col.max is not None:
            checks.append((f"{d} > {col.max!r}", f"above maximum {col.max:g}"))
        if col.cap is not None:
            checks.append((f"{d} > {CAP_BOUND!r}", f"above {CAP_BOUND:,.0f}, the most launchkit sums exactly"))
            var = f"getvariable({string_literal(WINDOW_VARIABLE)})"
            checks.append((f"{d} > {var}.{col.cap}", TOO_COSTLY))
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
            # seconds below 1e11, milliseconds below 1e14. A plain number never parses as ISO, and
            # only text that starts with a digit is tried as ISO: DuckDB's special values
            # ('infinity', '-infinity', 'epoch') are not times anybody meant.
            epoch = (
                f"CASE WHEN NOT isfinite({d}) THEN NULL WHEN abs({d}) < {EPOCH_MS_FROM} THEN to_timestamp({d}) "
                f"WHEN abs({d}) < {EPOCH_MAX} THEN to_timestamp({d} / 1000.0) END"
            )
            iso = (
                f"CASE WHEN ascii({n}) BETWEEN 48 AND 57 THEN TRY_CAST({n} AS TIMESTAMPTZ) END"
                if is_text
                else "NULL::TIMESTAMPTZ"
            )
            parsed.append((d, f"CASE WHEN {iso} IS NULL THEN TRY_CAST({n} AS DOUBLE) END"))
            parsed.append((t, f"coalesce({iso}, {epoch})"))
            checks.append((f"{n} IS NOT NULL AND {t} IS NULL AND isfinite({d})", "epoch value out of range"))
        else:
            parsed.append(
                (t, f"CASE WHEN isfinite(TRY_CAST({n} AS TIMESTAMPTZ)) THEN TRY_CAST({n} AS TIMESTAMPTZ) END")
            )
        checks.append((f"{n} IS NOT NULL AND {t} IS NULL", "unparseable timestamp"))
        if is_text:
            checks.append(
                (
                    f"NOT suffix({n}, 'Z') AND regexp_matches({n}, {string_literal(IMPOSSIBLE_OFFSET)})",
                    "unparseable timestamp (UTC offset beyond +/-14:00)",
                )
            )
        checks.extend(_window_checks(col, t, "earliest", "latest"))
        value = t
    elif col.kind == "date":
        guard = f"ascii({n}) BETWEEN 48 AND 57 AND " if is_text else ""
        parsed.append((t, f"CASE WHEN {guard}isfinite(TRY_CAST({n} AS DATE)) THEN TRY_CAST({n} AS DATE) END"))
        checks.append((f"{n} IS NOT NULL AND {t} IS NULL", "unparseable date"))
        checks.extend(_window_checks(col, t, "first_day", "last_day"))
        value = t
    else:  # pragma: no cover
        raise AssertionError(col.kind)
    if col.default is not None:
        value = f"coalesce({value}, {string_literal(col.default)})"
    return _ColumnSQL(norm, parsed, value, checks)


def absent_columns(con: duckdb.DuckDBPyConnection, table: Table, src: str) -> list[str]:
    """The contract columns the staged relation `src` does not carry, in contract order."""
    present = {r[0] for r in con.execute("SELECT name FROM pragma_table_info(?)", [src]).fetchall()}
    return [c for c in table.column_names if c not in present]


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
