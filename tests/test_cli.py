"""The command line: help with examples, exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from launchkit.cli import cli


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out.extend(all_commands(cmd, prefix + name + " "))
    return out


@pytest.mark.parametrize("name, cmd", all_commands(cli), ids=lambda x: x if isinstance(x, str) else "")
def test_every_command_has_help_with_an_example(name, cmd):
    text = CliRunner().invoke(cli, [*name.split(), "--help"]).output
    assert "Example" in text and "launchkit " in text.split("Example", 1)[1], f"'{name}' help lacks an example"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("LAUNCHKIT_CONFIG", "LAUNCHKIT_REPORTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    return tmp_path


def test_ingest_json_and_exit_status(env):
    (env / "turns_a.csv").write_text(
        "turn_id,session_id,started_at,status,latency_ms\n"
        "t1,s1,2026-03-02T10:00:00Z,ok,10\nt1,s1,2026-03-02T10:00:00Z,ok,10\nt2,s1,bad,ok,1\n"
    )
    (env / "turns_b.csv").write_text("no,columns\n1,2\n")
    r = CliRunner().invoke(cli, ["ingest", str(env / "turns_a.csv"), str(env / "turns_b.csv"), "--json"])
    assert r.exit_code == 1
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert lines[0] == {
        "file": str(env / "turns_a.csv"),
        "table": "turns",
        "rows_read": 3,
        "loaded": 1,
        "updated": 0,
        "duplicates": 1,
        "rejected": 1,
        "skipped": False,
        "format": "csv",
    }
    assert lines[1]["error"].startswith("not a 'turns' file: missing required column(s)")
    again = CliRunner().invoke(cli, ["ingest", str(env / "turns_a.csv"), "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["skipped"] is True


def test_status_json_shows_tables_loads_and_rejects(env):
    (env / "sessions_a.csv").write_text(
        "session_id,tenant_id,started_at\ns1,t01,2026-03-02T10:00:00Z\ns2,,2026-03-02T11:00:00Z\n"
    )
    assert CliRunner().invoke(cli, ["ingest", str(env / "sessions_a.csv")]).exit_code == 0
    r = CliRunner().invoke(cli, ["status", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    tables = {t["table_name"]: t for t in s["tables"]}
    assert tables["sessions"]["row_count"] == 1 and tables["turns"]["row_count"] == 0
    assert tables["sessions"]["first_at"].startswith("2026-03-02T10:00:00")
    assert s["rejects_by_reason"] == [
        {
            "table_name": "sessions",
            "column_name": "tenant_id",
            "reason": "missing required value",
            "row_count": 1,
            "files": 1,
        }
    ]
    text = CliRunner().invoke(cli, ["status"]).output
    assert "sessions" in text and "missing required value" in text


def test_domain_errors_are_one_red_line_not_a_traceback(env):
    (env / "launchkit.toml").write_text("[budget]\ntotal_usd = 'lots'\n")
    proc = subprocess.run([sys.executable, "-m", "launchkit.cli", "status"], capture_output=True, text=True, cwd=env)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "config key 'budget.total_usd'" in proc.stderr


def test_status_on_a_missing_warehouse_says_what_to_do(env):
    r = CliRunner().invoke(cli, ["status"])
    assert r.exit_code == 1 and "no warehouse" in r.output


@pytest.fixture
def tiny(env):
    """Two sessions on 2026-03-02 10:00-11:00 UTC, values small enough to compute by hand."""
    (env / "sessions_1.csv").write_text(
        "session_id,tenant_id,started_at\ns1,t01,2026-03-02T10:05:00Z\ns2,t02,2026-03-02T10:40:00Z\n"
    )
    (env / "turns_1.csv").write_text(
        "turn_id,session_id,started_at,model,status,latency_ms,ttft_ms,input_tokens,output_tokens,cost_usd\n"
        "u1,s1,2026-03-02T10:05:01Z,gpt-4o,ok,1000,100,10,10,0.10\n"
        "u2,s1,2026-03-02T10:06:00Z,gpt-4o,ok,2000,200,10,10,0.20\n"
        "u3,s2,2026-03-02T10:41:00Z,gpt-4o,ok,3000,300,10,10,0.30\n"
        "u4,s2,2026-03-02T10:42:00Z,gpt-4o,error,9000,,10,10,0.40\n"
    )
    (env / "tool_calls_1.csv").write_text(
        "call_id,session_id,tool_name,started_at,status\n"
        "c1,s1,sql_query,2026-03-02T10:05:02Z,ok\nc2,s1,sql_query,2026-03-02T10:06:01Z,ok\n"
        "c3,s2,chart_render,2026-03-02T10:41:01Z,ok\nc4,s2,chart_render,2026-03-02T10:42:01Z,timeout\n"
    )
    (env / "feedback_1.csv").write_text(
        "feedback_id,session_id,submitted_at,rating,thumbs\nf1,s1,2026-03-02T10:30:00Z,5,up\nf2,s2,2026-03-02T10:50:00Z,3,down\n"
    )
    r = CliRunner().invoke(cli, ["ingest", str(env)])
    assert r.exit_code == 0, r.output
    return env


def test_metrics_json_matches_hand_computed_values(tiny):
    r = CliRunner().invoke(cli, ["metrics", "--hour", "2026-03-02T10:00Z", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["window"] == {"start": "2026-03-02T10:00:00Z", "end": "2026-03-02T11:00:00Z"}
    m = out["metrics"]
    assert m["active_sessions"] == 2 and m["new_sessions"] == 2
    assert m["tool_call_success_rate"] == pytest.approx(3 / 4)
    assert m["turn_error_rate"] == pytest.approx(1 / 4)
    assert m["total_cost_usd"] == pytest.approx(1.0)
    assert m["cost_per_session"] == pytest.approx(0.5)
    # exact percentiles (linear interpolation) over ok turns only: 1000, 2000, 3000
    assert m["latency_ms"]["p50"] == pytest.approx(2000)
    assert m["latency_ms"]["p90"] == pytest.approx(2800)
    assert m["feedback"]["responses"] == 2 and m["feedback"]["csat"] == pytest.approx(0.5)
    assert m["feedback"]["thumbs_up_rate"] == pytest.approx(0.5)


def test_an_hour_without_data_is_null_not_zero(tiny):
    out = json.loads(CliRunner().invoke(cli, ["metrics", "--hour", "2026-03-02T13:00Z", "--json"]).stdout)
    m = out["metrics"]
    assert m["active_sessions"] == 0  # a count of nothing is 0 ...
    assert m["tool_call_success_rate"] is None and m["cost_per_session"] is None  # ... a rate of nothing is unknown
    assert m["latency_ms"]["p95"] is None and m["feedback"]["csat"] is None


def test_metrics_window_options_are_checked(tiny):
    r = CliRunner().invoke(cli, ["metrics", "--hour", "2026-03-02T10:00Z", "--date", "2026-03-02"])
    assert r.exit_code == 1 and "exactly one of" in r.output
    r = CliRunner().invoke(cli, ["metrics", "--hour", "yesterday-ish"])
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_decide_and_readiness_say_not_enough_data(tiny):
    r = CliRunner().invoke(cli, ["decide", "--date", "2026-03-02", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["recommendation"] == "HOLD"
    assert d["data_sufficient"] is False
    stored = CliRunner().invoke(cli, ["status", "--json"])
    assert stored.exit_code == 0
    r = CliRunner().invoke(cli, ["readiness", "--date", "2026-03-02", "--json"])
    out = json.loads(r.stdout)
    assert out["ready"] is False
    verdicts = {c["name"]: c["verdict"] for c in out["criteria"]}
    assert verdicts["csat"] == "INSUFFICIENT DATA" and verdicts["tool_success"] in ("INSUFFICIENT DATA", "FAIL")


def test_readiness_text_states_each_verdicts_evidence(tiny):
    """Each verdict line carries its value, interval with level and method, sample size and pass line."""
    r = CliRunner().invoke(cli, ["readiness", "--date", "2026-03-02"])
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if " tool_success " in x)
    # 3 of 4 tool calls ok; Wilson 95 % by hand: centre (0.75 + 1.96²/8) / (1 + 1.96²/4) = 0.6275,
    # half-width 1.96·sqrt(0.75·0.25/4 + 1.96²/64) / 1.9604 = 0.3269 -> [0.3007, 0.9544]
    assert "75.0 %  [30.1 %, 95.4 %] 95% wilson  n=4 (min 500)  pass ≥ 97.0 %" in line
    assert line.split()[:2] == ["INSUFFICIENT", "DATA"]
