"""A synthetic pilot on disk: the generated tables written as a real pilot's export files.

`write_pilot` writes a generated pilot (launchkit.synth.frames) as hourly/daily files in the
contract's formats plus its ground_truth.json; `generate` does both. docs/synthetic-pilot.md
documents the parameters (launchkit.synth.parameters) and the scenarios.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from launchkit.contract import TABLES, table_for_file
from launchkit.errors import ConfigError, InputFileError
from launchkit.ingest.formats import SYNTH_FORMATS, record_of, writer
from launchkit.synth.frames import SynthPilot, generate_frames
from launchkit.synth.parameters import DEFAULT_START, FILE_GRAINS

_HOURLY_TIME_COLUMN = {
    "sessions": "started_at",
    "turns": "started_at",
    "tool_calls": "started_at",
    "feedback": "submitted_at",
}


@dataclass
class SynthResult:
    """What `generate` wrote: every file (sorted), the ground-truth file, and rows per table."""

    files: list[Path]
    ground_truth: Path
    row_counts: dict[str, int] = field(default_factory=dict)


def _string_frame(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Timestamps as ISO-8601 UTC with milliseconds and 'Z'; dates as YYYY-MM-DD; missing as ''."""
    out = df.copy()
    for col in TABLES[table].columns:
        if col.kind == "timestamp":
            v = out[col.name].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")
            s = np.char.add(np.datetime_as_string(v, unit="ms"), "Z")
            s = np.where(np.isnat(v), "", s)
            out[col.name] = s.astype(object)
        elif col.kind == "date":
            out[col.name] = [("" if pd.isna(x) else pd.Timestamp(x).strftime("%Y-%m-%d")) for x in out[col.name]]
    return out


def _csv_lines(df: pd.DataFrame) -> list[str]:
    body = df.to_csv(index=False, header=False, lineterminator="\n")
    lines = body.split("\n")[:-1]
    if len(lines) != len(df):  # a field with an embedded newline: fall back to one line per row
        lines = [df.iloc[[i]].to_csv(index=False, header=False, lineterminator="\n")[:-1] for i in range(len(df))]
    return [line + "\n" for line in lines]


def _pilot_files(out_dir: Path) -> list[Path]:
    """Files in out_dir named like contract exports or a ground truth."""
    return sorted(
        p
        for p in out_dir.iterdir()
        if p.is_file() and (p.name == "ground_truth.json" or table_for_file(p.name) is not None)
    )


def write_pilot(pilot: SynthPilot, out_dir: str | Path, fmt: str = "csv", per: str = "hour") -> list[Path]:
    """Write the pilot as exports: hourly sessions/turns/tool_calls/feedback, daily vendor_costs,
    one incidents and one rollout file, and ground_truth.json. Returns the paths written, sorted.

    per="day" writes sessions/turns/tool_calls/feedback as one file per UTC day instead
    (`sessions_2026-03-02.csv`): the same rows in 24 times fewer files, which load much faster.

    A folder holding an earlier synthetic pilot (it has a ground_truth.json) is replaced: its export
    files go first, so a shorter run leaves no stale hours behind. A folder with export files but no
    ground truth may hold real data and is refused.
    """
    if fmt not in SYNTH_FORMATS:
        raise ConfigError("synth.format", f"must be {' or '.join(map(repr, SYNTH_FORMATS))}, got {fmt!r}")
    write_parts = writer(fmt, "synth")
    suffix = record_of(fmt).suffixes[0]
    if per not in FILE_GRAINS:
        raise ConfigError("synth.per", f"must be 'hour' or 'day', got {per!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFileError(str(out), "is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    old = _pilot_files(out)
    if old and not (out / "ground_truth.json").is_file():
        raise InputFileError(
            str(out), f"holds {len(old)} export files but no ground_truth.json (real data?); choose an empty folder"
        )
    for p in old:
        p.unlink()
    written: list[Path] = []
    for table in TABLES:
        df = pilot.frames[table][TABLES[table].column_names]
        if table in _HOURLY_TIME_COLUMN or table == "vendor_costs":
            if table == "vendor_costs":
                days = pd.to_datetime(df["usage_date"]).to_numpy(dtype="datetime64[D]")
                order = np.lexsort((df["line_id"].to_numpy(dtype=str), days))
                keys = days[order].astype("datetime64[D]").astype(str)
            else:
                tcol = _HOURLY_TIME_COLUMN[table]
                ms = df[tcol].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")
                order = np.lexsort((df[TABLES[table].key].to_numpy(dtype=str), ms.astype(np.int64)))
                keys = np.datetime_as_string(ms[order], unit="h" if per == "hour" else "D")
            df = df.iloc[order].reset_index(drop=True)
            bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, int)
            ends = np.r_[bounds[1:], len(keys)]
            parts = [(out / f"{table}_{keys[a]}{suffix}", int(a), int(b)) for a, b in zip(bounds, ends)]
        else:
            parts = [(out / f"{table}{suffix}", 0, len(df))]
        write_parts(df, table, parts)
        written.extend(p for p, _, _ in parts)
    gt = out / "ground_truth.json"
    gt.write_text(json.dumps(pilot.ground_truth, indent=2) + "\n", encoding="utf-8")
    written.append(gt)
    return sorted(written)


def write_csv_parts(df: pd.DataFrame, table: str, parts: list[tuple[Path, int, int]]) -> None:
    """Rows a..b of the table into each CSV file named (the frame's text made once, then sliced)."""
    lines = _csv_lines(_string_frame(df, table))
    header = ",".join(df.columns) + "\n"
    for path, a, b in parts:
        path.write_text(header + "".join(lines[a:b]), encoding="utf-8", newline="")


def write_parquet_parts(df: pd.DataFrame, table: str, parts: list[tuple[Path, int, int]]) -> None:
    """Rows a..b of the table into each Parquet file named (one Arrow table, sliced)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    tbl = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    for path, a, b in parts:
        pq.write_table(tbl.slice(a, b - a), path)


def generate(
    out_dir: str | Path,
    *,
    days: int = 14,
    tenants: int = 8,
    seed: int = 7,
    scenario: str = "healthy",
    start: dt.date = DEFAULT_START,
    sessions_per_hour: float | None = None,
    fmt: str = "csv",
    per: str = "hour",
    recent_incident: bool = False,
) -> SynthResult:
    """Generate a synthetic pilot and write it to `out_dir` (see `generate_frames`, `write_pilot`)."""
    pilot = generate_frames(
        days=days,
        tenants=tenants,
        seed=seed,
        scenario=scenario,
        start=start,
        sessions_per_hour=sessions_per_hour,
        recent_incident=recent_incident,
    )
    files = write_pilot(pilot, out_dir, fmt=fmt, per=per)
    return SynthResult(
        files=files,
        ground_truth=Path(out_dir) / "ground_truth.json",
        row_counts={name: int(len(df)) for name, df in pilot.frames.items()},
    )
