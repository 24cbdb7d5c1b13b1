"""What killed runs leave behind is removed by the next run, and only that: files being written and
notebooks being executed in the reports folder, snapshot copies beside the warehouse, kernel runtime
folders in the temp dir, each tagged with a process that is gone. (test_kill.py kills real runs.)"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from launchkit.config import load_config
from launchkit.reports.run import execute, kernel
from launchkit.store import atomic, leftovers, snapshot
from launchkit.store.warehouse import Warehouse


@pytest.fixture(scope="module")
def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    assert not leftovers.alive(p.pid)
    return p.pid


@pytest.fixture
def live_pid():
    p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield p.pid
    p.kill()
    p.wait()


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def test_owner_is_the_last_tag_in_a_name():
    assert leftovers.owner(".2026-03-02T12.pid@123.ab_c9.running.ipynb") == 123
    assert leftovers.owner(".report pid@7.json.pid@42.x1.tmp") == 42  # a tag-like name chosen by a user
    assert leftovers.owner(".2026-03-02T12.abc123.running.ipynb") is None  # untagged: not ours to judge
    assert leftovers.owner(atomic.temp_beside(Path(tempfile.mkdtemp()) / "f.json").name) == os.getpid()


def test_reports_folder_keeps_live_and_untagged_files(tmp_path, dead_pid, live_pid):
    reports = tmp_path / "reports"
    gone = [
        touch(reports / "hourly" / f".2026-03-02T12.pid@{dead_pid}.k2j4.running.ipynb"),
        touch(reports / "hourly" / f".2026-03-02T12.html.pid@{dead_pid}.x9y8.tmp"),
        touch(reports / f".index.json.pid@{dead_pid}.aa.tmp"),
    ]
    kept = [
        touch(reports / "hourly" / f".2026-03-02T13.pid@{live_pid}.q1.running.ipynb"),  # a run still going
        touch(reports / "hourly" / f".2026-03-02T13.html.pid@{os.getpid()}.q2.tmp"),  # this process's own
        touch(reports / "hourly" / ".2026-03-02T11.z7.running.ipynb"),  # untagged (older launchkit)
        touch(reports / "hourly" / "2026-03-02T12.html"),
        touch(reports / "hourly" / "2026-03-02T10.failed.ipynb"),  # kept on purpose, for the post-mortem
    ]
    removed = execute.clean_leftovers(reports)
    assert sorted(removed) == sorted(gone)
    assert all(p.exists() for p in kept) and not any(p.exists() for p in gone)


def test_kernel_runtime_folders_of_killed_runs(tmp_path, monkeypatch, dead_pid, live_pid):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = tmp_path / f"lk-kernel-pid@{dead_pid}.abc123"
    touch(gone / "kernel.json")
    live = tmp_path / f"lk-kernel-pid@{live_pid}.def456"
    touch(live / "kernel.json")
    other = touch(tmp_path / f"other-pid@{dead_pid}.x" / "f")  # not a kernel folder
    assert kernel.clean_leftovers() == [gone]
    assert not gone.exists() and live.is_dir() and other.exists()


def test_publishing_a_snapshot_removes_a_killed_writers_copy(tmp_path, dead_pid, live_pid):
    config = load_config(env={}, warehouse=tmp_path / "lk.duckdb")
    gone = touch(tmp_path / f".lk.snapshot.duckdb.pid@{dead_pid}.r4.tmp")
    live = touch(tmp_path / f".lk.snapshot.duckdb.pid@{live_pid}.r5.tmp")
    with Warehouse.open(config.warehouse_path) as wh:
        snapshot.publish(wh.con, config.warehouse_path)
    assert not gone.exists() and live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["lk.duckdb", "lk.duckdb.writers.lock", "lk.snapshot.duckdb", "lk.snapshot.duckdb.json", live.name]
    )  # the writers' lock stays beside the warehouse, as the hourly lock does
