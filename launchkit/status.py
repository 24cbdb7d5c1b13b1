"""What is in the warehouse: tables with row counts and time ranges, recent loads, rejects by reason."""

from __future__ import annotations

from typing import Any

import duckdb

from launchkit import warehouse


def _records(rel: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in rel.description]
    return [
        {c: (v.isoformat() if hasattr(v, "isoformat") else v) for c, v in zip(cols, row)}
        for row in rel.fetchall()
    ]


def status(con: duckdb.DuckDBPyConnection, *, last: int = 10) -> dict[str, Any]:
    """A JSON-ready summary of the warehouse."""
    return {
        "schema_version": warehouse.schema_version(con),
        "tables": _records(warehouse.run(con, "status/tables")),
        "loads": _records(warehouse.run(con, "status/load_totals"))[0],
        "last_loads": _records(warehouse.run(con, "status/last_loads", {"limit": last})),
        "rejects_by_reason": _records(warehouse.run(con, "status/rejects_by_reason")),
    }
