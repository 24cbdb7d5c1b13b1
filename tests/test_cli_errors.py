"""One clear line (exit 1) for every user error the fault hunt found, through the real CLI: extreme
--date/--hour/--at values, a warehouse under a file, a reports folder that is a file, a truncated or
damaged warehouse (`launchkit status` reads all of it), a non-UTF-8 config, budget.total_usd = nan.

Each case asserts: exit status 1, exactly one line on stderr naming what is wrong, no traceback and no
"internal error" (the handler's line for a defect).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from _tables import insert
from click.testing import CliRunner

from launchkit import exits
from launchkit.cli import cli
from launchkit.store.warehouse import Warehouse

HEADER_BYTES = 3 * 4096  # DuckDB's file header, then blocks of 256 KiB
BLOCK_BYTES = 262144


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in ("LAUNCHKIT_CONFIG", "LAUNCHKIT_WAREHOUSE", "LAUNCHKIT_REPORTS_DIR", "LAUNCHKIT_DEBUG"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "afile").write_text("not a folder\n")
    return tmp_path


def one_error_line(result, *needles: str) -> str:
    """The run failed with status 1 and said so in one line holding every needle."""
    err = result.stderr
    assert result.exit_code == exits.FAILED, (result.exit_code, result.output, err)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


TIME_COMMANDS = [
    ("metrics", "--date"),
    ("metrics", "--hour"),
    ("metrics", "--to", "2026-03-03", "--from"),
    ("decide", "--no-store", "--date"),
    ("readiness", "--date"),
    ("run", "hourly", "--at"),
    ("run", "debrief", "--date"),
    ("run", "cost", "--date"),
    ("run", "ga", "--date"),
    ("hourly", "--at"),
    ("export", "cost", "--from"),
    ("export", "cost", "--to"),
    ("export", "tickets", "--date"),
    ("export", "incident", "--incident", "i1", "--at"),
]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "99999-01-01", "-1"])
@pytest.mark.parametrize("command", TIME_COMMANDS, ids=lambda c: " ".join(c))
def test_extreme_times_are_one_line(site, command, value):
    flag = command[-1]
    line = one_error_line(run(*command, value), flag, repr(value))
    assert "not a date" in line or "not a time" in line or "not an ISO time" in line


def test_the_edges_of_the_accepted_years_still_work(site):
    Warehouse.open(site / "launchkit.duckdb").close()
    for value in ("1970-01-01", "2099-12-31"):
        r = run("metrics", "--date", value, "--json")
        assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("ingest", "data.csv"),
        ("metrics", "--date", "2026-03-02"),
        ("decide", "--date", "2026-03-02"),
        ("backup", "--out", "b"),
        ("hourly", "--at", "2026-03-02T10:00Z"),
    ],
    ids=lambda c: c[0],
)
def test_a_warehouse_under_a_file_is_one_line(site, command):
    (site / "data.csv").write_text("session_id,tenant_id,started_at\ns1,A,2026-03-02T10:00:00Z\n")
    one_error_line(run(*command, "--warehouse", "afile/lk.duckdb"), "afile")


def test_a_reports_folder_that_is_a_file_is_one_line(site, monkeypatch):
    Warehouse.open(site / "launchkit.duckdb").close()
    one_error_line(
        run("run", "hourly", "--at", "2026-03-02T10:00Z", "--reports-dir", "afile"), "afile is a file, not a folder"
    )
    (site / "launchkit.toml").write_text('[reports]\ndir = "afile"\n')
    one_error_line(run("hourly", "--at", "2026-03-02T10:00Z"), "afile is a file, not a folder")
    (site / "launchkit.toml").unlink()
    monkeypatch.setenv("LAUNCHKIT_REPORTS_DIR", "afile/sub")
    one_error_line(run("run", "cost", "--date", "2026-03-02"), "afile is a file, not a folder")


def small_warehouse(path: Path, sessions: int = 20000) -> None:
    """A warehouse whose sessions fill data blocks of their own."""
    start = datetime(2026, 3, 2, tzinfo=UTC)
    with Warehouse.open(path) as wh:
        insert(
            wh,
            "sessions",
            [
                dict(session_id=f"session-{i:06d}", tenant_id=f"t{i % 7}", started_at=start + timedelta(seconds=i))
                for i in range(sessions)
            ],
        )
        wh.execute("CHECKPOINT")


def test_a_truncated_warehouse_is_one_line_naming_it_and_the_restore_command(site):
    wh = site / "launchkit.duckdb"
    small_warehouse(wh)
    data = wh.read_bytes()
    wh.write_bytes(data[: len(data) // 3])
    for command in (("status",), ("metrics", "--date", "2026-03-02"), ("ingest", "afile")):
        one_error_line(run(*command), f"warehouse {wh} is damaged", "launchkit restore", "--force")


def test_status_reads_the_whole_file_and_finds_a_damaged_block(site):
    wh = site / "launchkit.duckdb"
    small_warehouse(wh)
    assert run("status").exit_code == 0
    assert "no damage found" in run("status").output
    con = duckdb.connect(str(wh), read_only=True)
    block, offset = con.execute(
        "SELECT block_id, block_offset FROM pragma_storage_info('sessions') "
        "WHERE block_id >= 0 AND column_name = 'session_id' ORDER BY block_id, block_offset LIMIT 1"
    ).fetchall()[0]
    con.close()
    where = HEADER_BYTES + block * BLOCK_BYTES + 8 + offset + 64  # inside the session ids, past the checksum
    with open(wh, "r+b") as f:
        f.seek(where)
        f.write(b"\xde\xad\xbe\xef" * 16)
    one_error_line(run("status"), f"warehouse {wh} is damaged", "Corrupt database file", "launchkit restore")
    # a load that meets the damage stops with the same line: no input file is blamed (or recorded) for it
    (site / "sessions_new.csv").write_text(
        "session_id,tenant_id,started_at\nsession-000001,t9,2026-03-02T00:00:01Z\n", encoding="utf-8"
    )
    one_error_line(run("ingest", "sessions_new.csv"), f"warehouse {wh} is damaged", "launchkit restore")


def test_a_config_that_is_not_utf8_is_one_line(site):
    (site / "latin1.toml").write_bytes('[pilot]\nstart = "2026-03-02"\n# café\n'.encode("latin-1"))
    one_error_line(run("status", "--config", "latin1.toml"), "latin1.toml", "not UTF-8")


def test_a_budget_that_is_nan_is_one_line(site):
    (site / "nan.toml").write_text("[budget]\ntotal_usd = nan\n")
    one_error_line(run("status", "--config", "nan.toml"), "nan.toml", "budget.total_usd", "finite")


# Config that cannot work is refused when it is loaded (launchkit.config): (TOML, the key the line names).
UNWORKABLE = [
    ("[hourly]\nlock_timeout_s = nan", "hourly.lock_timeout_s"),  # waited forever
    ("[hourly]\nlock_timeout_s = -1", "hourly.lock_timeout_s"),  # 'waited -1s'
    ("[hourly]\nlock_timeout_s = 0", "hourly.lock_timeout_s"),
    ("[hourly]\nlock_timeout_s = inf", "hourly.lock_timeout_s"),
    ("[hourly]\nstale_after_hours = 0", "hourly.stale_after_hours"),
    ("[hourly]\nstale_after_hours = nan", "hourly.stale_after_hours"),
    ("[backup]\nkeep = -1", "backup.keep"),
    ("[backup]\nkeep = 1.5", "backup.keep"),
    ("[backup]\nevery_hours = 0", "backup.every_hours"),
    ("[budget]\ntotal_usd = inf", "budget.total_usd"),
    ("[budget]\ntotal_usd = -5", "budget.total_usd"),
    ("[budget]\ncost_per_session_usd = nan", "budget.cost_per_session_usd"),
    ("[quality]\nmin_coverage = 1.5", "quality.min_coverage"),
    ("[quality]\nmin_coverage = -0.1", "quality.min_coverage"),
    ("[criteria.tool_success]\npass = 1.5", "criteria.tool_success.pass"),
    ("[criteria.thumbs_up]\nmarginal = -0.2", "criteria.thumbs_up.marginal"),
    ("[criteria.turn_error_rate]\npass = 0.02\nmarginal = 1.01", "criteria.turn_error_rate.marginal"),
    ("[criteria.tool_success]\npass = 0.95\nmarginal = 0.97", "criteria.tool_success.marginal"),  # higher is better
    ("[criteria.latency_p95]\npass = 10000\nmarginal = 8000", "criteria.latency_p95.marginal"),  # lower is better
    ("[decision]\nmin_effect_rate = 2", "decision.min_effect_rate"),
    ('[pilot]\nstart = "2026-03-10"\nend = "2026-03-01"', "pilot.end"),
]


@pytest.mark.parametrize("toml,key", UNWORKABLE, ids=[k for _, k in UNWORKABLE])
def test_config_that_cannot_work_is_refused_at_load(site, toml, key):
    (site / "bad.toml").write_text(toml + "\n")
    one_error_line(run("status", "--config", "bad.toml"), "bad.toml", f"config key '{key}'")


@pytest.mark.parametrize("command", ["decide", "readiness"])
def test_a_missing_required_day_is_a_usage_error(site, command):
    """click 8.3+ runs an option's callback before its own check of a missing value: the day options check."""
    result = CliRunner().invoke(cli, [command, "--config", "none"])
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Missing option '--date'" in result.stderr and "internal error" not in result.stderr
