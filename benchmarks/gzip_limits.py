"""Gzip limits benchmark: what a hostile .gz costs the load (issue 18, item 7).

Writes a ~200 KB .csv.gz that expands to one 200 MB record (a decompression bomb), and a .gz of a
6 MB record that does not compress (over a 4 MiB [ingest] max_record_mb), then runs `launchkit
ingest` on each in a child process and prints its wall time, peak memory (max RSS) and first line.
With --before DIR (a checkout of another version, e.g. `git worktree add /tmp/main main`) the same
runs are made with that checkout's launchkit first on the path, side by side, each capped at
--timeout seconds. Prints figures; no targets.

    python benchmarks/gzip_limits.py [--mb 200] [--before /tmp/main] [--timeout 120]
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = b"feedback_id,session_id,submitted_at,rating,comment\nf1,s1,2026-03-02T10:00:00Z,5,"


def bomb(path: Path, mb: int) -> Path:
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(HEADER)
        block = b"x" * (1 << 20)
        for _ in range(mb):
            out.write(block)
        out.write(b"\n")
    return path


def long_record(path: Path) -> Path:
    path.write_bytes(gzip.compress(HEADER + os.urandom(3 << 20).hex().encode() + b"\n"))
    return path


def run(code_dir: Path | None, files: Path, work: Path, timeout: float, config: Path) -> tuple[float, float, str]:
    """(seconds, peak MiB of the child, first line) of `launchkit ingest FILE` in a fresh warehouse."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHKIT_")}
    env["LAUNCHKIT_CONFIG"] = str(config)
    if code_dir is not None:
        env["PYTHONPATH"] = str(code_dir)
    wh = work / f"w{time.monotonic_ns()}.duckdb"
    cmd = [sys.executable, "-c", "from launchkit.cli import main; main()", "ingest", str(files), "--warehouse", str(wh)]
    # a wrapper per run, so the peak (max RSS of its children) is this run's alone
    wrapper = [sys.executable, "-c", _WRAPPER, str(timeout), *cmd]
    t0 = time.monotonic()
    p = subprocess.run(wrapper, env=env, capture_output=True, text=True, cwd=work)
    seconds = time.monotonic() - t0
    *lines, peak = p.stderr.strip().splitlines() or ["PEAK 0"]
    text = [x for x in lines + p.stdout.strip().splitlines() if x.strip()]
    return seconds, int(peak.split()[-1]) / 1024, (text[0][:160] if text else "")


_WRAPPER = """
import resource, subprocess, sys
try:
    p = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=float(sys.argv[1]))
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
except subprocess.TimeoutExpired:
    sys.stderr.write("(still running after %s s: stopped)\\n" % sys.argv[1])
sys.stderr.write("\\nPEAK %d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=200, help="MiB the bomb expands to")
    ap.add_argument("--before", type=Path, default=None, help="a checkout of another launchkit to compare")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="lk-gzbench-") as tmp:
        work = Path(tmp)
        cases = {
            f"bomb ({args.mb} MiB record)": bomb(work / "feedback_bomb.csv.gz", args.mb),
            "6 MB record, max_record_mb = 4": long_record(work / "feedback_long.csv.gz"),
        }
        config = work / "launchkit.toml"
        config.write_text("[ingest]\nmax_record_mb = 4\n", encoding="utf-8")
        plain = work / "plain.toml"
        plain.write_text("", encoding="utf-8")
        for name, f in cases.items():
            print(f"{name}: {f.stat().st_size / 1024:.0f} KiB compressed")
            for label, code in (("now", None), ("before", args.before)):
                if label == "before" and code is None:
                    continue
                # an older launchkit knows no max_record_mb: it reads with its own limits
                cfg = config if "max_record_mb" in name and code is None else plain
                s, mib, line = run(code, f, work, args.timeout, cfg)
                print(f"  {label:>6}: {s:7.1f} s  peak {mib:7.0f} MiB  {line}")


if __name__ == "__main__":
    main()
