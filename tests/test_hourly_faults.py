"""`launchkit hourly` under faults, as cron runs it (real processes): a dead exporter, an empty warehouse
before and after pilot.start, and a reader that holds the warehouse itself.

The blindness rules themselves are worked out by hand in test_blindness.py; here the point is the
command's exit status and lines.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _report_fixtures import clean_env, launchkit_cmd

from launchkit import exits, synth
from launchkit.store.warehouse import Warehouse

DAY = "2026-03-02"


@pytest.fixture(scope="module")
def pilot(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("pilot")
    synth.generate(src, days=1, tenants=3, seed=11, sessions_per_hour=25)
    return src


def _site(folder: Path, extra: str = "", lock_timeout_s: float = 30) -> Path:
    (folder / "inbox").mkdir(parents=True)
    (folder / "launchkit.toml").write_text(
        '[warehouse]\npath = "lk.duckdb"\n[reports]\ndir = "reports"\n'
        f'[hourly]\ninbox = "inbox"\nlock_timeout_s = {lock_timeout_s}\n' + extra,
        encoding="utf-8",
    )
    return folder


def _hourly(site: Path, at: str, *extra: str) -> tuple[int, str, str]:
    p = subprocess.run(
        launchkit_cmd("hourly", "--at", at, *extra),
        cwd=site,
        env=clean_env(site),
        capture_output=True,
        text=True,
        timeout=240,
    )
    return p.returncode, p.stdout, p.stderr


@pytest.mark.slow
def test_a_dead_exporter_is_a_breach_not_ok(pilot, tmp_path):
    """One day of data (2026-03-02), then nothing: the next day's noon expects traffic and has none.
    (The run also keeps a backup: [backup] keep = 1.)"""
    site = _site(tmp_path, "[backup]\nkeep = 1\n")
    for p in pilot.glob("*.csv"):
        shutil.copy(p, site / "inbox" / p.name)
    code, out, err = _hourly(site, "2026-03-03T12:00Z")
    assert code == exits.BREACH, out + err
    lines = out.strip().splitlines()
    assert " BREACH: 0 sessions" in lines[0] and "breached: data_arrived, data_fresh" in lines[0]
    assert lines[1].startswith("data_arrived BREACH: no data in 1 hour that normally has traffic")
    assert lines[2].startswith("data_fresh BREACH: no new data for ")
    assert "sessions were expected" in lines[2]
    assert (site / "reports" / "hourly" / "2026-03-03T12.json").is_file()  # the report is written too
    [kept] = list((site / "backups").iterdir())
    assert f"; backup {kept}; report " in lines[0]
    manifest = json.loads((kept / "manifest.json").read_text())
    assert manifest["tables"]["sessions"] == sum(len(pd.read_csv(p)) for p in pilot.glob("sessions_*.csv"))


@pytest.mark.slow
def test_an_empty_warehouse_after_pilot_start_breaches_and_before_it_is_no_data_yet(tmp_path):
    site = _site(tmp_path, '[pilot]\nstart = "2026-03-02"\n')
    code, out, err = _hourly(site, "2026-03-05T10:00Z")
    assert code == exits.BREACH, out + err
    assert "data_arrived BREACH: no data at all since pilot.start 2026-03-02 (the warehouse is empty)" in out
    code, out, err = _hourly(site, "2026-03-01T10:00Z")
    assert code == exits.OK, out + err
    assert "hourly 2026-03-01T10:00Z OK: no data yet (pilot.start 2026-03-02); loaded 0 new files" in out
    assert "Traceback" not in out + err


@pytest.mark.slow
def test_a_reader_holding_the_warehouse_makes_the_run_busy_not_failed(pilot, tmp_path):
    site = _site(tmp_path, lock_timeout_s=1)
    Warehouse.open(site / "lk.duckdb").close()  # an existing (empty) warehouse
    for p in pilot.glob(f"*_{DAY}T10.csv"):
        shutil.copy(p, site / "inbox" / p.name)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, time; c = duckdb.connect('lk.duckdb', read_only=True); print('held', flush=True); "
            "time.sleep(120)",
        ],
        cwd=site,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        code, out, err = _hourly(site, f"{DAY}T10:00Z")
    finally:
        holder.kill()
        holder.wait()
    assert code == exits.BUSY, out + err
    assert out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("hourly BUSY: warehouse ") and "(waited 1s); try again" in err
    assert "nothing loaded, no report written" in err
    assert not (site / "reports" / "hourly").exists()
    with Warehouse.open(site / "lk.duckdb", read_only=True) as wh:
        assert wh.execute("SELECT count(*) FROM loads").fetchall()[0][0] == 0  # the inbox was not touched
