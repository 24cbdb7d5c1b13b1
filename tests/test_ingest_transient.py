"""A passing fault never costs a row (issue 18, items 1 and 8): what failed because of the moment (a full
disk, an I/O error, DuckDB failing to write, the clock, the configuration) is not the file's final
outcome; the file or its rows are read again once the fault is gone, and the warehouse then equals a
load that never had the fault. Known answers are counted by hand from the tiny files written here.
"""

from __future__ import annotations

import errno
import json
import resource
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from _report_fixtures import clean_env, launchkit_cmd

from launchkit import ingest
from launchkit.errors import ConfigError
from launchkit.faults import os_error_line, passing_cause
from launchkit.ingest import held, inbox, manifest
from launchkit.ingest import load as load_mod
from launchkit.ingest.compile import TOO_COSTLY, TOO_EARLY, TOO_LATE
from launchkit.jobs import load as load_job
from launchkit.store import status as store_status
from launchkit.store.warehouse import Warehouse

SESSION_COLS = "session_id,tenant_id,started_at"
TURN_COLS = "turn_id,session_id,started_at,status,cost_usd"


def _csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _table(wh: Warehouse, sql: str) -> list[tuple]:
    return wh.con.execute(sql).fetchall()


# --- the classification -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc",
    [
        OSError(errno.ENOSPC, "No space left on device", "/data/lk.duckdb.wal"),
        OSError(errno.EFBIG, "File too large", "/data/lk.duckdb.wal"),
        OSError(errno.EIO, "Input/output error", "/inbox/turns_1.csv"),
        OSError(errno.EROFS, "Read-only file system", "/data"),
        duckdb.TransactionException('Failed to commit: Could not write file "/d/lk.duckdb.wal": File too large'),
        duckdb.IOException("IO Error: No space left on device"),
        duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate"),
    ],
)
def test_faults_of_the_moment_are_told_apart(exc):
    assert passing_cause(exc)
    wrapped = ValueError("a reader complained")
    wrapped.__cause__ = exc
    assert passing_cause(wrapped)  # found behind what a reader raised


@pytest.mark.parametrize(
    "exc",
    [
        duckdb.IOException("IO Error: Unexpected end of GZIP stream: x.csv.gz"),
        duckdb.IOException("IO Error: Input is not a GZIP stream: x.csv.gz"),
        duckdb.InvalidInputException("Invalid Input Error: No magic bytes found at end of file"),
        duckdb.ConversionException("Conversion Error: could not convert"),
        OSError("Not a gzipped file (b'he')"),  # gzip.BadGzipFile: no errno, the file's fault
        ValueError("bad value"),
    ],
)
def test_faults_of_the_input_are_not_passing(exc):
    assert passing_cause(exc) is None


def test_an_os_error_is_one_line_with_the_path_and_the_errnos_words():
    line = os_error_line(OSError(errno.ENOSPC, "No space left on device", "/srv/lk.duckdb"))
    assert line == "/srv/lk.duckdb: No space left on device (ENOSPC)"


# --- a file that failed for a passing reason is read again ---------------------------------------


def _failing_commit(monkeypatch, exc: Exception, times: int = 1) -> None:
    """Make the next `times` COMMITs of a file's load fail as a full disk does (DuckDB rolls back)."""
    real = load_mod._load_once
    left = {"n": times}

    def flaky(con, *args, **kwargs):
        if left["n"] > 0:
            left["n"] -= 1

            class Con:  # the loader's connection, whose COMMIT fails like a full disk's
                def __getattr__(self, name):
                    return getattr(con, name)

                def execute(self, sql, *a, **k):
                    if sql == "COMMIT":
                        con.execute("ROLLBACK")
                        raise exc
                    return con.execute(sql, *a, **k)

            return real(Con(), *args, **kwargs)  # type: ignore[arg-type]
        return real(con, *args, **kwargs)

    monkeypatch.setattr(load_mod, "_load_once", flaky)


