"""Ingest benchmark: `launchkit ingest` against DuckDB's bare load of the same file.

Tabular: writes 10 million tool-call rows (CSV and Parquet) once into benchmarks/.data/, then, for
each format, runs in fresh subprocesses, alternating so that machine noise hits both alike:
  bare:   CREATE TABLE t AS SELECT * FROM read_csv/read_parquet(file) into a new DuckDB file
  ingest: `launchkit ingest file` into a new warehouse (hashing, validation, dedup, manifest)
and prints wall times, the ratio, and each process's peak memory (ru_maxrss).
Targets (issue 2): ingest within 1.5x of the bare load, peak memory under 2 GiB.

Traces: OTLP/JSON Lines files of three sizes (up to 200 MB) made of synthetic pilots written by
`launchkit synth --format otlp` (different seeds, so every span is new), once into
benchmarks/.data/; for each size, side by side in fresh subprocesses:
  floor:  DuckDB's read_json + the three unnests (resourceSpans, scopeSpans, spans) into a table
  serial: launchkit's import of the file into a new warehouse, mapped in one process ([ingest] workers = 1)
  ingest: the same with the default setting: a file of 8 MiB or more mapped by worker processes
          (one per CPU, at most 4), a share of its traces each
and prints spans/s of each, the ratio to the floor and the peak memory (of the largest process). Targets (issue 9): within 2x of the
floor, spans/s flat across sizes, memory bounded by a batch (not growing with the file).

    python benchmarks/ingest.py [--only tabular|traces] [--rows 10000000] [--trace-mb 15,70,200] [--repeat 2]
                                [--before DIR]   # DIR holds an older launchkit/: its trace import side by side
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"

BARE = """
import duckdb, sys, time
fmt, src, db = sys.argv[1:4]
t = time.perf_counter()
con = duckdb.connect(db)
reader = "read_csv" if fmt == "csv" else "read_parquet"
con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}(?)", [src])
con.close()
print(time.perf_counter() - t)
"""

INGEST = """
import sys, time
from launchkit import ingest
from launchkit.config import load_config
from launchkit.store.warehouse import Warehouse
src, db = sys.argv[1:3]
t = time.perf_counter()
con = Warehouse.open(db)
[r] = ingest.ingest(con, [src], config=load_config(), table="tool_calls")
con.close()
assert r.ok and r.loaded == r.rows_read, r
print(time.perf_counter() - t)
"""


def make_data(rows: int) -> dict[str, Path]:
    import duckdb

    DATA.mkdir(exist_ok=True)
    csv = DATA / f"tool_calls_{rows}.csv"
    parquet = DATA / f"tool_calls_{rows}.parquet"
    if not csv.exists() or not parquet.exists():
        con = duckdb.connect()
        con.execute(
            f"""
            CREATE TABLE g AS SELECT
              'c' || i AS call_id, 's' || (i // 7) AS session_id, 't' || (i // 2) AS turn_id,
              ['sql_query', 'chart_render', 'doc_search', 'python_exec'][1 + i % 4] AS tool_name,
              strftime(TIMESTAMPTZ '2026-03-02 00:00:00+00' + to_milliseconds(i * 50), '%Y-%m-%dT%H:%M:%S.%gZ') AS started_at,
              round(50 + (i % 997) * 1.7, 1) AS duration_ms,
              CASE WHEN i % 50 = 0 THEN 'error' ELSE 'ok' END AS status,
              CASE WHEN i % 50 = 0 THEN 'Timeout' END AS error_type
            FROM range({int(rows)}) t(i)
            """
        )
        con.execute(f"COPY g TO '{csv}' (HEADER)")
        con.execute(f"COPY g TO '{parquet}' (FORMAT parquet)")
        con.close()
    return {"csv": csv, "parquet": parquet}


TRACE_FLOOR = """
import duckdb, sys, time
src, db = sys.argv[1:3]
t = time.perf_counter()
con = duckdb.connect(db)
con.execute(
    "CREATE TABLE spans AS SELECT unnest(ss.spans, recursive := true) FROM ("
    " SELECT unnest(rs.scopeSpans) AS ss FROM ("
    "  SELECT unnest(resourceSpans) AS rs FROM read_json(?, format = 'newline_delimited',"
    "   maximum_object_size = 1073741824)))",
    [src],
)
n = con.execute("SELECT count(*) FROM spans").fetchall()[0][0]
con.close()
print(time.perf_counter() - t, n)
"""

TRACE_INGEST = """
import sys, time
from launchkit import ingest
from launchkit.config import load_config
from launchkit.store.warehouse import Warehouse
src, db, n_workers = sys.argv[1:4]
t = time.perf_counter()
con = Warehouse.open(db)
config = load_config()
if n_workers != "default":  # an older checkout may not know the setting
    config = config.with_overrides(**{"ingest.workers": int(n_workers)})
results = ingest.ingest(con, [src], config=config, fmt="otlp")
con.close()
assert all(r.ok and r.reconciles() for r in results), results
print(time.perf_counter() - t, sum(r.rows_read for r in results if r.table != "sessions"))
"""


def make_traces(sizes_mb: list[int]) -> dict[int, Path]:
    """OTLP JSON Lines files of about the given sizes, concatenated from synthetic pilots (cached)."""
    from launchkit import synth
    from launchkit.synth.otlp import write_otlp

    DATA.mkdir(exist_ok=True)
    parts = DATA / "otlp_parts"
    parts.mkdir(exist_ok=True)
    out = {}
    for mb in sizes_mb:
        path = DATA / f"traces_{mb}mb.jsonl"
        out[mb] = path
        if path.exists():
            continue
        with path.open("w", encoding="utf-8") as f:
            seed = 0
            while f.tell() < mb * 2**20:
                seed += 1
                part = parts / f"seed{seed}.jsonl"
                if not part.exists():
                    with tempfile.TemporaryDirectory() as tmp:
                        pilot = synth.generate_frames(days=14, seed=seed)
                        files = sorted(p for p in write_otlp(pilot, Path(tmp)) if p.name.startswith("traces_"))
                        part.write_text("".join(p.read_text(encoding="utf-8") for p in files), encoding="utf-8")
                text = part.read_text(encoding="utf-8")
                room = mb * 2**20 - f.tell()
                if len(text) > room:  # whole lines only
                    text = text[: text.rfind("\n", 0, room) + 1] if text.rfind("\n", 0, room) > 0 else ""
                    if not text:
                        break
                f.write(text)
    return out


def run_traces(sizes_mb: list[int], repeat: int, before: Path | None = None) -> dict[str, dict[str, float]]:
    """Floor and ingest (and, with `before`, the ingest of another checkout's code) side by side."""
    files = make_traces(sizes_mb)
    # name: (code, folder of the launchkit to run, extra argument: the [ingest] workers setting)
    runs: dict[str, tuple[str, Path | None, list[str]]] = {"floor": (TRACE_FLOOR, None, [])}
    if before is not None:
        runs["before"] = (TRACE_INGEST, before, ["default"])
    runs["serial"] = (TRACE_INGEST, None, ["1"])  # mapped in the importing process
    runs["ingest"] = (TRACE_INGEST, None, ["0"])  # the default: worker processes for a large file
    results = {}
    for src in files.values():
        secs: dict[str, list[float]] = {k: [] for k in runs}
        mem: dict[str, list[float]] = {k: [] for k in runs}
        counts: dict[str, int] = {}
        for _ in range(repeat):
            for name, (code, path, extra) in runs.items():  # alternating, so machine noise hits each alike
                with tempfile.TemporaryDirectory() as tmp:
                    (s, n), m = _timed(code, str(src), str(Path(tmp) / "w.duckdb"), *extra, pythonpath=path)
                secs[name].append(s)
                mem[name].append(m)
                counts[name] = n
        assert len(set(counts.values())) == 1, counts
        n = counts["ingest"]
        r: dict[str, float] = {"spans": n}
        for name in runs:
            r[f"{name}_s"] = min(secs[name])
            r[f"{name}_spans_per_s"] = n / min(secs[name])
            r[f"{name}_peak_mib"] = max(mem[name])
            if name != "floor":
                r[f"{name}_ratio"] = min(secs[name]) / min(secs["floor"])
        results[f"{src.stat().st_size / 2**20:.0f} MiB"] = r
    header = f"{'file':<9}{'spans':>9}"
    for name in runs:
        header += f"{name + ' s':>10}{name + ' sp/s':>14}" + (f"{name + ' ratio':>14}" if name != "floor" else "")
        header += f"{name + ' MiB':>12}"
    print(header)
    for fname, r in results.items():
        line = f"{fname:<9}{int(r['spans']):>9,}"
        for name in runs:
            line += f"{r[name + '_s']:>10.2f}{r[name + '_spans_per_s']:>14,.0f}"
            line += f"{r[name + '_ratio']:>14.2f}" if name != "floor" else ""
            line += f"{r[name + '_peak_mib']:>12.0f}"
        print(line)
    print(f"best of {repeat} (time), worst of {repeat} (peak memory = the process's ru_maxrss)")
    print("targets: ratio <= 2, ingest spans/s flat across sizes, ingest peak memory not growing with the file")
    return results


def _timed(code: str, *args: str, pythonpath: Path | None = None) -> tuple[tuple[float, int], float]:
    """(seconds, count) printed by the child, and its peak memory in MiB; `pythonpath` first on its path."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run([sys.executable, '-c', sys.argv[1], *sys.argv[2:]], capture_output=True, text=True, check=True)\n"
        "print(p.stdout.strip().splitlines()[-1], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), *filter(None, [env.get("PYTHONPATH")])])
    # run in the database's folder: `python -c` puts the working folder first on sys.path, and a
    # checkout's launchkit/ there would shadow `pythonpath` (and no launchkit.toml is picked up)
    out = subprocess.run(
        [sys.executable, "-c", wrapper, code, *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(args[1]).parent,
    )
    secs, n, rss_kb = out.stdout.split()
    return (float(secs), int(n)), int(rss_kb) / 1024


def peak_of(code: str, *args: str) -> tuple[float, float]:
    wrapper = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run([sys.executable, '-c', sys.argv[1], *sys.argv[2:]], capture_output=True, text=True, check=True)\n"
        "print(p.stdout.strip().splitlines()[-1], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, code, *args], check=True, capture_output=True, text=True)
    secs, rss_kb = out.stdout.split()
    return float(secs), int(rss_kb) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--only", choices=("tabular", "traces"), default=None)
    ap.add_argument("--trace-mb", default="15,70,200", help="sizes of the trace files, MiB")
    ap.add_argument(
        "--before",
        type=Path,
        default=None,
        help="traces: also run the import of the launchkit package under this folder (e.g. an older checkout)",
    )
    ns = ap.parse_args()
    if ns.only != "tabular":
        traces = run_traces([int(x) for x in ns.trace_mb.split(",")], ns.repeat, ns.before)
        if ns.only == "traces":
            print(json.dumps(traces))
            return
    files = make_data(ns.rows)
    print(
        f"{ns.rows:,} tool-call rows; CSV {files['csv'].stat().st_size / 2**20:.0f} MiB, "
        f"Parquet {files['parquet'].stat().st_size / 2**20:.0f} MiB; best of {ns.repeat}, alternating"
    )
    results = {}
    for fmt, src in files.items():
        bare, ours, bare_mem, our_mem = [], [], [], []
        for _ in range(ns.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                s, m = peak_of(BARE, fmt, str(src), str(Path(tmp) / "bare.duckdb"))
                bare.append(s)
                bare_mem.append(m)
            with tempfile.TemporaryDirectory() as tmp:
                s, m = peak_of(INGEST, str(src), str(Path(tmp) / "w.duckdb"))
                ours.append(s)
                our_mem.append(m)
        results[fmt] = {
            "bare_s": min(bare),
            "ingest_s": min(ours),
            "ratio": min(ours) / min(bare),
            "bare_peak_mib": max(bare_mem),
            "ingest_peak_mib": max(our_mem),
        }
    print(f"{'format':<8}{'bare s':>9}{'ingest s':>10}{'ratio':>8}{'bare MiB':>10}{'ingest MiB':>12}")
    for fmt, r in results.items():
        print(
            f"{fmt:<8}{r['bare_s']:>9.2f}{r['ingest_s']:>10.2f}{r['ratio']:>8.2f}"
            f"{r['bare_peak_mib']:>10.0f}{r['ingest_peak_mib']:>12.0f}"
        )
    print("targets: ratio <= 1.5, ingest peak memory < 2048 MiB")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
