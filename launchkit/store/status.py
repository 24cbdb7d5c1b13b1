"""What is in the warehouse: tables with row counts and time ranges, recent loads, rejects and ignored
records by reason, and the loads that finished with warnings.

Every record a load read is loaded, updated, a duplicate, rejected or ignored:
rows_read = loaded + updated + duplicates + rejected + ignored, in total and per reason.
"""

from __future__ import annotations

import json
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
