"""The lake layout (issue 10, items 1, 4 and 7), DuckDB only: `launchkit synth --format parquet --partition-by day`
writes one hive-partitioned folder per contract table, and the DuckDB engine reads those folders in place
([engine.tables]) with the same results as the same pilot ingested into the warehouse."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from _tables import load_frames
from click.testing import CliRunner

from launchkit import synth
from launchkit.analytics import criteria, decision, overview, pricing
from launchkit.cli import cli
from launchkit.config import load_config
from launchkit.contract import TABLES as CONTRACT_TABLES
from launchkit.errors import QueryError
from launchkit.jobs.load import prepare_lake
from launchkit.store.engines import open_runner
from launchkit.store.warehouse import Warehouse
from launchkit.synth.lake import DAY_COLUMN
from launchkit.window import Window

START = date(2026, 3, 2)
DAYS = 4
SEED = 3
TABLES = tuple(CONTRACT_TABLES)


def _toml(root: Path, lake: Path, tables: tuple[str, ...] = TABLES, kind: str = "duckdb") -> Path:
    lines = ["[warehouse]", f'path = "{root / "warehouse.duckdb"}"', "[engine]", f'kind = "{kind}"', "[engine.tables]"]
    lines += [f'{t} = "{lake / t}"' for t in tables]
    p = root / "launchkit.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lake")
    args = ["synth", "--days", str(DAYS), "--seed", str(SEED), "--start", str(START), "--format", "parquet"]
    res = CliRunner().invoke(cli, [*args, "--partition-by", "day", "--out", str(root / "lake")])
    assert res.exit_code == 0, res.output
    return root / "lake"


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return synth.generate_frames(days=DAYS, seed=SEED, start=START).frames


def test_synth_writes_one_hive_partitioned_folder_per_table(lake, frames):
    for table in TABLES:
        files = sorted((lake / table).rglob("*.parquet"))
        got = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
        assert len(got) == len(frames[table]), table
        col = DAY_COLUMN.get(table)
        if col is None:
            continue
        for f in files:  # every row of day=D/ has its time column on the UTC day D
            day = f.parent.name.removeprefix("day=")
            values = pd.to_datetime(pq.read_table(f).to_pandas()[col], utc=True)
            assert set(values.dt.strftime("%Y-%m-%d")) <= {day}, (table, f)
    assert (lake / "ground_truth.json").is_file()
    days = sorted(p.name for p in (lake / "turns").iterdir())
    assert days == [f"day={START + timedelta(days=i)}" for i in range(DAYS)]


def test_partition_by_needs_parquet(tmp_path):
    res = CliRunner().invoke(cli, ["synth", "--days", "1", "--partition-by", "day", "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--format parquet" in res.output


@pytest.fixture(scope="module")
def both(lake, frames, tmp_path_factory):
    """The lake read in place by DuckDB, and the same pilot ingested into an in-memory warehouse."""
    root = tmp_path_factory.mktemp("lakecfg")
    cfg = load_config(_toml(root, lake), env={})
    prepare_lake(cfg)
    wh = Warehouse.memory()
    load_frames(wh, frames)
    pricing.refresh(wh, cfg)  # the warehouse's own turns priced, as the load job does
    with open_runner(cfg) as db:
        yield cfg, db, wh
    wh.close()


def _drop(d: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in keys}


def test_duckdb_reads_the_lake_in_place_with_the_warehouse_numbers(both):
    cfg, db, wh = both
    assert db.one("metrics/activity_span", {})
    for w in (
        Window.day(START + timedelta(days=1), tz=UTC),
        Window.hour(datetime.combine(START, time(15), UTC), tz=UTC),
    ):
        a = overview.compute(db, w, cfg, include_finance=False)["metrics"]
        b = overview.compute(wh, w, cfg, include_finance=False)["metrics"]
        assert a == b, w
    last = START + timedelta(days=DAYS - 1)
    da = decision.decide(db, last, cfg, store=False).to_json()
    dw = decision.decide(wh, last, cfg, store=False).to_json()
    assert _drop(da, "decision_id", "decided_at") == _drop(dw, "decision_id", "decided_at")
    ra = criteria.evaluate(db, last, cfg, history_days=1).to_json()
    assert ra["criteria"] and ra == criteria.evaluate(wh, last, cfg, history_days=1).to_json()


def test_the_lake_is_not_copied_into_the_warehouse(both):
    cfg, _, _ = both
    with Warehouse.open(cfg.warehouse_path, read_only=True) as wh:
        assert wh.con.execute("SELECT count(*) FROM turns").fetchone() == (0,)  # the warehouse's own table: empty
        assert wh.con.execute("SELECT count(*) > 0 FROM model_prices").fetchone() == (True,)  # priced from the lake


def test_cli_reads_the_lake_and_refuses_spark_without_the_event_tables(both, lake, tmp_path):
    cfg, _, wh = both
    day = str(START + timedelta(days=1))
    own = _toml(tmp_path, lake)  # a warehouse of its own: the fixture's is open in this process
    res = CliRunner().invoke(cli, ["metrics", "--date", day, "--json", "--config", str(own)])
    assert res.exit_code == 0, res.output
    want = overview.compute(wh, Window.day(date.fromisoformat(day), tz=UTC), cfg)["metrics"]["active_sessions"]
    assert json.loads(res.output)["metrics"]["active_sessions"] == want
    (tmp_path / "partial").mkdir()
    partial = _toml(tmp_path / "partial", lake, tables=("turns",))
    res = CliRunner().invoke(cli, ["readiness", "--date", day, "--engine", "spark", "--config", str(partial)])
    assert res.exit_code == 1
    assert "engine.tables" in res.output and "sessions" in res.output and "Traceback" not in res.output


def test_a_lake_table_without_a_required_column_is_one_clear_error(lake, tmp_path):
    bad = tmp_path / "turns"
    bad.mkdir()
    t = pq.read_table(next((lake / "turns").rglob("*.parquet"))).drop(["status"])
    pq.write_table(t, bad / "part-0.parquet")
    p = tmp_path / "launchkit.toml"
    p.write_text(f'[warehouse]\npath = "{tmp_path / "w.duckdb"}"\n[engine.tables]\nturns = "{bad}"\n', encoding="utf-8")
    cfg = load_config(p, env={})
    Warehouse.open(cfg.warehouse_path).close()  # create it
    with pytest.raises(QueryError, match=r"turns: the source has no column status"):
        open_runner(cfg)


@pytest.mark.slow
def test_a_report_reads_the_lake_from_relative_paths_and_defaults_to_its_latest_day(both, lake, tmp_path):
    """`launchkit run debrief` with [engine.tables] written relative to the config file: the notebook kernel
    runs in another folder, and the report's default day comes from the lake (the warehouse's own event
    tables are empty), with the numbers of the same pilot ingested."""
    from _report_fixtures import clean_env, run_cli

    cfg, _, wh = both
    (tmp_path / "lake").symlink_to(lake, target_is_directory=True)
    lines = ["[engine]", 'kind = "duckdb"', "[engine.tables]", *(f'{t} = "lake/{t}"' for t in TABLES)]
    (tmp_path / "launchkit.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_cli("run", "debrief", cwd=tmp_path, env=clean_env(tmp_path))
    last = START + timedelta(days=DAYS - 1)
    summary = json.loads((tmp_path / "reports" / "debrief" / f"{last}.json").read_text(encoding="utf-8"))
    want = overview.compute(wh, Window.day(last, tz=UTC), cfg)["metrics"]
    assert summary["metrics"]["active_sessions"] == want["active_sessions"] > 0
    assert summary["metrics"]["tool_call_success_rate"] == pytest.approx(want["tool_call_success_rate"], rel=1e-9)
    assert (
        summary["recommendation"]["action"] == decision.decide(wh, last, cfg, store=False).to_json()["recommendation"]
    )
