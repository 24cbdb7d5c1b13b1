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
    assert lines[0] == {"file": str(env / "turns_a.csv"), "table": "turns", "rows_read": 3, "loaded": 1,
                        "updated": 0, "duplicates": 1, "rejected": 1, "skipped": False, "format": "csv"}
    assert lines[1]["error"].startswith("not a 'turns' file: missing required column(s)")
    again = CliRunner().invoke(cli, ["ingest", str(env / "turns_a.csv"), "--json"])
    assert again.exit_code == 0 and json.loads(again.stdout)["skipped"] is True


def test_status_json_shows_tables_loads_and_rejects(env):
    (env / "sessions_a.csv").write_text("session_id,tenant_id,started_at\ns1,t01,2026-03-02T10:00:00Z\ns2,,2026-03-02T11:00:00Z\n")
    assert CliRunner().invoke(cli, ["ingest", str(env / "sessions_a.csv")]).exit_code == 0
    r = CliRunner().invoke(cli, ["status", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    tables = {t["table_name"]: t for t in s["tables"]}
    assert tables["sessions"]["row_count"] == 1 and tables["turns"]["row_count"] == 0
    assert tables["sessions"]["first_at"].startswith("2026-03-02T10:00:00")
    assert s["rejects_by_reason"] == [{"table_name": "sessions", "column_name": "tenant_id",
                                       "reason": "missing required value", "row_count": 1, "files": 1}]
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
