"""Every `launchkit ...` line under "Example" in a command's --help runs, as written, in a fresh folder
on the demo's data (issue 19, item 6): dates inside the demo's pilot, ids it has, relative paths.

Slow (it runs `launchkit demo` and renders reports). Lines run in help order through bash, with three
exceptions: a line whose every launchkit command an earlier line already ran is not run again (`launchkit
demo` after `launchkit demo && launchkit status`); lines that replace the warehouse (restore, another
scenario's demo) run last; `notify-oncall`, the operator's own paging command in the status example,
is a shell function that records its call.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli import all_commands

from launchkit.cli import cli

pytestmark = pytest.mark.slow


def example_lines() -> list[str]:
    """The example lines of every command's help that start with `launchkit `, in help order, once each."""
    out: list[str] = []
    for name in ["", *(n for n, _ in all_commands(cli))]:
        text = CliRunner().invoke(cli, [*name.split(), "--help"]).output
        if "Example" not in text:
            continue
        block = text.split("Example", 1)[1].split("\n\n", 1)[0]
        out.extend(x.strip() for x in block.splitlines() if x.strip().startswith("launchkit "))
    return list(dict.fromkeys(out))


def _commands(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"&&|\|\||\|", line) if c.strip().startswith("launchkit ")]


def _replaces_the_warehouse(line: str) -> bool:
    return line.startswith("launchkit restore ") or (line.startswith("launchkit demo ") and "--scenario" in line)


def test_the_examples_are_found():
    lines = example_lines()
    assert "launchkit demo && launchkit status" in lines and any(
        x.startswith("launchkit export incident") for x in lines
    )
    assert len(lines) >= 20


def test_every_help_example_runs_on_the_demo_data(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    assert not any((p / "launchkit.toml").exists() for p in folder.parents), "a launchkit.toml above the test folder"
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUNCHKIT_")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    lines = sorted(example_lines(), key=_replaces_the_warehouse)  # stable: help order otherwise
    ran: set[str] = set()
    failures = []
    for line in lines:
        commands = _commands(line)
        if commands and all(c in ran for c in commands):
            continue
        script = f'notify-oncall() {{ echo "paged: $*" >> paged.txt; }}\n{line}\n'
        proc = subprocess.run(["bash", "-c", script], cwd=folder, env=env, capture_output=True, text=True, timeout=900)
        ran.update(commands)
        if proc.returncode != 0 or "Error" in proc.stderr:
            failures.append(f"{line}\n  exit {proc.returncode}\n  {proc.stderr.strip()[-600:]}")
    assert not failures, "\n".join(failures)
    assert not (folder / "paged.txt").exists()  # the demo ran its own hourly run: the schedule is not stale
