"""Repair after a crash: `launchkit hourly` killed with SIGKILL at random points of load, price and report,
then run to completion, ends exactly where a run that was never interrupted ends.

The oracle is a second deployment that received the same files and ran once, uninterrupted: row counts
per table, cost per UTC day (through turns_priced, so pricing completeness is checked), and the hourly
report's JSON apart from generated_at must be equal. After every kill the report already published must
still be whole, and what killed runs leave behind (files being written, notebooks being executed,
kernel runtime folders) must be gone once the next run has started and finished.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb
import pytest
from _report_fixtures import clean_env, launchkit_cmd

from launchkit import exits, synth
from launchkit.config import load_config
from launchkit.ingest import ingest
from launchkit.jobs import load
from launchkit.store.warehouse import Warehouse

AT = "2026-03-02T12:00Z"
STAMP = "2026-03-02T12"
KILLS = 20
DELIVERIES = 11  # the first, then one per aimed kill
SEED = 20260302
TABLES = ("sessions", "turns", "tool_calls", "feedback", "vendor_costs", "incidents", "rollout", "model_prices")


@pytest.fixture(scope="module")
def pilot(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("pilot")
    synth.generate(src, days=1, tenants=3, seed=5, sessions_per_hour=20)
    return src


def _site(folder: Path) -> Path:
    (folder / "inbox").mkdir(parents=True)
    (folder / "launchkit.toml").write_text(
        '[warehouse]\npath = "lk.duckdb"\n[reports]\ndir = "reports"\n[hourly]\ninbox = "inbox"\nlock_timeout_s = 60\n',
        encoding="utf-8",
    )
    return folder


def _deliveries(pilot: Path) -> list[list[Path]]:
    """The pilot's files in DELIVERIES groups by hour (files without an hour first), as an exporter sends them."""
    files = sorted(pilot.glob("*.csv"), key=lambda p: (p.stem.rsplit("_", 1)[-1] if "T" in p.stem else "", p.name))
    size = -(-len(files) // DELIVERIES)
    return [files[i : i + size] for i in range(0, len(files), size)]


def _start(site: Path, tmpdir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        launchkit_cmd("hourly", "--at", AT),
        cwd=site,
        env=clean_env(site, TMPDIR=str(tmpdir)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(site: Path, tmpdir: Path) -> tuple[int, str]:
    p = _start(site, tmpdir)
    out, err = p.communicate(timeout=300)
    return p.returncode, out + err


def _state(site: Path) -> dict:
    con = duckdb.connect(str(site / "lk.duckdb"), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
        cost = con.execute(
            "SELECT CAST(started_at AS DATE) AS day, round(sum(cost_usd), 9), count(cost_usd) "
            "FROM turns_priced GROUP BY 1 ORDER BY 1"
        ).fetchall()
        loaded = con.execute("SELECT count(DISTINCT path) FROM loads WHERE status = 'loaded'").fetchall()[0][0]
        unpriced = con.execute(
            "SELECT count(*) FROM turns t WHERE NOT EXISTS "
            "(SELECT 1 FROM model_prices p WHERE p.model = t.model AND p.day = CAST(t.started_at AS DATE))"
        ).fetchall()[0][0]
    finally:
        con.close()
    return {"counts": counts, "cost_per_day": cost, "files_loaded": loaded, "unpriced_turns": unpriced}


def _report(site: Path) -> dict:
    d = json.loads((site / "reports" / "hourly" / f"{STAMP}.json").read_text(encoding="utf-8"))
    d.pop("generated_at")
    return d


def _report_whole(site: Path) -> None:
    """The published report files are complete documents (the previous run's or this one's, never half)."""
    folder = site / "reports" / "hourly"
    json.loads((folder / f"{STAMP}.json").read_text(encoding="utf-8"))
    json.loads((folder / f"{STAMP}.ipynb").read_text(encoding="utf-8"))
    assert (folder / f"{STAMP}.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    json.loads((site / "reports" / "index.json").read_text(encoding="utf-8"))


def _leftovers(site: Path, tmpdir: Path) -> list[Path]:
    found = [*site.rglob(".*.tmp"), *site.rglob(".*.running.ipynb"), *site.rglob("*.failed.ipynb")]
    return found + sorted(tmpdir.glob("lk-kernel-*"))


def _orphans(pids: set[int]) -> list[int]:
    """Processes (kernels) whose parent was one of the killed runs and that still live."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            env = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for item in env:
            if item.startswith(b"JPY_PARENT_PID=") and int(item.split(b"=", 1)[1] or 0) in pids:
                out.append(int(proc.name))
    return out


@pytest.mark.slow
def test_killed_hourly_runs_end_where_an_uninterrupted_run_ends(pilot, tmp_path):
    deliveries = _deliveries(pilot)
    tmpdir = Path(tempfile.mkdtemp(prefix="lkk"))  # short: kernels put IPC sockets in it
    try:
        # the oracle: every file delivered at once, one run
        ref = _site(tmp_path / "ref")
        for group in deliveries:
            for p in group:
                shutil.copy(p, ref / "inbox" / p.name)
        ref_code, ref_out = _finish(ref, tmpdir)
        assert ref_code in (exits.OK, exits.BREACH), ref_out

        # a first delivery run to completion: a report to keep intact, and how long the path's parts take
        site = _site(tmp_path / "site")
        for p in deliveries[0]:
            shutil.copy(p, site / "inbox" / p.name)
        began = time.time()
        code, out = _finish(site, tmpdir)
        assert code in (exits.OK, exits.BREACH), out
        whole_run = time.time() - began
        con = duckdb.connect(str(site / "lk.duckdb"), read_only=True)
        loading_from = con.execute("SELECT epoch(min(loaded_at)) FROM loads").fetchall()[0][0] - began
        con.close()
        loaded_by = (site / "lk.snapshot.duckdb").stat().st_mtime - began  # loaded and priced: published

        # each new delivery gets a kill aimed at its load and pricing (from a little before the first file
        # loaded to the snapshot published, as timed on the first run), then one anywhere on the path
        rng = random.Random(SEED)
        killed: set[int] = set()
        phases = {"start": 0, "load": 0, "price": 0, "report": 0}
        rounds = finished_first = most_left = 0
        while len(killed) < KILLS and rounds < 3 * KILLS:
            aimed = rounds % 2 == 0
            if aimed and rounds // 2 + 1 < len(deliveries):
                for p in deliveries[rounds // 2 + 1]:
                    shutil.copy(p, site / "inbox" / p.name)
            rounds += 1
            delivered = len(list((site / "inbox").iterdir()))
            before = _state(site)["files_loaded"]
            proc = _start(site, tmpdir)
            time.sleep(rng.uniform(0.8 * loading_from, loaded_by) if aimed else rng.uniform(0, whole_run))
            if proc.poll() is not None:  # it finished first: not a kill
                proc.communicate()
                finished_first += 1
                continue
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate()
            killed.add(proc.pid)
            _report_whole(site)
            st = _state(site)
            if st["files_loaded"] < delivered:  # new files not (all) loaded: killed before or during the load
                phase = "start" if st["files_loaded"] == before else "load"
            else:
                phase = "price" if st["unpriced_turns"] else "report"
            phases[phase] += 1
            most_left = max(most_left, len(_leftovers(site, tmpdir)))

        assert len(killed) == KILLS, f"only {len(killed)} kills in {rounds} rounds"
        for group in deliveries:  # whatever the kills left undelivered
            for p in group:
                if not (site / "inbox" / p.name).exists():
                    shutil.copy(p, site / "inbox" / p.name)
        code, out = _finish(site, tmpdir)
        assert code == ref_code, out
        print(
            f"\n{KILLS} SIGKILLs in {rounds} rounds ({finished_first} runs finished before their kill); "
            f"killed before loading a new file {phases['start']}, amid the load {phases['load']}, "
            f"loaded but not priced {phases['price']}, later (pricing, snapshot, report) {phases['report']}; "
            f"up to {most_left} leftovers seen between runs"
        )
        assert _state(site) == _state(ref)
        assert _report(site) == _report(ref)
        _report_whole(site)
        assert _leftovers(site, tmpdir) == []  # the last run cleaned what the killed ones left
        for _ in range(60):  # kernels orphaned by a kill notice their parent is gone and exit
            if not _orphans(killed):
                break
            time.sleep(0.5)
        assert _orphans(killed) == []
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


TURNS = (
    "turn_id,session_id,started_at,model,status,latency_ms,input_tokens,output_tokens,cost_usd\n"
    "t1,s1,2026-03-02T10:00:10Z,gpt-4o,ok,900,1000,100,0.01\n"
    "t2,s1,2026-03-02T10:01:10Z,gpt-4o,ok,1100,2000,200,\n"  # no cost: priced from its tokens
    "t3,s2,2026-03-03T09:00:10Z,gpt-4o-mini,ok,700,3000,300,\n"
)


def test_a_crash_between_loading_and_pricing_is_repaired_by_the_next_run(tmp_path):
    """The narrowest window of the path, hit on purpose: turns committed, prices not yet refreshed."""
    (tmp_path / "turns_a.csv").write_text(TURNS)
    files = [tmp_path / "turns_a.csv"]
    config = load_config(env={}, warehouse=tmp_path / "a.duckdb")
    cost = "SELECT turn_id, round(cost_usd, 12), cost_source FROM turns_priced ORDER BY turn_id"
    with Warehouse.open(config.warehouse_path) as wh:
        ingest(wh, files, config=config)  # the load job's first step only: then "killed"
        assert [r[1] for r in wh.execute(cost).fetchall()] == [0.01, None, None]  # unpriced, never 0
    with Warehouse.open(config.warehouse_path) as wh:
        job = load.run(wh, [], config)  # the next run, with nothing new to load
        assert job.repriced is not None
        after = wh.execute(cost).fetchall()
    straight = load_config(env={}, warehouse=tmp_path / "b.duckdb")
    with Warehouse.open(straight.warehouse_path) as wh:
        load.run(wh, files, straight)  # never interrupted
        assert after == wh.execute(cost).fetchall()
    assert [r[2] for r in after] == ["reported", "computed", "computed"] and None not in [r[1] for r in after]
