"""Ingest benchmark: `launchkit ingest` against DuckDB's bare CREATE TABLE AS on the same file.

Writes 10 million tool-call rows (CSV and Parquet) once into benchmarks/.data/, then, for each
format, runs in fresh subprocesses, alternating so that machine noise hits both alike:
  bare:   CREATE TABLE t AS SELECT * FROM read_csv/read_parquet(file) into a new DuckDB file
  ingest: `launchkit ingest file` into a new warehouse (hashing, validation, dedup, manifest)
and prints wall times, the ratio, and each process's peak memory (ru_maxrss).
Targets (issue 2): ingest within 1.5x of the bare load, peak memory under 2 GiB.

    python benchmarks/ingest.py [--rows 10000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
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
from launchkit.store.runner import Warehouse
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
    ns = ap.parse_args()
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
