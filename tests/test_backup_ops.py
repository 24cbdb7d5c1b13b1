"""Restore against writers, backups in a folder several deployments share, and the files a backup carries.

Counts are read off the small files of tests/test_backup.py (3 sessions, 5 turns); the extra file
below adds one session (s4), so a warehouse holding it has 4.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from _report_fixtures import clean_env, launchkit_cmd
from click.testing import CliRunner
from test_backup import FILES, rows, run

from launchkit.analytics.gonogo import DEFAULT_CHECKLIST
from launchkit.cli import cli
from launchkit.config import load_config
from launchkit.errors import WarehouseBusy
from launchkit.jobs import backup as job
from launchkit.store import backup
from launchkit.store.warehouse import Warehouse

EXTRA = "session_id,tenant_id,user_id,started_at\ns4,C,u4,2026-03-02T12:00:00Z\n"


def _site(root: Path, name: str = "lk.duckdb", shared: Path | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    toml = f'[warehouse]\npath = "{root / name}"\n[hourly]\nlock_timeout_s = 20\n'
    if shared is not None:
        toml += f'[backup]\ndir = "{shared}"\nkeep = 1\nevery_hours = 1\n'
    (root / "launchkit.toml").write_text(toml)
    data = root / "data"
    data.mkdir(exist_ok=True)
    for fname, text in FILES.items():
        (data / fname).write_text(text)
    r = CliRunner().invoke(cli, ["ingest", str(data), "--config", str(root / "launchkit.toml")])
    assert r.exit_code == 0, r.output
    return root


def _config(root: Path):
    return load_config(root / "launchkit.toml", env={})


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAUNCHKIT_CONFIG", str(tmp_path / "launchkit.toml"))
    return _site(tmp_path)


def test_a_writer_started_mid_rebuild_writes_into_the_restored_warehouse(site, monkeypatch):
    config = _config(site)
    job.run(config, site / "bk")
    (site / "s4.csv").write_text(EXTRA)
    env = clean_env(LAUNCHKIT_CONFIG=str(site / "launchkit.toml"))
    rebuild = backup._rebuild
    writers: list[subprocess.Popen[str]] = []

    def rebuild_with_a_writer(m, path):
        rebuild(m, path)
        cmd = launchkit_cmd("ingest", str(site / "s4.csv"), "--table", "sessions")
        proc = subprocess.Popen(cmd, cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        writers.append(proc)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(4)  # without the lock, the ingest ends here, into the file about to be moved aside

    monkeypatch.setattr(backup, "_rebuild", rebuild_with_a_writer)
    done = job.restore(config, site / "bk", force=True).warehouse
    out, err = writers[0].communicate(timeout=60)
    assert writers[0].returncode == 0, err
    assert {r[0] for r in rows(config.warehouse_path, "sessions")} == {"s1", "s2", "s3", "s4"}
    assert done.replaced is not None
    assert {r[0] for r in rows(done.replaced, "sessions")} == {"s1", "s2", "s3"}  # nothing diverted


def test_a_writer_that_cannot_wait_for_a_restore_is_refused_whole(site, monkeypatch):
    config = _config(site)
    job.run(config, site / "bk")
    seen: list[BaseException] = []
    rebuild = backup._rebuild

    def rebuild_then_try(m, path):
        rebuild(m, path)
        try:
            Warehouse.open(config.warehouse_path, wait_s=0.2).close()
        except WarehouseBusy as exc:
            seen.append(exc)

    monkeypatch.setattr(backup, "_rebuild", rebuild_then_try)
    job.restore(config, site / "bk", force=True)
    assert len(seen) == 1 and str(config.warehouse_path) in str(seen[0])
    Warehouse.open(config.warehouse_path).close()  # after the restore, writers are let in again


def test_a_restore_keeps_the_warehouse_identity(site):
    config = _config(site)
    made = job.run(config, site / "bk")
    assert len(made.warehouse_id) == 36
    done = backup.restore(site / "bk", site / "copy.duckdb")
    with Warehouse.open(done.warehouse, read_only=True) as wh:
        assert backup.identity(wh) == made.warehouse_id
        assert wh.execute("SELECT count(*) FROM warehouse_identity").fetchall()[0][0] == 1


def test_deployments_sharing_a_backup_folder_keep_their_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shared = tmp_path / "shared"
    a = _config(_site(tmp_path / "a", shared=shared))
    b = _config(_site(tmp_path / "b", shared=shared))
    t0 = datetime(2026, 3, 2, 12, 5, tzinfo=UTC)
    mine_a = job.scheduled(a, now=t0)
    mine_b = job.scheduled(b, now=t0)  # the same second: a folder of its own, its own first backup
    assert mine_a is not None and mine_b is not None and mine_a.folder != mine_b.folder
    assert mine_a.warehouse_id != mine_b.warehouse_id
    assert job.scheduled(b, now=t0 + timedelta(minutes=10)) is None  # its own is 10 minutes old
    later = job.scheduled(a, now=t0 + timedelta(minutes=70))  # keep = 1: A replaces its own only
    assert later is not None
    left = backup.listing(shared)
    assert sorted(m.folder for m in left) == sorted([later.folder, mine_b.folder])
    assert [m.folder for m in backup.listing(shared, job.owner(b))] == [mine_b.folder]


def test_a_backup_older_than_the_identity_belongs_to_the_warehouse_it_names(site):
    config = _config(site)
    m = backup.Manifest(site / "x", "2026-03-02T00:00:00Z", 1, {}, source=str(config.warehouse_path))
    mine = job.owner(config)
    assert mine.owns(m)
    assert not mine.owns(backup.Manifest(site / "y", "2026-03-02T00:00:00Z", 1, {}, source=str(site / "other")))


def test_restore_puts_back_or_reports_the_config_and_checklist_it_carries(site):
    (site / "checklist.toml").write_text((Path(str(DEFAULT_CHECKLIST))).read_text())
    toml = site / "launchkit.toml"
    toml.write_text(toml.read_text() + '[ga]\nchecklist = "checklist.toml"\n')
    assert run("backup", "--out", "bk").exit_code == 0
    original = toml.read_text()
    toml.write_text(original + "# changed after the backup\n")
    r = run("restore", "bk", "--force", "--json")
    assert r.exit_code == 0, r.output
    files = {f["name"]: f for f in json.loads(r.stdout)["files"]}
    assert files["checklist.toml"]["state"] == "same"
    assert files["launchkit.toml"]["state"] == "kept" and "differs from the backup's" in files["launchkit.toml"]["note"]
    assert toml.read_text().endswith("# changed after the backup\n")  # kept without --with-config

    r = run("restore", "bk", "--force", "--with-config")
    assert r.exit_code == 0, r.output
    assert f"launchkit.toml: the backup's put back as {toml}" in r.output
    assert toml.read_text() == original
    assert [p.read_text() for p in site.glob("launchkit.toml.replaced-*")] == [
        original + "# changed after the backup\n"
    ]


def test_restore_says_where_the_carried_config_is_when_none_is_in_use(site, monkeypatch):
    assert run("backup", "--out", "bk").exit_code == 0
    r = run("restore", "bk", "--warehouse", "copy.duckdb", "--config", "none")
    assert r.exit_code == 0, r.output
    assert (
        f"launchkit.toml: not put back (no config file is in use); the backup's is {site / 'bk' / 'launchkit.toml'}"
        in r.output
    )
