"""What is in the warehouse: tables with row counts and time ranges, recent loads, rejects and ignored
records by reason, the loads that finished with warnings, and whether every value of it can still be
read (a damaged file is found here, not by the next report).

Every record a load read is loaded, updated, a duplicate, rejected or ignored:
rows_read = loaded + updated + duplicates + rejected + ignored, in total and per reason.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from launchkit.jsonclean import clean
from launchkit.store import queries
from launchkit.store.backup import BATCH_ROWS, tables
from launchkit.store.connect import damaged, is_damage
from launchkit.store.migrate import schema_version
from launchkit.store.sql import identifier
from launchkit.store.warehouse import Warehouse


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
        "ignored_by_reason": ignored_by_reason(wh),
        "loads_with_warnings": [
            dict(r, warnings=json.loads(r["warnings"])) for r in _records(wh, "status/loads_with_warnings")
        ],
    }


def ignored_by_reason(wh: Warehouse) -> list[dict[str, Any]]:
    """Ignored records over every load, by reason (most first): the manifest keeps them per load."""
    totals: dict[str, int] = {}
    for row in _records(wh, "status/ignored_by_reason"):
        for reason, n in json.loads(row["ignored_by_reason"]).items():
            totals[reason] = totals.get(reason, 0) + int(n)
    return [{"reason": k, "records": v} for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
