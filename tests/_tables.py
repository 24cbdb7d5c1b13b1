"""Tiny warehouses filled by hand: rows inserted into a contract table (missing columns NULL or their
default), a synthetic pilot's frames loaded as they are, and the header of a turns CSV the ingest tests write."""

from __future__ import annotations

import pandas as pd

from launchkit.contract import TABLES
from launchkit.store.warehouse import Warehouse

TURN_COLS = [
    "turn_id",
    "session_id",
    "started_at",
    "model",
    "status",
    "latency_ms",
    "ttft_ms",
    "input_tokens",
    "output_tokens",
    "cost_usd",
]


def insert(con: Warehouse, table: str, rows: list[dict]) -> None:
    """Insert rows into a contract table as load 0 (missing columns NULL, or the contract's default)."""
    cols = TABLES[table].column_names
    defaults = {c.name: c.default for c in TABLES[table].columns}
    df = pd.DataFrame([{c: r.get(c, defaults[c]) for c in cols} for r in rows], columns=cols)
    con.con.register("_rows", df)
    con.execute(f"INSERT INTO {table} ({', '.join(cols)}, _load_id) SELECT {', '.join(cols)}, 0 FROM _rows")
    con.con.unregister("_rows")


def load_frames(con: Warehouse, frames: dict[str, pd.DataFrame]) -> None:
    """Load a synthetic pilot's frames (launchkit.synth.generate_frames) as load 0, bypassing ingest."""
    for name, df in frames.items():
        cols = TABLES[name].column_names
        con.con.register("_frame", df[cols])
        con.execute(f"INSERT INTO {name} ({', '.join(cols)}, _load_id) SELECT {', '.join(cols)}, 0 FROM _frame")
        con.con.unregister("_frame")


def save_to(db, path):
    """Copy an in-memory warehouse into a new file (for commands run with --warehouse); the file's path."""
    db.execute(f"ATTACH '{path}' AS disk")
    db.execute("COPY FROM DATABASE memory TO disk")
    db.execute("DETACH disk")
    return path
