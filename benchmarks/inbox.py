"""Inbox benchmark: what deciding the hourly run's new files by content hash costs.

Writes N inbox files of a typical size (an hour's tool calls at GA volume, about 100 KB each), then
times launchkit.ingest.inbox.new_files on a warehouse file:
  first run:     every file is new (each hashed once, the hashes remembered);
  steady state:  all loaded, nothing changed (a stat per file, nothing hashed);
  10 rewritten:  ten files get new content with their old size and modification time (rsync -t);
and, for comparison, hashing every file every run (what the decision would cost without the
remembered stat). Prints the figures; no targets (the hourly benchmark times the whole run).

    python benchmarks/inbox.py [--files 1000] [--kib 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from launchkit.ingest import inbox
from launchkit.ingest.files import content_hash
from launchkit.store.warehouse import Warehouse


def write_files(folder: Path, n: int, kib: int) -> list[Path]:
    row = "c{i:07d},s{i:06d},t{i:07d},sql_query,2026-03-02T10:00:00.000Z,840.5,ok,\n"
    per_file = max(1, kib * 1024 // len(row.format(i=0)))
    paths = []
    for f in range(n):
        p = folder / f"tool_calls_2026-03-02T{f:05d}.csv"
        body = "".join(row.format(i=f * per_file + i) for i in range(per_file))
        p.write_text("call_id,session_id,turn_id,tool_name,started_at,duration_ms,status,error_type\n" + body)
        paths.append(p)
    old = time.time_ns() - 3_600_000_000_000  # written an hour ago
    for p in paths:
        os.utime(p, ns=(old, old))
    return paths


def mark_loaded(wh: Warehouse, paths: list[Path]) -> None:
    """Book every file as loaded in the manifest (what the hourly run's loads would have written)."""
    for i, p in enumerate(paths):
        wh.execute(
            "INSERT INTO loads (load_id, path, content_hash, table_name, format, status, loaded_at) "
            "VALUES (?, ?, ?, 'tool_calls', 'csv', 'loaded', now())",
            [10_000_000 + i, str(p.resolve()), content_hash(p)],
        )


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--kib", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        box = Path(tmp) / "inbox"
        box.mkdir()
        paths = write_files(box, ns.files, ns.kib)
        time.sleep(inbox.RACY_NS / 1e9 + 0.1)  # files changed within the last seconds are not remembered
        wh = Warehouse.open(Path(tmp) / "w.duckdb")
        t = time.perf_counter()
        first = inbox.new_files(wh.con, box)
        first_s = time.perf_counter() - t
        assert len(first) == ns.files
        mark_loaded(wh, paths)
        steady_s = timed(lambda: inbox.new_files(wh.con, box), ns.repeat)
        assert inbox.new_files(wh.con, box) == []
        for p in paths[:10]:  # new content, same size, the old modification time
            st = p.stat()
            text = p.read_text()
            p.write_text(text.replace("840.5", "999.9", 1))
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
        time.sleep(inbox.RACY_NS / 1e9 + 0.1)
        t = time.perf_counter()
        changed = inbox.new_files(wh.con, box)
        changed_s = time.perf_counter() - t
        assert len(changed) == 10, len(changed)
        hash_all_s = timed(lambda: [content_hash(p) for p in paths], ns.repeat)
        wh.close()
    total_mib = ns.files * ns.kib / 1024
    print(f"{ns.files} inbox files of {ns.kib} KiB ({total_mib:.0f} MiB); best of {ns.repeat} where repeated")
    print(f"first run (all new, all hashed)         {first_s * 1000:9.1f} ms")
    print(f"steady state (nothing new: stat only)   {steady_s * 1000:9.1f} ms")
    print(f"10 rewritten with their old mtime       {changed_s * 1000:9.1f} ms")
    print(f"hashing every file (no remembered stat) {hash_all_s * 1000:9.1f} ms")
    print(
        json.dumps(
            {
                "files": ns.files,
                "kib": ns.kib,
                "first_ms": first_s * 1000,
                "steady_ms": steady_s * 1000,
                "ten_changed_ms": changed_s * 1000,
                "hash_all_ms": hash_all_s * 1000,
            }
        )
    )


if __name__ == "__main__":
    main()
