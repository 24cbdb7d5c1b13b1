"""Backups and restore: a round trip with known counts, a tampered backup refused, no overwrite without
--force, a damaged warehouse brought back, and the hourly run's keep-N rotation.

The warehouse is filled by `launchkit ingest` from small hand-written files, so every count below is
read off the files: 3 sessions, 5 turns (one without a cost: priced from tokens), 2 tool calls, one
rejected row, and one load per file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from launchkit import exits
from launchkit.cli import cli
from launchkit.config import load_config
from launchkit.jobs import backup as job
from launchkit.store import backup

FILES = {
    "sessions_a.csv": "session_id,tenant_id,user_id,started_at\n"
    "s1,A,u1,2026-03-02T10:00:00Z\ns2,A,u2,2026-03-02T10:05:00Z\ns3,B,u3,2026-03-02T11:00:00Z\n",
    "turns_a.csv": "turn_id,session_id,started_at,model,status,latency_ms,input_tokens,output_tokens,cost_usd\n"
    "t1,s1,2026-03-02T10:00:10Z,gpt-4o,ok,900,1000,100,0.01\n"
    "t2,s1,2026-03-02T10:01:10Z,gpt-4o,ok,1100,2000,200,0.02\n"
    "t3,s2,2026-03-02T10:05:10Z,gpt-4o,error,500,1500,0,0.005\n"
    "t4,s3,2026-03-02T11:00:10Z,gpt-4o,ok,1200,1000,100,\n"
    "t5,s3,2026-03-02T11:02:10Z,gpt-4o,ok,1300,1000,100,0.01\n"
    "t6,s3,not-a-time,gpt-4o,ok,1300,1000,100,0.01\n",
    "tool_calls_a.csv": "call_id,session_id,turn_id,tool_name,started_at,duration_ms,status,error_type\n"
    "c1,s1,t1,sql,2026-03-02T10:00:20Z,100,ok,\nc2,s3,t4,chart,2026-03-02T11:00:20Z,150,error,timeout\n",
}
COUNTS = {"sessions": 3, "turns": 5, "tool_calls": 2, "rejects": 1, "loads": 3}
COMPARED = ("sessions", "turns", "tool_calls", "feedback", "rejects", "loads", "model_prices", "pricing_state")


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in ("LAUNCHKIT_CONFIG", "LAUNCHKIT_WAREHOUSE", "LAUNCHKIT_REPORTS_DIR", "LAUNCHKIT_DEBUG"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "launchkit.toml").write_text('[warehouse]\npath = "lk.duckdb"\n[hourly]\nlock_timeout_s = 5\n')
    data = tmp_path / "data"
    data.mkdir()
    for name, text in FILES.items():
        (data / name).write_text(text)
    r = CliRunner().invoke(cli, ["ingest", str(data)])
    assert r.exit_code == 0, r.output
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def rows(path: Path, table: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
    finally:
        con.close()


def test_round_trip_with_known_counts(site):
    r = run("backup", "--out", "bk", "--json")
    assert r.exit_code == 0, r.output
    m = json.loads(r.stdout)
    assert {t: m["tables"][t] for t in COUNTS} == COUNTS
    assert m["schema_version"] >= 4 and m["sequences"]["load_id_seq"]["last_value"] == 3
    assert {"launchkit.toml", "checklist.toml", "tables/turns.parquet"} <= set(m["files"])
    assert (site / "bk" / "launchkit.toml").read_text() == (site / "launchkit.toml").read_text()

    r = run("restore", "bk", "--warehouse", "copy.duckdb")
    assert r.exit_code == 0, r.output
    assert "counts equal the manifest" in r.output
    for table in COMPARED:
        assert rows(site / "copy.duckdb", table) == rows(site / "lk.duckdb", table), table
    cost = "SELECT round(sum(cost_usd), 9), count(cost_usd) FROM turns_priced"
    a, b = (
        duckdb.connect(str(site / "lk.duckdb"), read_only=True),
        duckdb.connect(str(site / "copy.duckdb"), read_only=True),
    )
    assert a.execute(cost).fetchall() == b.execute(cost).fetchall() and b.execute(cost).fetchall()[0][1] == 5
    a.close()
    b.close()
    # the restored warehouse goes on where the original stood: the next load id is 4, not 1 again
    (site / "more.csv").write_text("session_id,tenant_id,started_at\ns4,A,2026-03-02T12:00:00Z\n")
    r = run("ingest", "more.csv", "--table", "sessions", "--warehouse", "copy.duckdb", "--json")
    assert r.exit_code == 0, r.output
    assert max(row[0] for row in rows(site / "copy.duckdb", "loads")) == 4
    assert (site / "copy.snapshot.duckdb").is_file()  # readers see the restored data at once


def test_a_tampered_or_incomplete_backup_is_refused(site):
    assert run("backup", "--out", "bk").exit_code == 0
    turns = site / "bk" / "tables" / "turns.parquet"
    data = bytearray(turns.read_bytes())
    data[len(data) // 2] ^= 0xFF
    turns.write_bytes(bytes(data))
    r = run("restore", "bk", "--warehouse", "copy.duckdb")
    assert r.exit_code == exits.FAILED and len(r.stderr.strip().splitlines()) == 1
    assert f"{turns.resolve()}: does not match the backup's manifest" in r.stderr
    assert not (site / "copy.duckdb").exists()

    assert run("backup", "--out", "bk2").exit_code == 0
    (site / "bk2" / "tables" / "sessions.parquet").unlink()
    r = run("restore", "bk2", "--warehouse", "copy.duckdb")
    assert r.exit_code == exits.FAILED and "tables/sessions.parquet is missing" in r.stderr

    assert run("backup", "--out", "bk3").exit_code == 0
    manifest = json.loads((site / "bk3" / "manifest.json").read_text())
    manifest["tables"]["sessions"] = 4  # files intact, the count says otherwise
    (site / "bk3" / "manifest.json").write_text(json.dumps(manifest))
    r = run("restore", "bk3", "--warehouse", "copy.duckdb")
    assert r.exit_code == exits.FAILED and "table sessions restored 3 rows, the manifest says 4" in r.stderr
    assert not (site / "copy.duckdb").exists() and not list(site.glob(".copy.duckdb.*"))

    r = run("restore", "data", "--warehouse", "copy.duckdb")
    assert r.exit_code == exits.FAILED and "is not a launchkit backup (no manifest.json)" in r.stderr


def test_restore_replaces_a_warehouse_only_with_force(site):
    assert run("backup", "--out", "bk").exit_code == 0
    before = (site / "lk.duckdb").read_bytes()
    r = run("restore", "bk")
    assert r.exit_code == exits.FAILED and "exists: pass --force" in r.stderr
    assert (site / "lk.duckdb").read_bytes() == before
    r = run("restore", "bk", "--force")
    assert r.exit_code == 0, r.output
    kept = list(site.glob("lk.duckdb.replaced-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == before
    assert len(rows(site / "lk.duckdb", "turns")) == 5


def test_a_damaged_warehouse_is_restored_from_its_backup(site):
    assert run("backup", "--out", "bk").exit_code == 0
    wh = site / "lk.duckdb"
    wh.write_bytes(wh.read_bytes()[:20000])  # truncated
    r = run("status")
    assert r.exit_code == exits.FAILED and "is damaged" in r.stderr and "launchkit restore" in r.stderr
    r = run("restore", "bk", "--force")
    assert r.exit_code == 0, r.output
    r = run("status", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["verified"]["tables"] >= 9


def test_backup_refuses_a_folder_that_is_not_new(site):
    (site / "full").mkdir()
    (site / "full" / "x").write_text("x")
    r = run("backup", "--out", "full")
    assert r.exit_code == exits.FAILED and "already exists and is not an empty folder" in r.stderr


def test_the_hourly_rotation_keeps_the_newest_n(site):
    config = load_config(env={}).with_overrides(**{"backup.keep": 2, "backup.every_hours": 1})
    t0 = datetime(2026, 3, 2, 12, 5, tzinfo=UTC)
    made = [job.scheduled(config, now=t0 + timedelta(minutes=m)) for m in (0, 30, 60, 120, 150, 180)]
    assert [m is not None for m in made] == [True, False, True, True, False, True]
    kept = backup.listing(site / "backups")
    assert [m.folder.name[:18] for m in kept] == ["2026-03-02T150500Z", "2026-03-02T140500Z"]
    assert {m.folder.name[19:] for m in kept} == {kept[0].warehouse_id[:8]}  # the folder names its warehouse
    assert [m.tables["turns"] for m in kept] == [5, 5]
    off = config.with_overrides(**{"backup.keep": 0})
    assert job.scheduled(off, now=t0 + timedelta(hours=9)) is None  # keep = 0: the hourly run makes none
    assert len(backup.listing(site / "backups")) == 2
