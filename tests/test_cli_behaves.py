"""The command line behaves as Unix tools do: a closed pipe ends quietly, tables are aligned with
units and whole counts (issue 19, item 6)."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli import env, tiny  # noqa: F401 (fixtures)

from launchkit import exits
from launchkit.cli import cli
from launchkit.cli.options import output_gone
from launchkit.store.warehouse import Warehouse


def _closed_reader(args: list[str], cwd, env: dict[str, str]) -> tuple[int, str]:
    """Run launchkit with its stdout a pipe whose reader is gone before it writes (as `| head` after
    the lines it wanted): its exit status and what it said on stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "launchkit", *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away while the interpreter is still starting
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


@pytest.mark.parametrize("args", [["status"], ["--help"], ["metrics", "--help"]], ids=" ".join)
def test_a_closed_pipe_ends_quietly(tmp_path, args):
    Warehouse.open(tmp_path / "w.duckdb").close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHKIT_")}
    env.update(LAUNCHKIT_CONFIG="none", LAUNCHKIT_WAREHOUSE=str(tmp_path / "w.duckdb"))
    status, err = _closed_reader(args, tmp_path, env)
    assert (status, err) == (exits.CLOSED_PIPE, "")


def test_another_broken_pipe_is_not_taken_for_a_closed_output(tmp_path, monkeypatch):
    # a webhook or a subprocess breaking its pipe is an error to report, not the reader of stdout leaving
    with open(tmp_path / "out.txt", "w") as out:
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", out)
        assert not output_gone(BrokenPipeError(errno.EPIPE, "Broken pipe"))
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "w") as gone:
        monkeypatch.setattr(sys, "stdout", gone)
        assert output_gone(BrokenPipeError(errno.EPIPE, "Broken pipe"))
        assert not output_gone(OSError(errno.ENOSPC, "No space left on device"))


def test_metrics_by_prints_an_aligned_table_with_units_and_whole_counts(tiny):
    r = CliRunner().invoke(cli, ["metrics", "--hour", "2026-03-02T10:00Z", "--by", "tool"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    head = lines.index(next(x for x in lines if x.startswith("tool ")))
    table = lines[head : head + 3]
    # by hand: sql_query 1 session, 2 calls, both ok; chart_render 1 session, 2 calls, 1 timeout
    assert table[0].split() == [
        "tool", "sessions", "tool", "calls", "errors", "timeouts", "tool", "success", "p50", "duration", "p95",
        "duration",
    ]  # fmt: skip
    rows = {x.split()[0]: x for x in table[1:]}
    assert rows["sql_query"].split()[1:6] == ["1", "2", "0", "0", "100.0"]
    assert rows["chart_render"].split()[1:6] == ["1", "2", "0", "1", "50.0"]
    assert " %" in rows["chart_render"] and ".0 " not in rows["chart_render"].replace("50.0 %", "")
    # aligned: every number column ends where its header ends
    for header in ("sessions", "calls", "timeouts", "success"):
        end = table[0].index(header) + len(header)
        assert all(row[end - 1] != " " and (len(row) == end or row[end] == " ") for row in table[1:]), header
    assert "2026-03-02" in lines[0] and "active sessions" in lines[1] and lines[1].split()[-1] == "2"
    assert any(x.split()[:2] == ["tool-call", "success"] and x.endswith("75.0 %") for x in lines)


def test_metrics_by_json_keeps_every_column_raw(tiny):
    r = CliRunner().invoke(cli, ["metrics", "--hour", "2026-03-02T10:00Z", "--by", "tool", "--json"])
    rows = {x["tool"]: x for x in json.loads(r.stdout)["breakdown"]["rows"]}
    assert rows["chart_render"]["tool_call_success_rate"] == 0.5 and rows["chart_render"]["timeouts"] == 1


def test_the_readme_command_table_lists_every_command():
    import click
    from test_cli import all_commands

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Commands", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `launchkit ([^`]*)`", section, re.M)
    commands = {n: c for n, c in all_commands(cli)}
    listed = set()
    for row in rows:
        words = row.split()
        name = " ".join(words[:2]) if isinstance(commands.get(words[0]), click.Group) else words[0]
        assert name in commands, f"README lists `launchkit {row}`: no such command"
        listed.add(name)
    leaves = {n for n, c in commands.items() if not isinstance(c, click.Group)}
    assert sorted(leaves - listed) == []


def test_readiness_says_the_go_no_go_and_agrees_with_decide_on_every_criterion(tiny):
    import tomllib
    from importlib import resources

    r = CliRunner().invoke(cli, ["readiness", "--date", "2026-03-02", "--json"])
    d = CliRunner().invoke(cli, ["decide", "--date", "2026-03-02", "--json", "--no-store"])
    assert r.exit_code == 0 and d.exit_code == 0, (r.output, d.output)
    ready, decided = json.loads(r.stdout), json.loads(d.stdout)
    keys = ("name", "verdict", "value", "n", "interval")
    assert [{k: c[k] for k in keys} for c in ready["criteria"]] == [
        {k: c[k] for k in keys} for c in decided["criteria"]["criteria"]
    ]
    # the playbook's default checklist: every item not done is a sign-off pending
    items = tomllib.loads((resources.files("launchkit.analytics") / "checklist.toml").read_text())["item"]
    pending = sum(1 for i in items if i["status"] not in ("done", "n/a"))
    assert ready["go_no_go"]["decision"] == "NO-GO"
    passed = sum(1 for c in ready["criteria"] if c["applies"] and c["verdict"] == "PASS")
    applied = sum(1 for c in ready["criteria"] if c["applies"])
    assert ready["headline"].startswith(f"NO-GO: {pending} sign-offs pending; ")
    assert f"data criteria: {passed}/{applied} pass" in ready["headline"]
    text = CliRunner().invoke(cli, ["readiness", "--date", "2026-03-02"]).output.splitlines()
    assert text[0] == f"2026-03-02: {ready['headline']}" and "GA ready: yes" not in "\n".join(text)
