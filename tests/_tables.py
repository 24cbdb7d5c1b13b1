"""Tiny warehouses filled by hand: insert rows into a contract table (missing columns NULL or their default)."""

from __future__ import annotations

import pandas as pd

from launchkit.contract import TABLES
from launchkit.store.warehouse import Warehouse


def insert(con: Warehouse, table: str, rows: list[dict]) -> None:
    """Insert rows into a contract table as load 0 (missing columns NULL, or the contract's default)."""
    cols = TABLES[table].column_names
    defaults = {c.name: c.default for c in TABLES[table].columns}
    df = pd.DataFrame([{c: r.get(c, defaults[c]) for c in cols} for r in rows], columns=cols)
    con.con.register("_rows", df)
    con.execute(f"INSERT INTO {table} ({', '.join(cols)}, _load_id) SELECT {', '.join(cols)}, 0 FROM _rows")
    con.con.unregister("_rows")
