"""`launchkit hourly`, the cron entry, run as real processes: twice, two at once, while another run holds
the lock, while a notebook kernel holds the warehouse open, on a breach and on a bad file.

Every run is a subprocess of the CLI with a launchkit.toml in its folder, like cron would start it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from _report_fixtures import clean_env, launchkit_cmd

from launchkit import exits, synth

DAY = "2026-03-02"
HOURS = ("10", "11", "12", "13", "14")


@pytest.fixture(scope="module")
def pilot(tmp_path_factory) -> Path:
    """One synthetic weekday as hourly files (not yet in any inbox)."""
    src = tmp_path_factory.mktemp("pilot")
    synth.generate(src, days=1, tenants=3, seed=11, sessions_per_hour=25)
    return src


def _site(folder: Path, **hourly_keys) -> Path:
    """A deployment folder: launchkit.toml, an empty inbox."""
    (folder / "inbox").mkdir(parents=True)
    keys = {"inbox": '"inbox"', "lock_timeout_s": "30"} | {k: str(v) for k, v in hourly_keys.items()}
    (folder / "launchkit.toml").write_text(
        '[warehouse]\npath = "lk.duckdb"\n[reports]\ndir = "reports"\n[hourly]\n'
        + "".join(f"{k} = {v}\n" for k, v in keys.items()),
        encoding="utf-8",
    )
    return folder


def _deliver(pilot: Path, site: Path, hour: str) -> list[Path]:
    """Drop one hour's export files into the inbox (plus the tenant allowlist the first time)."""
    out = []
    names = [p for p in pilot.glob(f"*_{DAY}T{hour}.csv")]
    if not (site / "inbox" / "rollout.csv").exists():
        names.append(pilot / "rollout.csv")
    for p in names:
        shutil.copy(p, site / "inbox" / p.name)
        out.append(site / "inbox" / p.name)
    return out


