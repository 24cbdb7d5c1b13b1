"""The hourly run under passing faults (issue 18, items 1 and 8): its summary line and the documented
`backup FAILED` line survive a full disk, held rows and an all-rejected inbox set the exit status, and
a run with a transient fault injected at random points (ENOSPC, EIO, a busy warehouse, a clock step),
once the fault is gone, leaves the warehouse equal to runs that never had it.

The report itself is stubbed (no kernel): what is under test is the load, the bookkeeping and the
exit status; tests/test_hourly*.py render real reports.
"""

from __future__ import annotations

import errno
import random
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest

from launchkit import exits, synth
from launchkit.analytics import decision
from launchkit.config import load_config
from launchkit.errors import WarehouseBusy
from launchkit.ingest import load as load_mod
from launchkit.ingest import manifest
from launchkit.jobs import hourly
from launchkit.store import snapshot
from launchkit.store.warehouse import Warehouse

HOUR = datetime(2026, 3, 2, 23, tzinfo=UTC)
SESSIONS = "session_id,tenant_id,started_at\n"


class _Kernel:
    def shutdown(self) -> None:
        pass


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A deployment whose hourly report is a stub (the load, checks, backup and alerts are real)."""
    (tmp_path / "inbox").mkdir()
    (tmp_path / "launchkit.toml").write_text(
        '[warehouse]\npath = "lk.duckdb"\n[reports]\ndir = "reports"\n[hourly]\ninbox = "inbox"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(hourly, "start_kernel", lambda kind: _Kernel())

    def report(kind: str, config: Any, at: datetime, pdf: bool, kernel: Any) -> SimpleNamespace:
        return SimpleNamespace(summary={"metrics": {}, "verdicts": []}, html=config.reports_dir / f"{at:%H}.html")

    monkeypatch.setattr(hourly.execute, "run_report", report)
    return tmp_path


def _config(site: Path, extra: str = "") -> Any:
    if extra:
        with (site / "launchkit.toml").open("a", encoding="utf-8") as f:
            f.write(extra)
    return load_config(site / "launchkit.toml")


def test_a_full_disk_at_the_scheduled_backup_keeps_the_summary_and_says_backup_failed(site, monkeypatch):
    cfg = _config(site, "[backup]\nkeep = 1\n")
    (site / "inbox" / "sessions_1.csv").write_text(SESSIONS + "s1,t1,2026-03-02T22:10:00Z\n", encoding="utf-8")

    def full(config: Any, now: Any = None) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(site / "backups" / "x" / "sessions.parquet"))

    monkeypatch.setattr(hourly.backup, "scheduled", full)
    run = hourly.run_hourly(cfg, HOUR)
    lines = run.line.splitlines()
    assert run.status == exits.FAILED
    assert lines[0].startswith("hourly 2026-03-02T23:00Z OK:") and "loaded 1 new file (1 rows)" in lines[0]
    assert f"backup FAILED: {site}/backups/x/sessions.parquet: No space left on device (ENOSPC)" in lines


def test_a_full_disk_while_publishing_keeps_the_summary_and_the_next_run_catches_up(site, monkeypatch):
    cfg = _config(site)
    (site / "inbox" / "sessions_1.csv").write_text(SESSIONS + "s1,t1,2026-03-02T22:10:00Z\n", encoding="utf-8")
    real = snapshot.publish

    def full(*a: Any, **k: Any) -> Any:
        raise OSError(errno.EFBIG, "File too large", str(site / ".lk.duckdb.snapshot"))

    monkeypatch.setattr(snapshot, "publish", full)
    run = hourly.run_hourly(cfg, HOUR)
    assert run.status == exits.FAILED
    assert run.line.startswith("hourly 2026-03-02T23:00Z")
    assert "load FAILED: " in run.line and "File too large (EFBIG)" in run.line
    monkeypatch.setattr(snapshot, "publish", real)
    run = hourly.run_hourly(cfg, HOUR)
    assert run.status == exits.OK, run.line
    with Warehouse.open(cfg.warehouse_path, read_only=True) as wh:
        assert wh.con.execute("SELECT count(*) FROM sessions").fetchall() == [(1,)]


def test_an_inbox_whose_rows_were_all_rejected_exits_4_and_says_so(site):
    cfg = _config(site)
    (site / "inbox" / "sessions_1.csv").write_text(SESSIONS + "s1,t1,not a time\n,t1,2026-03-02T22:00:00Z\n")
    run = hourly.run_hourly(cfg, HOUR)
    assert run.status == exits.WARNINGS, run.line
    assert "REJECTED ALL: every one of the 2 rows read from 1 file was rejected" in run.line


def test_rows_held_by_a_clock_that_ran_behind_fail_the_run_naming_the_file(site, monkeypatch):
    cfg = _config(site)
    f = site / "inbox" / "sessions_1.csv"
    f.write_text(SESSIONS + "s1,t1,2026-03-02T22:10:00Z\n", encoding="utf-8")
    monkeypatch.setattr(manifest, "now", lambda: datetime(2026, 2, 27, tzinfo=UTC))
    run = hourly.run_hourly(cfg, HOUR)
    assert run.status == exits.FAILED
    assert f"HELD {f}: 1 sessions row too far in the future ([ingest] max_future_hours)" in run.line
    monkeypatch.setattr(manifest, "now", lambda: datetime.now(UTC))
    run = hourly.run_hourly(cfg, HOUR)
    assert run.status == exits.OK and "HELD" not in run.line, run.line


# --- a transient fault at random points, 20 runs, then none: equal to a run that never had one -------


def _deliveries(tmp: Path) -> list[list[Path]]:
    """One synthetic pilot day in 20 deliveries (the files sorted by name, spread over the runs)."""
    src = tmp / "pilot"
    synth.generate(src, days=1, tenants=3, seed=5, sessions_per_hour=12)
    files = sorted(p for p in src.iterdir() if p.suffix == ".csv")
    return [files[i::20] for i in range(20)]


class _Faults:
    """One passing fault armed per run, firing at a random call of its injection point."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, rng: random.Random) -> None:
        self.mp = monkeypatch
        self.rng = rng
        self.fired: list[str] = []

    def arm(self, kind: str) -> None:
        self.mp.undo()
        left = {"n": self.rng.randrange(4)}
        fired = self.fired

        def due() -> bool:
            left["n"] -= 1
            if left["n"] < 0:
                fired.append(kind)
                return True
            return False

        if kind == "ENOSPC":  # the warehouse's write at COMMIT, as DuckDB reports a full disk
            real_once = load_mod._load_once

            def once(con: Any, *a: Any, **k: Any) -> Any:
                if not due():
                    return real_once(con, *a, **k)

                class Con:
                    def __getattr__(self, name: str) -> Any:
                        return getattr(con, name)

                    def execute(self, sql: str, *x: Any, **y: Any) -> Any:
                        if sql == "COMMIT":
                            con.execute("ROLLBACK")
                            raise duckdb.TransactionException(
                                'Failed to commit: Could not write file "lk.duckdb.wal": No space left on device'
                            )
                        return con.execute(sql, *x, **y)

                return real_once(Con(), *a, **k)  # type: ignore[arg-type]

            self.mp.setattr(load_mod, "_load_once", once)
        elif kind == "EIO":  # reading an input file
            real_scan = load_mod.scan_bytes

            def scan(path: Path) -> Any:
                if due():
                    raise OSError(errno.EIO, "Input/output error", str(path))
                return real_scan(path)

            self.mp.setattr(load_mod, "scan_bytes", scan)
        elif kind == "busy":  # another process holds the warehouse
            fired.append(kind)
            self.mp.setattr(
                hourly.Warehouse, "open", classmethod(lambda cls, *a, **k: (_ for _ in ()).throw(WarehouseBusy("w", 1)))
            )
        elif kind == "clock":  # the loader's clock stepped 2 days back
            fired.append(kind)
            self.mp.setattr(manifest, "now", lambda: datetime(2026, 3, 2, tzinfo=UTC) - timedelta(days=2))
        elif kind == "publish":  # the snapshot's copy meets a full disk
            real_pub = snapshot.publish

            def publish(*a: Any, **k: Any) -> Any:
                if due():
                    raise OSError(errno.ENOSPC, "No space left on device", "lk.duckdb.snapshot")
                return real_pub(*a, **k)

            self.mp.setattr(snapshot, "publish", publish)