@pytest.mark.parametrize(
    "exc",
    [
        duckdb.TransactionException(
            'TransactionContext Error: Failed to commit: Could not write file "/x/lk.duckdb.wal": No space left on device'
        ),
        duckdb.IOException('IO Error: Could not write file "/x/lk.duckdb.wal": File too large'),
        OSError(errno.EIO, "Input/output error", "/x/inbox/turns_1.csv"),
    ],
    ids=["ENOSPC at commit", "EFBIG", "EIO"],
)
def test_a_passing_fault_is_not_recorded_and_the_inbox_reads_the_file_again(con, config, tmp_path, monkeypatch, exc):
    box = tmp_path / "inbox"
    box.mkdir()
    _csv(box / "sessions_1.csv", SESSION_COLS, [f"s{i},t1,2026-03-02T10:00:00Z" for i in range(5)])
    _failing_commit(monkeypatch, exc)
    [r] = ingest.ingest(con, inbox.new_files(con.con, box), config=config)
    assert not r.ok and r.transient and "read again by the next run" in str(r.error)
    assert "not a readable" not in str(r.error) and "defect" not in str(r.error)
    assert _table(con, "SELECT count(*) FROM loads WHERE status = 'failed'") == [(0,)]
    # the next run: the inbox offers the file again, and it loads whole
    again = inbox.new_files(con.con, box)
    assert [p.name for p in again] == ["sessions_1.csv"]
    [r2] = ingest.ingest(con, again, config=config)
    assert r2.ok and r2.loaded == 5
    assert _table(con, "SELECT count(*) FROM sessions") == [(5,)]


@pytest.mark.slow
def test_disk_full_for_real_with_a_file_size_limit_is_retried(tmp_path):
    """RLIMIT_FSIZE makes the warehouse's writes fail with EFBIG (as a full disk fails them with ENOSPC): a file
    of 200,000 rows writes blocks while it merges, so the fault strikes inside the load, not at its commit
    (where main recorded it as 'not a readable CSV file (TransactionContext Error ...)', never to be read again)."""
    box = tmp_path / "inbox"
    box.mkdir()
    rows = [f"s{i},tenant-{i % 7},2026-03-02T{10 + i % 10:02d}:{i % 60:02d}:00Z" for i in range(200_000)]
    _csv(box / "sessions_big.csv", SESSION_COLS, rows)
    _csv(box / "sessions_small.csv", SESSION_COLS, ["x1,t1,2026-03-02T10:00:00Z"])
    script = textwrap.dedent(
        f"""
        import json, resource, sys
        from pathlib import Path
        from launchkit.config import load_config
        from launchkit.ingest import inbox
        from launchkit.jobs import load
        from launchkit.store.warehouse import Warehouse
        cfg = load_config("none", warehouse={str(tmp_path / "lk.duckdb")!r})
        wh = Warehouse.open(cfg.warehouse_path)
        if sys.argv[1] == "limited":
            size = cfg.warehouse_path.stat().st_size
            resource.setrlimit(resource.RLIMIT_FSIZE, (size + 1_000_000, resource.RLIM_INFINITY))
        try:
            job = load.run(wh, inbox.new_files(wh.con, Path({str(box)!r})), cfg, publish=False)
            print(json.dumps([r.to_json() for r in job.results]))
        except Exception as exc:
            print(json.dumps([{{"error": f"{{type(exc).__name__}}: {{exc}}", "stopped": True}}]))
        """
    )

    def run(mode: str) -> list[dict]:
        p = subprocess.run(
            [sys.executable, "-c", script, mode], env=clean_env(), capture_output=True, text=True, timeout=120
        )
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout.strip().splitlines()[-1])

    first = run("limited")
    failed = [r for r in first if r.get("error")]
    assert any("File too large" in r["error"] for r in failed), first  # the limit bit
    assert all("File too large" in r["error"] for r in failed if "stopped" not in r), failed
    assert not any("not a readable" in r["error"] for r in failed)
    second = run("free")
    assert all("error" not in r for r in second), second
    with Warehouse.open(tmp_path / "lk.duckdb", read_only=True) as wh:
        assert _table(wh, "SELECT count(*) FROM sessions") == [(200_001,)]
        assert _table(wh, "SELECT count(*) FROM loads WHERE status = 'failed'") == [(0,)]
    assert resource.RLIMIT_FSIZE  # (the limit applied to the child only)


def test_a_file_the_loader_cannot_open_is_read_again(con, config, tmp_path):
    f = _csv(tmp_path / "sessions_1.csv", SESSION_COLS, ["s1,t1,2026-03-02T10:00:00Z"])
    f.chmod(0)
    try:
        if f.open("rb"):  # root reads anything: no permission fault to see
            pytest.skip("running as root: a mode-0 file is still readable")
    except PermissionError:
        pass
    [r] = ingest.ingest(con, [f], config=config)
    assert r.transient and "Permission denied (EACCES)" in str(r.error)
    assert _table(con, "SELECT count(*) FROM loads") == [(0,)]


