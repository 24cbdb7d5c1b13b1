"""Alerts end to end: real `launchkit hourly` processes send to a real HTTP server on 127.0.0.1 (a URL
from the file), a failing one (a URL from LAUNCHKIT_ALERT_WEBHOOKS) and a command; then the
dead-man's switch of `launchkit status --check-stale`.

The thresholds are set so that the synthetic pilot's hours answer known ways (checked first, from
the pilot's own rows with pandas): every hour breaches p95 latency (fail line 100 ms); tool-call
success (fail line 99.99 %) breaches in an hour with a failed tool call, and is ok in an hour
without one.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from _http_receiver import PROXY_VARS, Server
from _report_fixtures import clean_env, launchkit_cmd

from launchkit import exits, synth

DAY = "2026-03-02"
STDIN_TO_FILE = (
    "import sys, pathlib; p = pathlib.Path(sys.argv[1]); "
    "p.write_text((p.read_text() if p.exists() else '') + sys.stdin.read() + '\\n')"
)


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("pilot")
    synth.generate(src, days=1, tenants=3, seed=11, sessions_per_hour=25)
    return src


@pytest.fixture()
def servers() -> Iterator[tuple[Server, Server]]:
    good, bad = Server(), Server()
    yield good, bad
    good.close()
    bad.close()


def _failed_tool_calls(pilot: Path, hour: str) -> int:
    calls = pd.read_csv(pilot / f"tool_calls_{DAY}T{hour}.csv")
    return int((calls["status"] != "ok").sum())


def _site(folder: Path, good: Server, commands: Path) -> Path:
    (folder / "inbox").mkdir(parents=True)
    command = shlex.join([sys.executable, "-c", STDIN_TO_FILE, str(commands)])
    (folder / "launchkit.toml").write_text(
        f"""[warehouse]
