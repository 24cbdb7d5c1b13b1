"""Where Spark starts to pay: launchkit's hourly and daily metric queries over a big Parquet lake, on DuckDB
reading the lake in place and on local Spark, through launchkit's own engines ([engine.tables]).

    .venv/bin/python benchmarks/scale.py --events 1e7                  # both engines, ~10^7 turn + tool-call rows
    .venv/bin/python benchmarks/scale.py --events 1e8 --engines duckdb  # 10^8 (checks free disk first)
    .venv/bin/python benchmarks/scale.py --events 1e9 --allow-huge      # 10^9: tens of GB of Parquet
    .venv/bin/python benchmarks/scale.py --events 1e7 --keep DIR        # keep (or reuse) the lake in DIR

The lake: a synthetic 7-day pilot (launchkit.synth, written as a lake), replicated K times by DuckDB into
hive-partitioned zstd Parquet (copy k: ids suffixed -k, times shifted by k mod 4 weeks, so 28 UTC days).
The warehouse beside it holds the model prices of the lake's (model, day) keys (priced once, timed apart).

Each engine runs in a process of its own (peak memory is per process; the Spark JVM's is read from /proc):
- hourly: metrics/summary of one hour (what the hourly report and its checks read);
- daily:  metrics/summary of one day, the day's latency p95 order-statistic interval, the Mann-Whitney
          aggregates of the day's latency against its 7-day baseline, the mean-cost-per-session interval.
First run and best of `--runs` warm runs, in seconds, rows of the lake scanned per second (events in the
windows read / best seconds), the engine's start-up, and peak resident memory. Results of the two engines are
compared (1e-9 relative). Figures go to stdout and, with --json, to a file. No timed assertions anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

START = date(2026, 3, 2)
BASE_DAYS = 7
WEEKS = 4
LAKE_TABLES = ("sessions", "turns", "tool_calls", "feedback")
ID_COLUMNS = ("session_id", "turn_id", "call_id", "feedback_id")
TIME_COLUMN = {"sessions": "started_at", "turns": "started_at", "tool_calls": "started_at", "feedback": "submitted_at"}
BYTES_PER_EVENT = 30  # measured: zstd Parquet of the replicated lake, all four tables, per turn + tool-call row


def _base_lake(out: Path, sessions_per_hour: float) -> dict[str, int]:
    from launchkit import synth
    from launchkit.synth.lake import write_lake

    pilot = synth.generate_frames(days=BASE_DAYS, seed=7, start=START, sessions_per_hour=sessions_per_hour)
    write_lake(pilot, out)
    return {t: len(pilot.frames[t]) for t in LAKE_TABLES}


def build_lake(out: Path, events: float) -> dict[str, Any]:
    """The replicated lake under `out`: returns its row counts, size and build time."""
    import duckdb

    from launchkit.contract import TABLES

    t0 = time.perf_counter()
    base = out / "_base"
    base_counts = _base_lake(base, 60.0)
    per_copy = base_counts["turns"] + base_counts["tool_calls"]
    copies = max(1, round(events / per_copy))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'; SET preserve_insertion_order = false")
    counts = {}
    for t in LAKE_TABLES:
        cols = []
        for c in TABLES[t].columns:
            if c.name in ID_COLUMNS:
                cols.append(f"{c.name} || '-' || k AS {c.name}")
            elif c.kind == "timestamp":
                cols.append(f"{c.name} + to_days(CAST(7 * (k % {WEEKS}) AS INTEGER)) AS {c.name}")
            else:
                cols.append(c.name)
        ts = TIME_COLUMN[t]
        src = f"read_parquet('{base / t}/**/*.parquet')"
        select = (
            f"SELECT *, strftime(timezone('UTC', {ts}), '%Y-%m-%d') AS day FROM "
            f"(SELECT {', '.join(cols)} FROM {src}, range({copies}) AS r(k))"
        )
        con.execute(
            f"COPY ({select}) TO '{out / t}' (FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd, "
            "ROW_GROUP_SIZE 122880, OVERWRITE_OR_IGNORE)"
        )
        counts[t] = base_counts[t] * copies
    con.close()
    shutil.rmtree(base)
    size = sum(f.stat().st_size for f in out.rglob("*.parquet"))
    return {"copies": copies, "rows": counts, "events": counts["turns"] + counts["tool_calls"], "bytes": size,
            "build_s": round(time.perf_counter() - t0, 1)}  # fmt: skip


def write_config(root: Path, lake: Path) -> Path:
    lines = ["[warehouse]", f'path = "{root / "warehouse.duckdb"}"', "[engine.tables]"]
    lines += [f'{t} = "{lake / t}"' for t in LAKE_TABLES]
    lines += ["[engine.conf]", '"spark.driver.memory" = "4g"']
    p = root / "launchkit.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _peak_rss_mib(pid: int | str = "self") -> float:
    """A process's peak resident memory (VmHWM; ru_maxrss would carry the parent's peak across exec)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if pid == "self" else float("nan")


