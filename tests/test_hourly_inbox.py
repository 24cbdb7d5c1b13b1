"""The hourly run against a hostile inbox, as cron starts it: bad trace files fail one by one, the rest
of the inbox loads and the report is written; a failure is reported once; a corrected file delivered
with its original timestamp is loaded."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from _report_fixtures import clean_env, launchkit_cmd

from launchkit import exits, synth

DAY = "2026-03-02"
BAD = {
    "otlp_int.json": '{"resourceSpans": 5}',
    "langfuse_obs.json": '{"trace": {"id": "t1", "sessionId": "s1"}, "observations": 7}',
    "deep.json": (
        '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c", '
        '"spanId": "eee19b7ec3c1b174", "name": "chat", "attributes": [{"key": "x", "value": '
        + '{"arrayValue": {"values": [' * 2000
        + "1"
        + "]}}" * 2000
        + "}]}]}]}]}"
    ),
}


def _hourly(site: Path) -> tuple[int, str, str]:
    p = subprocess.run(
        launchkit_cmd("hourly", "--at", f"{DAY}T10:00Z"),
        cwd=site,
        env=clean_env(site),
        capture_output=True,
        text=True,
        timeout=240,
    )
    return p.returncode, p.stdout, p.stderr


def _count(site: Path, sql: str) -> int:
    import duckdb

    con = duckdb.connect(str(site / "lk.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.slow
def test_bad_trace_files_do_not_stop_the_hourly_run(tmp_path):
    pilot = tmp_path / "pilot"
    synth.generate(pilot, days=1, tenants=3, seed=11, sessions_per_hour=25)
    site = tmp_path / "site"
    box = site / "inbox"
    box.mkdir(parents=True)
    (site / "launchkit.toml").write_text(
        '[warehouse]\npath = "lk.duckdb"\n[reports]\ndir = "reports"\n[hourly]\ninbox = "inbox"\n', encoding="utf-8"
    )
    good = [*pilot.glob(f"*_{DAY}T10.csv"), pilot / "rollout.csv"]
    for p in good:
        shutil.copy2(p, box / p.name)
    for name, text in BAD.items():
        (box / name).write_text(text)

    code, out, err = _hourly(site)
    assert code == exits.FAILED, out + err
    assert "Traceback" not in out + err
    line = (out + err).splitlines()[0]  # the summary line (on stderr when the run failed)
    assert f"loaded {len(good)} new files" in line and f"{len(BAD)} FAILED" in line
    assert sorted(
        line.split(":")[0].split("/")[-1] for line in err.splitlines() if line.startswith("FAILED")
    ) == sorted(BAD)
    assert (site / "reports" / "hourly" / f"{DAY}T10.html").exists()  # the report is written
    sessions = len(pd.read_csv(pilot / f"sessions_{DAY}T10.csv"))
    assert _count(site, "SELECT count(*) FROM sessions") == sessions

    code, out, err = _hourly(site)  # the failures were reported once: nothing new, nothing failed
    assert code in (exits.OK, exits.BREACH) and "loaded 0 new files" in out and "FAILED" not in out + err, out + err

    # a corrected export delivered with its original timestamp (rsync -t, cp -p): loaded
    turns = box / f"turns_{DAY}T10.csv"
    st = turns.stat()
    frame = pd.read_csv(turns)
    frame.loc[0, "latency_ms"] = 123456.0
    frame.to_csv(turns, index=False)
    os.utime(turns, ns=(st.st_atime_ns, st.st_mtime_ns))
    code, out, err = _hourly(site)
    assert code in (exits.OK, exits.BREACH) and "loaded 1 new file " in out, out + err
    assert _count(site, "SELECT count(*) FROM turns WHERE latency_ms = 123456") == 1