# --- rows rejected for a reason that can change are held and re-evaluated -----------------------


def _clock(monkeypatch, when: datetime) -> None:
    monkeypatch.setattr(manifest, "now", lambda: when)


def test_a_clock_that_ran_behind_holds_rows_until_it_is_right(con, config, tmp_path, monkeypatch):
    real_now = datetime(2026, 3, 5, 12, tzinfo=UTC)
    f = _csv(
        tmp_path / "sessions_1.csv",
        SESSION_COLS,
        [f"s{i},t1,2026-03-05T{10 + i % 2}:00:00Z" for i in range(8)] + ["bad,t1,not a time"],
    )
    _clock(monkeypatch, real_now - timedelta(days=3))  # the loader's clock is 3 days behind
    job = load_job.run(con, [f], config, publish=False)
    [r] = job.results
    assert (r.rows_read, r.loaded, r.rejected) == (9, 0, 9)
    assert [(h.path, h.table, h.reason, h.rows) for h in job.held] == [(str(f), "sessions", TOO_LATE, 8)]
    assert "HELD" in job.held[0].line() and "8 sessions rows" in job.held[0].line()
    # the file itself is done with (its content is recorded as loaded): no re-read, no double count
    assert inbox.new_files(con.con, tmp_path) == []
    # a run while the clock is still wrong changes nothing
    job = load_job.run(con, [], config, publish=False)
    assert job.results == [] and job.held[0].rows == 8
    # the clock is fixed: the next run takes the rows; the unparseable one stays rejected for good
    _clock(monkeypatch, real_now)
    job = load_job.run(con, [], config, publish=False)
    [released] = job.results
    assert (released.file, released.format, released.rows_read, released.loaded) == (str(f), "held", 8, 8)
    assert job.held == []
    assert _table(con, "SELECT count(*) FROM sessions") == [(8,)]
    assert _table(con, "SELECT reason FROM rejects WHERE resolved_by IS NULL") == [("unparseable timestamp",)]
    # the same as a load that never had the skew, in the rows and in status's totals (each row counted once)
    with Warehouse.memory() as fresh:
        load_job.run(fresh, [f], config, publish=False)
        assert _table(fresh, "SELECT * EXCLUDE (_load_id) FROM sessions ORDER BY ALL") == _table(
            con, "SELECT * EXCLUDE (_load_id) FROM sessions ORDER BY ALL"
        )
        keys = ("files_loaded", "rows_read", "loaded", "duplicates", "rejected")
        totals = [{k: store_status.status(w, verify=False)["loads"][k] for k in keys} for w in (con, fresh)]
        assert totals[0] == totals[1] == dict(files_loaded=1, rows_read=9, loaded=8, duplicates=0, rejected=1)


def test_a_row_before_earliest_is_held_until_the_configuration_changes(con, config, tmp_path, monkeypatch):
    f = _csv(tmp_path / "sessions_1.csv", SESSION_COLS, ["old,t1,2019-06-01T10:00:00Z", "new,t1,2026-03-02T10:00:00Z"])
    job = load_job.run(con, [f], config, publish=False)
    assert [(h.reason, h.rows) for h in job.held] == [(TOO_EARLY, 1)]
    job = load_job.run(con, [], config.with_overrides(**{"ingest.earliest": "2019-01-01"}), publish=False)
    assert [r.loaded for r in job.results] == [1] and job.held == []
    assert _table(con, "SELECT session_id FROM sessions ORDER BY 1") == [("new",), ("old",)]


def test_a_later_load_of_a_held_key_stands(con, config, tmp_path, monkeypatch):
    """A held row whose key a later file wrote does not overwrite it when released: had it loaded in time,
    the later file would have corrected it."""
    now = datetime(2026, 3, 5, 12, tzinfo=UTC)
    first = _csv(tmp_path / "sessions_1.csv", SESSION_COLS, ["s1,old-tenant,2026-03-05T11:00:00Z"])
    later = _csv(tmp_path / "sessions_2.csv", SESSION_COLS, ["s1,new-tenant,2026-03-05T11:00:00Z"])
    _clock(monkeypatch, now - timedelta(days=2))
    load_job.run(con, [first], config, publish=False)
    _clock(monkeypatch, now)
    ingest.ingest(con, [later], config=config)  # the library load alone: no re-evaluation before it
    job = load_job.run(con, [], config, publish=False)
    [r] = job.results
    assert (r.rows_read, r.loaded, r.duplicates) == (1, 0, 1)
    assert _table(con, "SELECT session_id, tenant_id FROM sessions") == [("s1", "new-tenant")]
    totals = store_status.status(con, verify=False)["loads"]  # two rows read, once each: one loaded, one a duplicate
    assert (totals["rows_read"], totals["loaded"], totals["duplicates"], totals["rejected"]) == (2, 1, 1, 0)
    assert job.held == []


