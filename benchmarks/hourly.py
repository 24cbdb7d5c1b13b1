"""Hourly benchmark: a complete `launchkit hourly` run against the floor of any notebook report.

  floor:  a fresh process that executes a trivial two-cell notebook with papermill (kernel python3)
          and renders it to HTML with nbconvert: the least any papermill report costs here;
  hourly: a fresh `launchkit hourly --at H` process, as cron starts it: it loads one hour of new
          files from the inbox (an inbox that also holds the history's files, loaded before),
          publishes the snapshot, executes notebooks/hourly.ipynb and renders its HTML;
          with 1 day and with 60 days of synthetic history in the warehouse. The new hour is the
          same rows in both (the 1-day history is the last 24 hours of the 60-day one).

Each measurement is a fresh subprocess timed from outside (interpreter start to exit), repeated
and alternated so that machine noise hits all alike; the medians are printed. Both the floor and
the hourly process skip the same slow optional import (launchkit.reports.run.execute.skip_slow_optional_imports).
Targets (issue 5): hourly within 2x the floor; the 60-day run within 1.3x of the 1-day run.

The synthetic pilot and the two history warehouses are built once into benchmarks/.data/hourly/.

    python benchmarks/hourly.py [--repeat 5] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "hourly"
DAYS = 61  # 60 days of history before the new hour's day, then the day of the new hour
NEW_HOUR = pd.Timestamp("2026-05-01T14:00:00Z")  # day 61 of a pilot starting 2026-03-02, a Friday afternoon
STAMP = "v1"

FLOOR = """
import sys, time
from launchkit.reports.run import execute
execute.skip_slow_optional_imports()
import nbformat, papermill
from nbconvert import HTMLExporter
nb = nbformat.v4.new_notebook()
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}), nbformat.v4.new_code_cell("x + 1")]
out = papermill.execute_notebook(nb, None, parameters={"x": 2}, kernel_name="python3", progress_bar=False)
html, _ = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                       exclude_output_prompt=True).from_notebook_node(out)
open(sys.argv[1], "w").write(html)
"""

SHIM = """
import sys
from launchkit.cli import cli
cli(prog_name="launchkit", args=sys.argv[1:])
"""

TIME_COLUMN = {
    "sessions": "started_at",
    "turns": "started_at",
    "tool_calls": "started_at",
    "feedback": "submitted_at",
    "incidents": "opened_at",
}


def _csv(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").where(out[c].notna(), None)
    out.to_csv(path, index=False, lineterminator="\n")


def _write_history(frames: dict[str, pd.DataFrame], inbox: Path, start: pd.Timestamp) -> None:
    """History rows in [start, NEW_HOUR) as one file per table and day (as an inbox accumulates them)."""
    from launchkit.contract import TABLES

    inbox.mkdir(parents=True)
    for table, df in frames.items():
        df = df[TABLES[table].column_names]
        if table in TIME_COLUMN and table != "incidents":
            t = df[TIME_COLUMN[table]]
            part = df[(t >= start) & (t < NEW_HOUR)]
            for day, rows in part.groupby(part[TIME_COLUMN[table]].dt.strftime("%Y-%m-%d")):
                _csv(rows, inbox / f"{table}_{day}.csv")
        elif table == "vendor_costs":
            d = pd.to_datetime(df["usage_date"])
            part = df[(d >= start.tz_localize(None).normalize()) & (d < NEW_HOUR.tz_localize(None).normalize())]
            for day, rows in part.groupby(pd.to_datetime(part["usage_date"]).dt.strftime("%Y-%m-%d")):
                _csv(rows, inbox / f"vendor_costs_{day}.csv")
        elif table == "incidents":
            _csv(df[df["opened_at"] < NEW_HOUR], inbox / "incidents.csv")
        else:
            _csv(df, inbox / f"{table}.csv")


def _write_new_hour(frames: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    from launchkit.contract import TABLES

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for table in ("sessions", "turns", "tool_calls", "feedback"):
        df = frames[table][TABLES[table].column_names]
        t = df[TIME_COLUMN[table]]
        rows = df[(t >= NEW_HOUR) & (t < NEW_HOUR + timedelta(hours=1))]
        path = folder / f"{table}_{NEW_HOUR:%Y-%m-%dT%H}.csv"
        _csv(rows, path)
        out.append(path)
    return out


def build(rebuild: bool) -> dict[str, Path]:
    """benchmarks/.data/hourly/{new,site_1d,site_60d}: the new hour's files and two sites with history."""
    marker = DATA / "built"
    sites = {"1 day": DATA / "site_1d", "60 days": DATA / "site_60d"}
    if marker.is_file() and marker.read_text() == STAMP and not rebuild:
        return sites
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    from launchkit import ingest, synth
    from launchkit.analytics import pricing
    from launchkit.config import load_config
    from launchkit.store import snapshot
    from launchkit.store.warehouse import Warehouse

    t = time.perf_counter()
    frames = synth.generate_frames(days=DAYS, tenants=8, seed=7).frames
    _write_new_hour(frames, DATA / "new")
    for name, site in sites.items():
        start = NEW_HOUR - (timedelta(days=1) if name == "1 day" else timedelta(days=DAYS))
        _write_history(frames, site / "inbox", start)
        (site / "launchkit.toml").write_text(
            '[warehouse]\npath = "base.duckdb"\n[reports]\ndir = "reports"\n[hourly]\ninbox = "inbox"\n',
            encoding="utf-8",
        )
        cfg = load_config(site / "launchkit.toml")
        con = Warehouse.open(cfg.warehouse_path)
        try:
            files = sorted(p.resolve() for p in (site / "inbox").iterdir())
            bad = [r for r in ingest.ingest(con, files, config=cfg) if not r.ok]
            if bad:
                raise SystemExit(f"history did not load: {bad[0].summary()}")
            pricing.refresh(con, cfg)
            snapshot.publish(con.con, cfg.warehouse_path)
        finally:
            con.close()
        n = sum(len(pd.read_csv(p)) for p in (site / "inbox").glob("turns_*.csv"))
        print(
            f"built {name} of history: {n} turns, warehouse {cfg.warehouse_path.stat().st_size / 1e6:.1f} MB",
            flush=True,
        )
    marker.write_text(STAMP)
    print(f"(built in {time.perf_counter() - t:.0f}s; cached in {DATA})", flush=True)
    return sites