def _hourly(site: Path, hour: str, *extra: str, wait: bool = True):
    cmd = launchkit_cmd("hourly", "--at", f"{DAY}T{hour}:00Z", *extra)
    p = subprocess.Popen(cmd, cwd=site, env=clean_env(site), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if not wait:
        return p
    out, err = p.communicate(timeout=240)
    return p.returncode, out, err


def _rows(pilot: Path, table: str, hours) -> int:
    return sum(len(pd.read_csv(pilot / f"{table}_{DAY}T{h}.csv")) for h in hours)


def _count(site: Path, table: str) -> int:
    import duckdb

    con = duckdb.connect(str(site / "lk.duckdb"), read_only=True)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    finally:
        con.close()


def _summary(site: Path, hour: str) -> dict:
    return json.loads((site / "reports" / "hourly" / f"{DAY}T{hour}.json").read_text())


@pytest.mark.slow
def test_twice_gives_the_same_result(pilot, tmp_path):
    site = _site(tmp_path)
    _deliver(pilot, site, "10")
    code1, out1, err1 = _hourly(site, "10")
    assert code1 in (exits.OK, exits.BREACH), out1 + err1
    assert "loaded 5 new files" in out1 and "hourly 2026-03-02T10:00Z" in out1
    assert len(out1.strip().splitlines()) == 1  # one summary line
    first = _summary(site, "10")
    counts = {t: _count(site, t) for t in ("sessions", "turns", "tool_calls", "loads")}
    code2, out2, err2 = _hourly(site, "10")
    assert code2 == code1, out2 + err2
    assert "loaded 0 new files" in out2
    second = _summary(site, "10")
    assert second["metrics"] == first["metrics"] and second["verdicts"] == first["verdicts"]
    assert {t: _count(site, t) for t in counts} == counts  # nothing loaded twice, no new load records
    assert counts["sessions"] == _rows(pilot, "sessions", ["10"])
    assert sorted(p.name for p in (site / "reports" / "hourly").iterdir()) == [
        f"{DAY}T10.html",
        f"{DAY}T10.ipynb",
        f"{DAY}T10.json",
    ]


@pytest.mark.slow
def test_two_runs_at_once_are_serialised_by_the_lock(pilot, tmp_path):
    site = _site(tmp_path)
    _deliver(pilot, site, "11")
    a, b = _hourly(site, "11", wait=False), _hourly(site, "11", wait=False)
    (out_a, err_a), (out_b, err_b) = a.communicate(timeout=240), b.communicate(timeout=240)
    assert a.returncode == b.returncode and a.returncode in (exits.OK, exits.BREACH), err_a + err_b
    loaded = sorted(line.split("; loaded ")[1].split(" new")[0] for line in (out_a, out_b))
    assert loaded == ["0", "5"]  # one run loaded the files, the other found nothing new
    for table in ("sessions", "turns", "tool_calls"):
        assert _count(site, table) == _rows(pilot, table, ["11"])


@pytest.mark.slow
def test_a_run_that_cannot_get_the_lock_exits_with_a_clear_message(pilot, tmp_path):
    site = _site(tmp_path, lock_timeout_s=1)
    _deliver(pilot, site, "10")
    lock = site / "lk.duckdb.hourly.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import time, filelock; l = filelock.FileLock({str(lock)!r}); l.acquire(); "
            "print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        code, out, err = _hourly(site, "10")
        assert code == exits.BUSY
        assert "hourly BUSY: another run holds" in err and "waited 1s" in err
        assert time.monotonic() - started < 20
        assert not (site / "reports").exists() and not (site / "lk.duckdb").exists()  # nothing done
    finally:
        holder.kill()
        holder.wait()


_KERNEL_CODE = """
from launchkit.reports.page import notebook
ctx = notebook.open_context()
held = ctx.db  # the analyst keeps the notebook's connection
print("sessions", held.execute("SELECT count(*) FROM sessions").fetchall()[0][0])
"""


@pytest.mark.slow
def test_hourly_runs_while_a_notebook_kernel_holds_the_warehouse(pilot, tmp_path):
    """A real kernel (as JupyterLab starts it) opens the notebooks' connection and keeps it; the
    scheduled run must still load, publish and report; the kernel then sees the new data."""
    from jupyter_client.manager import start_new_kernel

    site = _site(tmp_path)
    _deliver(pilot, site, "12")
    code, out, err = _hourly(site, "12")
    assert code in (exits.OK, exits.BREACH), err
    n12 = _rows(pilot, "sessions", ["12"])

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(site))
    try:

        def run(src: str) -> str:
            lines: list[str] = []

            def hook(msg):
                if msg["msg_type"] == "stream":
                    lines.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    lines.append("ERROR " + msg["content"]["evalue"])

            reply = kc.execute_interactive(src, timeout=120, output_hook=hook)
            assert reply["content"]["status"] == "ok", "".join(lines)
            return "".join(lines)

        assert run(_KERNEL_CODE).split() == ["sessions", str(n12)]
        _deliver(pilot, site, "13")
        code, out, err = _hourly(site, "13")
        assert code in (exits.OK, exits.BREACH), out + err
        assert "loaded 4 new files" in out or "loaded 5 new files" in out
        # the open connection still answers, from the snapshot it opened
        assert run('print(held.execute("SELECT count(*) FROM sessions").fetchall()[0][0])').strip() == str(n12)
        # re-running the notebook's first cell picks up the new snapshot
        assert run(_KERNEL_CODE).split() == ["sessions", str(n12 + _rows(pilot, "sessions", ["13"]))]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.mark.slow
def test_breach_and_failure_have_their_own_exit_status(pilot, tmp_path):
    site = _site(tmp_path)
    _deliver(pilot, site, "14")
    # thresholds no real hour can meet: the hour's interval lies wholly below the fail line
    (site / "strict.toml").write_text(
        (site / "launchkit.toml").read_text() + "[criteria.tool_success]\npass = 0.9999\nmarginal = 0.9999\n"
    )
    code, out, err = _hourly(site, "14", "--config", "strict.toml")
    assert code == exits.BREACH, out + err
    assert " BREACH: " in out and "breached: tool_success" in out
    assert _summary(site, "14")["breaches"] == ["tool_success"]

    (site / "inbox" / f"tool_calls_{DAY}T15.csv").write_text("not,the,contract\n1,2,3\n")
    code, out, err = _hourly(site, "14")
    assert code == exits.FAILED, out + err
    assert "1 FAILED" in err and f"tool_calls_{DAY}T15.csv" in err
    assert (site / "reports" / "hourly" / f"{DAY}T14.html").exists()  # the report is still written
    code, out, err = _hourly(site, "14")  # the bad file is reported once, not every hour
    assert code == exits.OK and "loaded 0 new files" in out, out + err
