"""What is in the warehouse: tables with row counts and time ranges, recent loads, rejects by reason, and
whether every value of it can still be read (a damaged file is found here, not by the next report)."""

from __future__ import annotations

from typing import Any

import duckdb

from launchkit.jsonclean import clean
from launchkit.store import queries
from launchkit.store.backup import BATCH_ROWS, tables
from launchkit.store.connect import damaged, is_damage
from launchkit.store.migrate import schema_version
from launchkit.store.runner import Warehouse
from launchkit.store.sql import identifier


def _records(wh: Warehouse, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = wh.cursor(name, params)
    cols = [d[0] for d in cur.description]
    return [clean(dict(zip(cols, row))) for row in cur.fetchall()]


def read_all(wh: Warehouse) -> dict[str, int]:
    """Read every value of every table, so DuckDB checks every data block it stored; rows per table.

    A block that is damaged (a failed checksum, a truncated file) raises WarehouseDamaged naming the
    file, instead of staying hidden until a report or a load needs that block.
    """
    names = tables(wh)
    q = queries.load_query("backup/read_table")
    counts = {}
    try:
        for table in names:
            sql = queries.bind_identifiers(q, {"table": identifier(table, names)})
            counts[table] = sum(batch.num_rows for batch in wh.con.sql(sql).to_arrow_reader(BATCH_ROWS))
    except duckdb.Error as exc:
        if is_damage(exc):
            raise damaged(wh.path or "(in memory)", exc) from None
        raise
    return counts


def status(wh: Warehouse, *, last: int = 10, verify: bool = True) -> dict[str, Any]:
    """A JSON-ready summary of the warehouse; with `verify`, after reading all of it (see read_all)."""
    checked = read_all(wh) if verify else None
    return {
        "verified": None if checked is None else {"tables": len(checked), "rows": sum(checked.values())},
        "schema_version": schema_version(wh.con),
        "tables": _records(wh, "status/tables"),
        "loads": _records(wh, "status/load_totals")[0],
        "last_loads": _records(wh, "status/last_loads", {"limit": last}),
        "rejects_by_reason": _records(wh, "status/rejects_by_reason"),
    }
