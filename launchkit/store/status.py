"""What is in the warehouse: tables with row counts and time ranges, recent loads, rejects by reason."""

from __future__ import annotations

from typing import Any

from launchkit.jsonclean import clean
from launchkit.store.migrate import schema_version
from launchkit.store.runner import Warehouse


def _records(wh: Warehouse, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = wh.cursor(name, params)
    cols = [d[0] for d in cur.description]
    return [clean(dict(zip(cols, row))) for row in cur.fetchall()]


def status(wh: Warehouse, *, last: int = 10) -> dict[str, Any]:
    """A JSON-ready summary of the warehouse."""
    return {
        "schema_version": schema_version(wh.con),
        "tables": _records(wh, "status/tables"),
        "loads": _records(wh, "status/load_totals")[0],
        "last_loads": _records(wh, "status/last_loads", {"limit": last}),
        "rejects_by_reason": _records(wh, "status/rejects_by_reason"),
    }
