"""`launchkit demo` timed as a new user runs it, and by part.

    .venv/bin/python benchmarks/demo.py [--repeat 1] [--parts/--no-parts]

total: a fresh `launchkit demo` process in an empty temporary folder (interpreter start to exit), as
`make demo` runs it after the install: synth, daily files, launchkit.toml, ingest, 10 reports
(cost, debrief and GA for each of the last 3 days, and the busiest hour), the index.
parts (in this process, into another empty folder): generating the pilot, writing its files,
loading them, then every report one at a time on a kernel started ahead (what run_all did before
it ran reports side by side), each report's own seconds, and the same reports side by side
(run_all's default). The machine's load average is printed with the figures: the box is shared.
Target (issue 11): the total under two minutes on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BIN = Path(sys.executable).parent


def total(repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="lk-demo-bench-") as d:
            t = time.monotonic()
            subprocess.run([str(BIN / "launchkit"), "demo"], cwd=d, check=True, capture_output=True, text=True)
            out.append(time.monotonic() - t)
    return out


def parts() -> list[tuple[str, float]]:
    from launchkit import synth
    from launchkit.config import load_config
    from launchkit.jobs import demo, load
    from launchkit.reports.run import execute
    from launchkit.reports.run.kernel import start_kernel
    from launchkit.store import snapshot
    from launchkit.store.warehouse import Warehouse
    from launchkit.synth import parameters as synth_params

    execute.skip_slow_optional_imports()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="lk-demo-parts-") as d:
        folder = Path(d)
        cfg = load_config(env={}, warehouse=folder / "launchkit.duckdb", reports_dir=folder / "reports")
        t = time.monotonic()
        p = synth.generate_frames(
            seed=7,
            start=synth_params.DEMO_START,
            sessions_per_hour=synth_params.DEMO_SESSIONS_PER_HOUR,
            recent_incident=True,
        )
        rows.append(("generate the pilot", time.monotonic() - t))
        t = time.monotonic()
        files = synth.write_pilot(p, folder / "data" / "demo", per="day")
        rows.append((f"write {len(files)} files", time.monotonic() - t))
        cfg, _ = demo.config_for(cfg, p)
        t = time.monotonic()
        with Warehouse.open(cfg.warehouse_path) as wh:
            load.run(wh, [folder / "data" / "demo"], cfg)
        rows.append(("ingest", time.monotonic() - t))
        snapshot.refresh(cfg)
        db = snapshot.connect(cfg, refresh_first=False)
        jobs = execute.plan(db, days=3, hour="busiest")
        db.close()
        t0 = time.monotonic()
        kernel = start_kernel(jobs[0][0])
        for i, (kind, when) in enumerate(jobs):
            ahead = start_kernel(jobs[i + 1][0]) if i + 1 < len(jobs) else None
            r = execute.run_report(kind, cfg, update_index=False, kernel=kernel, **when)
            rows.append((f"  report {kind} {r.stamp}", r.seconds))
            if ahead is not None:
                kernel = ahead
        rows.append((f"{len(jobs)} reports one at a time", time.monotonic() - t0))
        t = time.monotonic()
        execute.run_all(cfg, days=3, hour="busiest")
        rows.append(
            (f"{len(jobs)} reports side by side ({execute.default_workers()} workers) + index", time.monotonic() - t)
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--parts", action=argparse.BooleanOptionalAction, default=True)
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    times = total(args.repeat)
    print(
        f"launchkit demo, fresh folder: {statistics.median(times):.1f} s (median of {len(times)}: "
        + ", ".join(f"{x:.1f}" for x in times)
        + ")"
    )
    if args.parts:
        for name, seconds in parts():
            print(f"{name:<55}{seconds:7.1f} s")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