path = "lk.duckdb"
[hourly]
inbox = "inbox"
[reports]
keep_days = 1
[criteria.tool_success]
pass = 0.9999
marginal = 0.9999
min_sample = 1
[criteria.latency_p95]
pass = 100
marginal = 100
min_sample = 1
[alerts]
webhooks = ["{good.url("/hook")}"]
command = {json.dumps(command)}
retries = 1
""",
        encoding="utf-8",
    )
    return folder


def _deliver(pilot: Path, site: Path, *hours: str) -> None:
    for hour in hours:
        for p in pilot.glob(f"*_{DAY}T{hour}.csv"):
            shutil.copy(p, site / "inbox" / p.name)
    shutil.copy(pilot / "rollout.csv", site / "inbox" / "rollout.csv")


def _env(bad: Server, site: Path) -> dict[str, str]:
    env = {k: v for k, v in clean_env(site).items() if k not in PROXY_VARS}
    env["LAUNCHKIT_ALERT_WEBHOOKS"] = bad.url("/from-env/SECRETTOKEN123")
    return env


def _run(site: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    p = subprocess.run(launchkit_cmd(*args), cwd=site, env=env, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def _events(server: Server) -> list[dict[str, Any]]:
    return [json.loads(r["body"]) for r in server.requests]


def _brief(events: list[dict[str, Any]]) -> list[tuple[str, str | None, list[str]]]:
    return [(e["event"], e["hour"], sorted(c["check"] for c in e["checks"] if c.get("new", True))) for e in events]


@pytest.mark.slow
def test_hourly_alerts_once_per_breach_clears_catches_up_and_survives_a_dead_target(
    pilot: Path, tmp_path: Path, servers: tuple[Server, Server]
) -> None:
    good, bad = servers
    # the oracle: which hours have a failed tool call (tool_success breaches there, is ok elsewhere)
    failed = {h: _failed_tool_calls(pilot, h) for h in ("10", "11", "12", "13")}
    assert failed["10"] > 0 and failed["11"] == 0 and failed["12"] == 0 and failed["13"] > 0, failed
    commands = tmp_path / "command.jsonl"
    site = _site(tmp_path / "site", good, commands)
    env = _env(bad, site)

    # 10:00 breaches: one alert to each target; the env's server fails (500, retried once) and the
    # run's exit status and report do not change
    bad.script = [(500, {}, b"internal error")] * 2
    _deliver(pilot, site, "10")
    old = site / "reports" / "hourly"  # an hourly report of two days before ([reports] keep_days = 1 prunes it)
    old.mkdir(parents=True)
    for suffix in ("html", "ipynb", "json"):
        (old / f"2026-02-28T10.{suffix}").write_text("{}")
    code, out, err = _run(site, env, "hourly", "--at", f"{DAY}T10:00Z")
    assert code == exits.BREACH, out + err
    assert (site / "reports" / "hourly" / f"{DAY}T10.html").is_file()
    first_line, alerts_line = out.strip().splitlines()
    assert "BREACH" in first_line and "latency_p95" in first_line and "tool_success" in first_line
    assert "; pruned 1 hourly report older than 1 d; " in first_line
    assert sorted(p.name for p in old.iterdir()) == [f"{DAY}T10.{s}" for s in ("html", "ipynb", "json")]
    assert len(list((site / "reports").glob("plotly-*.min.js"))) == 1  # shared by the folder's reports
    assert alerts_line == (
        f"alerts: 1 new (breach); 2/3 deliveries made; webhook http://127.0.0.1:{bad.port}/… failed: "
        "HTTP 500: internal error (after 2 attempts) (kept for the next run)"
    )
    assert "SECRETTOKEN123" not in out + err
    [breach10] = _events(good)
    assert _brief([breach10]) == [("breach", f"{DAY}T10:00:00Z", ["latency_p95", "tool_success"])]
    assert breach10["exit_status"] == exits.BREACH and breach10["report"].endswith(f"hourly/{DAY}T10.html")
    assert good.requests[0]["headers"]["Idempotency-Key"] == breach10["idempotency_key"]
    assert len(bad.requests) == 2 and json.loads(bad.requests[0]["body"]) == breach10

    # 11:00 to 13:00 arrive late; the 13:00 run catches up 11:00 and 12:00 (not rendered, checked):
    # tool_success clears at 11:00 and breaches anew at 13:00; latency breaches throughout and is not
    # sent again; the env's server now answers and gets the 10:00 breach it missed, with the same key
    _deliver(pilot, site, "11", "12", "13")
    code, out, err = _run(site, env, "hourly", "--at", f"{DAY}T13:00Z")
    assert code == exits.BREACH, out + err
    assert "caught up 2 missed hours" in out
    assert not (site / "reports" / "hourly" / f"{DAY}T11.html").exists()
    assert out.strip().splitlines()[1] == "alerts: 2 new (cleared, breach); 7/7 deliveries made"  # and the one owed
    assert _brief(_events(good)[1:]) == [
        ("cleared", f"{DAY}T11:00:00Z", ["tool_success"]),
        ("breach", f"{DAY}T13:00:00Z", ["tool_success"]),
    ]
    cleared = _events(good)[1]["checks"][0]
    assert (cleared["first_breached_hour"], cleared["cleared_hour"], cleared["status"]) == (
        f"{DAY}T10:00Z",
        f"{DAY}T11:00Z",
        "ok",
    )
    breach13 = {c["check"]: c for c in _events(good)[2]["checks"]}
    assert breach13["latency_p95"]["first_breached_hour"] == f"{DAY}T10:00Z" and not breach13["latency_p95"]["new"]
    assert [e["idempotency_key"] for e in _events(bad)] == [breach10["idempotency_key"]] * 3 + [
        e["idempotency_key"] for e in _events(good)[1:]
    ]
    # the command got each alert once, on stdin
    assert [json.loads(line)["event"] for line in commands.read_text().splitlines()] == ["breach", "cleared", "breach"]

    # the same hour again, with a bad file whose name holds an e-mail address: the run fails (exit
    # 1), which is announced, redacted; the open breaches are not sent again
    (site / "inbox" / f"tool_calls_jane.doe@example.com_{DAY}T14.csv").write_text("not,the,contract\n1,2,3\n")
    code, out, err = _run(site, env, "hourly", "--at", f"{DAY}T13:00Z")
    assert code == exits.FAILED, out + err
    [failed_event] = _events(good)[3:]
    assert failed_event["event"] == "failed" and failed_event["exit_status"] == exits.FAILED
    text = json.dumps(failed_event)
    assert "jane.doe" not in text and "[email]" in failed_event["detail"]
    assert "jane.doe" in err  # the local log keeps the file's name

    # the dead-man's switch: fresh now; stale once the last successful run is made 3 hours old
    code, out, err = _run(site, env, "status", "--check-stale")
    assert code == exits.OK and out.startswith("hourly OK: last successful run "), out + err
    con = duckdb.connect(str(site / "lk.duckdb"))
    con.execute("UPDATE hourly_runs SET started_at = started_at - INTERVAL 3 HOUR")
    con.close()
    code, out, err = _run(site, env, "status", "--check-stale", "--alert")
    assert code == exits.BREACH, out + err
    assert out.startswith("hourly STALE: last successful run ") and "stale after 2 h" in out
    assert [e["event"] for e in _events(good)[4:]] == ["stale"]
    code, out, err = _run(site, env, "status", "--check-stale", "--alert")
    assert code == exits.BREACH and len(good.requests) == 5  # once per gap
    code, out, err = _run(site, env, "status")
    assert code == exits.OK and "hourly STALE" in out and "2 open breaches" in out, out + err
