"""A synthetic pilot written as a lake: what `launchkit synth --format parquet --partition-by day` writes.

One folder per contract table, Parquet files partitioned by the UTC day of the table's time column in
hive style, as a telemetry pipeline lands them and as DuckDB and Spark both read them in place
([engine.tables], launchkit.store.engines):

    lake/turns/day=2026-03-02/part-0.parquet
    lake/turns/day=2026-03-03/part-0.parquet
    lake/rollout/part-0.parquet            (no time column to partition by)
    lake/ground_truth.json

Columns carry the contract's types (timestamps as UTC instants in microseconds); a table without rows
still gets one empty file, so every reader sees its schema. Rows within a file are in time order.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from launchkit.contract import TABLES
from launchkit.errors import InputFileError
from launchkit.synth.pilot import SynthPilot

PARTITIONS = ("day",)
# the column whose UTC day partitions each table (rollout has none that is always set: one file)
DAY_COLUMN: dict[str, str] = {
    "sessions": "started_at",
    "turns": "started_at",
    "tool_calls": "started_at",
    "feedback": "submitted_at",
    "vendor_costs": "usage_date",
    "incidents": "opened_at",
    "releases": "shipped_at",
    "evaluations": "evaluated_at",
}


def arrow_schema(table: str) -> Any:
    """The Arrow schema of a contract table (what the lake's files hold)."""
    import pyarrow as pa

    types = {
        "text": pa.string(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "date": pa.date32(),
        "double": pa.float64(),
        "bigint": pa.int64(),
        "integer": pa.int32(),
    }
    return pa.schema([pa.field(c.name, types[c.kind]) for c in TABLES[table].columns])


def _arrow(df: pd.DataFrame, table: str) -> Any:
    import pyarrow as pa

    schema = arrow_schema(table)
    cols = []
    for field in schema:
        s = df[field.name]
        if pa.types.is_date(field.type):
            s = pd.to_datetime(s).dt.date
        cols.append(pa.array(s.astype(object).where(s.notna(), None).tolist(), type=field.type))
    return pa.Table.from_arrays(cols, schema=schema)


def _days(df: pd.DataFrame, column: str) -> Any:
    values = pd.to_datetime(df[column], utc=True) if column != "usage_date" else pd.to_datetime(df[column])
    if column != "usage_date":
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.dt.strftime("%Y-%m-%d").to_numpy()


def write_lake(pilot: SynthPilot, out_dir: str | Path, partition_by: str = "day") -> list[Path]:
    """Write the pilot's contract tables as a lake under out_dir (see the module); the files written, sorted.

    A folder holding an earlier synthetic lake or pilot (it has a ground_truth.json) is replaced table by
    table; a folder with other content is refused, as write_pilot does.
    """
    import pyarrow.parquet as pq

    if partition_by not in PARTITIONS:
        raise InputFileError(str(out_dir), f"a lake is partitioned by {', '.join(PARTITIONS)}, not {partition_by!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFileError(str(out), "is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "ground_truth.json").is_file():
        raise InputFileError(
            str(out), "is not empty and holds no synthetic pilot (ground_truth.json); choose an empty folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in TABLES:
        folder = out / table
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        df = pilot.frames[table][TABLES[table].column_names]
        column = DAY_COLUMN.get(table)
        if column is None or df.empty:
            path = folder / "part-0.parquet"
            pq.write_table(_arrow(df, table), path)
            written.append(path)
            continue
        days = _days(df, column)
        key = TABLES[table].key
        for day in sorted(set(days)):
            part = df[days == day]
            part = part.sort_values([column, key], kind="stable") if column != "usage_date" else part.sort_values(key)
            path = folder / f"day={day}" / "part-0.parquet"
            path.parent.mkdir()
            pq.write_table(_arrow(part, table), path)
            written.append(path)
    gt = out / "ground_truth.json"
    gt.write_text(json.dumps(pilot.ground_truth, indent=2) + "\n", encoding="utf-8")
    written.append(gt)
    return sorted(written)