def measure(config_path: Path, engine: str, runs: int) -> dict[str, Any]:
    """One engine's timings (run in a process of its own)."""
    from launchkit.analytics import samples
    from launchkit.config import load_config
    from launchkit.store.engines import open_runner
    from launchkit.window import Window

    cfg = load_config(config_path, env={}).with_overrides(**{"engine.kind": engine})
    day = START + timedelta(days=7 * (WEEKS - 1) + 3)  # a Thursday of the last week
    hour = Window.hour(datetime(day.year, day.month, day.day, 14, tzinfo=UTC))
    w_day = Window.day(day)
    w_base = Window(Window.day(day - timedelta(days=7)).start, w_day.start)
    t0 = time.perf_counter()
    db = open_runner(cfg)
    startup = time.perf_counter() - t0
    out: dict[str, Any] = {"engine": engine, "startup_s": round(startup, 2), "queries": {}}

    def events_in(w: Window) -> int:
        s = db.one("metrics/summary", w.params)
        return int(s["turns"] or 0) + int(s["tool_calls"] or 0)

    def daily() -> Any:
        s = db.one("metrics/summary", w_day.params)
        n = int(s["latency_n"] or 0)
        return [
            s,
            samples.quantile_interval(db, "latency_ms", w_day, 0.95, 0.95, n).to_json(),
            samples.compare(db, "latency_ms", w_day, w_base).to_json(),
            samples.mean_cost_interval(db, w_day, 0.95).to_json(),
        ]

    jobs = {
        "hourly": (lambda: db.one("metrics/summary", hour.params), hour),
        "daily": (daily, Window(w_base.start, w_day.end)),
    }
    for name, (fn, scanned) in jobs.items():
        t = time.perf_counter()
        result = fn()
        first = time.perf_counter() - t
        best = first
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        rows = events_in(scanned)
        out["queries"][name] = {
            "first_s": round(first, 3),
            "best_s": round(best, 3),
            "events_in_windows": rows,
            "events_per_s": round(rows / best) if best > 0 else None,
            "result": json.loads(json.dumps(result, default=str)),
        }
    out["peak_rss_mib"] = {"python": round(_peak_rss_mib(), 1)}
    if engine == "spark":
        from launchkit.store.engines import spark as spark_mod

        gateway = getattr(spark_mod._BASE.sparkContext, "_gateway", None)
        proc = getattr(gateway, "proc", None)
        if proc is not None:
            out["peak_rss_mib"]["jvm"] = round(_peak_rss_mib(proc.pid), 1)
    db.close()
    return out


def _close(a: Any, b: Any, rel: float = 1e-9) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(_close(a[k], b[k], rel) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= rel * max(abs(a), abs(b))
    return bool(a == b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=float, default=1e7, help="turn + tool-call rows in the lake (about)")
    ap.add_argument("--engines", default="duckdb,spark")
    ap.add_argument("--runs", type=int, default=2, help="warm runs after the first")
    ap.add_argument("--keep", type=Path, default=None, help="build the lake here and keep it (reused if present)")
    ap.add_argument("--allow-huge", action="store_true", help="allow more than 2e8 events (tens of GB)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--measure", nargs=2, metavar=("CONFIG", "ENGINE"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.measure:  # the child process
        print(json.dumps(measure(Path(a.measure[0]), a.measure[1], a.runs)))
        return
    if a.events > 2e8 and not a.allow_huge:
        sys.exit("more than 2e8 events writes tens of GB: pass --allow-huge")
    root = a.keep or Path(tempfile.mkdtemp(prefix="launchkit-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    need = a.events * BYTES_PER_EVENT * 2  # the lake, and room for DuckDB's and Spark's spill
    free = shutil.disk_usage(root).free
    print(f"free disk {free / 2**30:.1f} GiB at {root}; about {need / 2**30:.1f} GiB needed")
    if free < need:
        sys.exit("not enough free disk for this lake")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    lake = root / "lake"
    info_path = root / "lake.json"
    if info_path.is_file() and lake.is_dir():
        info = json.loads(info_path.read_text())
    else:
        info = build_lake(lake, a.events)
        info_path.write_text(json.dumps(info))
    print(
        f"lake: {info['events']:,} events ({info['rows']}), {info['bytes'] / 2**20:.0f} MiB, built in {info['build_s']} s"
    )
    cfg = write_config(root, lake)
    from launchkit.config import load_config
    from launchkit.jobs.load import prepare_lake

    t = time.perf_counter()
    prepare_lake(load_config(cfg, env={}))
    print(f"pricing the lake's (model, day) keys into the warehouse: {time.perf_counter() - t:.1f} s")
    results = []
    for engine in a.engines.split(","):
        proc = subprocess.run(
            [sys.executable, __file__, "--runs", str(a.runs), "--measure", str(cfg), engine],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode:
            print(f"{engine}: failed\n{proc.stderr[-2000:]}")
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print("\n| events in lake | engine | start-up s | job | first s | best s | events/s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        mem = " + ".join(f"{k} {v:.0f}" for k, v in r["peak_rss_mib"].items())
        for job, q in r["queries"].items():
            print(f"| {info['events']:.2e} | {r['engine']} | {r['startup_s']} | {job} | {q['first_s']} | {q['best_s']} "
                  f"| {q['events_per_s']:,} | {mem} |")  # fmt: skip
    if len(results) == 2:
        same = all(
            _close(results[0]["queries"][j]["result"], results[1]["queries"][j]["result"]) for j in ("hourly", "daily")
        )
        print(f"\nthe two engines' results agree to 1e-9: {same}")
    if a.json:
        a.json.write_text(json.dumps({"lake": info, "results": results}, indent=1, default=str))
    if a.keep is None:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