def _state(path: Path, config: Any) -> dict[str, Any]:
    with Warehouse.open(path) as wh:
        tables = ("sessions", "turns", "tool_calls", "feedback", "vendor_costs", "incidents")
        out: dict[str, Any] = {
            t: wh.con.execute(f"SELECT * EXCLUDE (_load_id) FROM {t} ORDER BY ALL").fetchall() for t in tables
        }
        out["cost"] = wh.con.execute("SELECT round(sum(cost_usd), 9) FROM turns").fetchall()
        d = decision.decide(wh, date(2026, 3, 2), config, store=False).to_json()
        out["decision"] = (d["recommendation"], sorted(str(r) for r in d.get("reasons", [])))
        out["held"] = wh.con.execute("SELECT count(*) FROM rejects WHERE held AND resolved_by IS NULL").fetchall()
    return out


@pytest.mark.slow
def test_random_passing_faults_over_20_runs_leave_what_a_clean_run_leaves(site, monkeypatch, tmp_path_factory):
    rng = random.Random(18)
    deliveries = _deliveries(tmp_path_factory.mktemp("src"))
    cfg = _config(site)
    kinds = ["ENOSPC", "EIO", "busy", "clock", "publish"]
    statuses = []
    with monkeypatch.context() as mp:
        faults = _Faults(mp, rng)
        for batch in deliveries:
            for f in batch:
                shutil.copy(f, site / "inbox" / f.name)
            faults.arm(rng.choice(kinds))
            statuses.append(hourly.run_hourly(cfg, HOUR).status)
        faults.mp.undo()
    assert {"ENOSPC", "EIO", "busy", "clock", "publish"} <= set(faults.fired), faults.fired
    assert exits.FAILED in statuses and exits.BUSY in statuses
    last = hourly.run_hourly(cfg, HOUR)  # the fault is gone
    assert last.status in (exits.OK, exits.BREACH), last.line
    faulted = _state(cfg.warehouse_path, cfg)

    clean = tmp_path_factory.mktemp("clean")
    (clean / "inbox").mkdir()
    (clean / "launchkit.toml").write_text((site / "launchkit.toml").read_text(), encoding="utf-8")
    clean_cfg = load_config(clean / "launchkit.toml")
    for batch in deliveries:
        for f in batch:
            shutil.copy(f, clean / "inbox" / f.name)
        hourly.run_hourly(clean_cfg, HOUR)
    expected = _state(clean_cfg.warehouse_path, clean_cfg)
    assert expected["held"] == [(0,)] and faulted["held"] == [(0,)]
    for key in expected:
        assert faulted[key] == expected[key], key
    assert sum(len(expected[t]) for t in ("sessions", "turns", "tool_calls")) > 500  # a real day, not a trickle