def test_held_rows_can_be_given_up(con, config, tmp_path):
    f = _csv(tmp_path / "sessions_1.csv", SESSION_COLS, ["old,t1,2019-06-01T10:00:00Z"])
    load_job.run(con, [f], config, publish=False)
    assert held.drop(con.con) == 1
    assert held.still_held(con.con) == []
    assert _table(con, "SELECT reason, held FROM rejects") == [(TOO_EARLY, False)]


# --- implausible money ---------------------------------------------------------------------------


def test_an_implausible_turn_cost_is_held_and_an_impossible_one_rejected(con, config, tmp_path):
    f = _csv(
        tmp_path / "turns_1.csv",
        TURN_COLS,
        [
            "t1,s1,2026-03-02T10:00:00Z,ok,0.25",
            "t2,s1,2026-03-02T10:01:00Z,ok,2e9",  # beyond any cap: could overflow the exact session sums
            "t3,s1,2026-03-02T10:02:00Z,ok,5000",  # above the default cap of 1,000
            "t4,s1,2026-03-02T10:03:00Z,ok,1000",  # at the cap: accepted
        ],
    )
    job = load_job.run(con, [f], config, publish=False)
    [r] = job.results
    assert (r.rows_read, r.loaded, r.rejected) == (4, 2, 2)
    got = _table(con, "SELECT row_number, reason, held FROM rejects ORDER BY row_number")
    assert got == [(2, "above 100,000, the most launchkit sums exactly", False), (3, TOO_COSTLY, True)]
    job = load_job.run(con, [], config.with_overrides(**{"ingest.max_turn_cost_usd": 10_000}), publish=False)
    assert [x.loaded for x in job.results] == [1]
    assert _table(con, "SELECT turn_id FROM turns ORDER BY 1") == [("t1",), ("t3",), ("t4",)]


@pytest.mark.parametrize("value", [0, -1, 100_001, float("nan"), "1000"])
def test_the_cost_cap_is_bounded_when_loaded(tmp_path, monkeypatch, value):
    from launchkit.config import load_config

    text = f"[ingest]\nmax_turn_cost_usd = {json.dumps(value) if isinstance(value, str) else value}\n"
    (tmp_path / "launchkit.toml").write_text(text.replace("nan", "nan"), encoding="utf-8")
    with pytest.raises(ConfigError, match="ingest.max_turn_cost_usd"):
        load_config(tmp_path / "launchkit.toml")


def _limited(size: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))

    return apply


@pytest.mark.slow
def test_a_full_disk_is_one_line_naming_the_path_never_a_defect(tmp_path):
    """`backup` and `ingest` under RLIMIT_FSIZE (EFBIG, as a full disk gives ENOSPC): one line, exit 1."""
    rows = [f"s{i * 7919 % 1000003},t{i % 97},2026-03-02T{i % 24:02d}:{i % 60:02d}:{i % 59:02d}Z" for i in range(30000)]
    _csv(tmp_path / "sessions_1.csv", SESSION_COLS, rows)
    base = launchkit_cmd("ingest", str(tmp_path / "sessions_1.csv"), "--warehouse", str(tmp_path / "w.duckdb"))
    assert subprocess.run(base, env=clean_env(), capture_output=True, timeout=120).returncode == 0
    runs = {
        "backup": launchkit_cmd("backup", "--out", str(tmp_path / "bk"), "--warehouse", str(tmp_path / "w.duckdb")),
        "ingest": launchkit_cmd("ingest", str(tmp_path / "sessions_1.csv"), "--warehouse", str(tmp_path / "w2.duckdb")),
    }
    for what, cmd in runs.items():
        p = subprocess.run(
            cmd, env=clean_env(), capture_output=True, text=True, timeout=120, preexec_fn=_limited(120_000)
        )
        lines = p.stderr.strip().splitlines()
        assert p.returncode == 1 and len(lines) == 1, (what, p.stdout, p.stderr)
        assert "File too large" in lines[0] and str(tmp_path) in lines[0], (what, lines)
        assert "defect" not in lines[0] and "internal error" not in lines[0], (what, lines)