def _reset(site: Path) -> Path:
    """A working copy: the history warehouse as built, its inbox plus the new hour's files."""
    work = site.parent / (site.name + "_work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    shutil.copy(site / "base.duckdb", work / "lk.duckdb")
    # the loads manifest names the history files by their path in site/inbox: keep using it
    (work / "launchkit.toml").write_text(
        f'[warehouse]\npath = "lk.duckdb"\n[reports]\ndir = "reports"\n[hourly]\ninbox = "{site / "inbox"}"\n',
        encoding="utf-8",
    )
    for p in (site / "inbox").glob(f"*_{NEW_HOUR:%Y-%m-%dT%H}.csv"):
        p.unlink()
    for p in (DATA / "new").iterdir():
        shutil.copy(p, site / "inbox" / p.name)
    return work


def _timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    """Wall time until the process exits. Its output goes to files, not pipes: a kernel that a
    process leaves behind to die on its own would otherwise hold a pipe open and be counted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHKIT_")}
    out, err = cwd / ".bench.out", cwd / ".bench.err"
    with out.open("w") as fo, err.open("w") as fe:
        t = time.perf_counter()
        code = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL).wait()
        wall = time.perf_counter() - t
    if code not in (0, 3):
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({code}):\n{out.read_text()}\n{err.read_text()}")
    return wall, out.read_text().strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true", help="regenerate the synthetic pilot and histories")
    args = ap.parse_args()
    sites = build(args.rebuild)
    floor_dir = DATA / "floor"
    floor_dir.mkdir(exist_ok=True)
    times: dict[str, list[float]] = {"floor": [], **{k: [] for k in sites}}
    lines: dict[str, str] = {}
    for i in range(args.repeat):
        times["floor"].append(_timed([sys.executable, "-c", FLOOR, str(floor_dir / "floor.html")], floor_dir)[0])
        for name, site in sites.items():
            work = _reset(site)
            wall, line = _timed([sys.executable, "-c", SHIM, "hourly", "--at", NEW_HOUR.isoformat()], work)
            if "loaded 4 new files" not in line:
                raise SystemExit(f"the run did not load the new hour's 4 files: {line}")
            times[name].append(wall)
            lines[name] = line
        print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    low = {k: min(v) for k, v in times.items()}
    print()
    print(f"hourly benchmark: {args.repeat} fresh processes each, median (fastest), {os.cpu_count()} CPUs")
    print(f"  floor (papermill trivial 2-cell notebook + nbconvert HTML): {med['floor']:5.2f} s ({low['floor']:.2f} s)")
    for name in sites:
        print(
            f"  launchkit hourly, {name:>7} of history:                  {med[name]:5.2f} s ({low[name]:.2f} s)"
            f"  = {med[name] / med['floor']:.2f}x the floor ({low[name] / low['floor']:.2f}x); target <= 2x"
        )
    print(
        f"  60 days / 1 day: {med['60 days'] / med['1 day']:.2f}x ({low['60 days'] / low['1 day']:.2f}x); "
        "target <= 1.3x"
    )
    print(f"  last run's line (60 days): {lines['60 days']}")


if __name__ == "__main__":
    main()
