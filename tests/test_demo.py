"""`launchkit demo`: its budget and launchkit.toml, and replacing an earlier demo pilot's warehouse.

The budget is checked against a hand computation from the pilot's bill lines (pandas); the config
file is read back with tomllib and load_config. The end-to-end demo (reports, busiest hour) is the
session's demo fixture (tests/_report_fixtures.py), checked in the slow tests at the bottom.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from _report_fixtures import LAST_DAY, clean_env, launchkit_cmd

from launchkit import synth
from launchkit.config import load_config
from launchkit.errors import LaunchkitError
from launchkit.jobs import demo, load
from launchkit.store.warehouse import Warehouse


@pytest.fixture(scope="module")
def pilot() -> synth.SynthPilot:
    return synth.generate_frames(days=9, tenants=3, seed=4, recent_incident=True)


def test_budget_is_the_first_weeks_daily_bill_over_the_pilot_with_headroom(pilot):
    bills = pilot.frames["vendor_costs"]
    per_day = bills.groupby(bills["usage_date"].astype(str))["amount_usd"].sum().sort_index()
    first_days = per_day[per_day.index < "2026-03-07"]  # 9 days: a problem would start on day 6
    assert len(first_days) == 5
    first_week = first_days.sum() / 5
    raw = first_week * 30 * 1.5
    b = demo.budget_for(pilot)
    assert b.per_day_usd == pytest.approx(first_week) and b.first_days == 5
    assert raw <= b.total_usd < raw * 1.1  # rounded up to two significant digits
    assert float(f"{b.total_usd:.2g}") == b.total_usd
    assert (b.pilot_start, b.pilot_end) == (dt.date(2026, 3, 2), dt.date(2026, 3, 31))
    # every scenario of the seed gets the same budget: its days are before the problem day
    overrun = synth.generate_frames(days=9, tenants=3, seed=4, scenario="cost-overrun")
    assert demo.budget_for(overrun).total_usd == b.total_usd


def test_without_a_config_the_demo_writes_one_that_says_where_the_budget_came_from(pilot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = load_config(env={}, warehouse=tmp_path / "w" / "lk.duckdb")
    cfg, said = demo.config_for(base, pilot)
    path = tmp_path / "w" / "launchkit.toml"
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    b = demo.budget_for(pilot)
    assert data["budget"]["total_usd"] == b.total_usd and data["pilot"] == {"start": "2026-03-02", "end": "2026-03-31"}
    assert data["warehouse"]["path"] == "lk.duckdb" and data["reports"]["dir"] == str((tmp_path / "reports").resolve())
    assert text.startswith(demo.CONFIG_MARK) and "first 5 days" in text
    assert cfg.path == path and cfg.budget_total_usd == b.total_usd
    assert str(path) in said and f"{b.total_usd:,.0f}" in said
    # later commands in that folder read the same file
    later = load_config(path, env={})
    assert later.warehouse_path == cfg.warehouse_path and later.budget_total_usd == b.total_usd
    # a re-run rewrites its own file; once the first line is edited, the file is the user's
    path.write_text(text.replace("total_usd = ", "total_usd = 1"), encoding="utf-8")
    again, _ = demo.config_for(load_config(path, env={}), pilot)
    assert again.budget_total_usd == b.total_usd
    path.write_text("# mine\n[budget]\ntotal_usd = 123.0\n", encoding="utf-8")
    mine, said = demo.config_for(load_config(path, env={}), pilot)
    assert mine.budget_total_usd == 123.0 and "from" in said
    assert path.read_text(encoding="utf-8") == "# mine\n[budget]\ntotal_usd = 123.0\n"


def test_a_users_config_without_a_budget_is_left_alone_and_the_demo_says_so(pilot, tmp_path):
    path = tmp_path / "launchkit.toml"
    path.write_text('[reports]\ndir = "out"\n', encoding="utf-8")
    cfg, said = demo.config_for(load_config(path, env={}), pilot)
    assert cfg.budget_total_usd is None and "not set" in said and "budget.total_usd" in said
    assert path.read_text(encoding="utf-8") == '[reports]\ndir = "out"\n'
    # a file beside the warehouse that is not the demo's, and not the config found: passed, not written
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "launchkit.toml").write_text("# someone's\n", encoding="utf-8")
    cfg, said = demo.config_for(load_config(env={}, warehouse=other / "w.duckdb"), pilot)
    assert cfg.budget_total_usd == demo.budget_for(pilot).total_usd and "passed to the reports" in said
    assert (other / "launchkit.toml").read_text(encoding="utf-8") == "# someone's\n"


def _load(cfg, folder: Path) -> None:
    with Warehouse.open(cfg.warehouse_path) as wh:
        load.run(wh, [folder], cfg)


def test_another_demo_pilot_replaces_the_warehouse_but_other_data_is_refused(tmp_path):
    cfg = load_config(env={}, warehouse=tmp_path / "lk.duckdb", reports_dir=tmp_path / "reports")
    data = tmp_path / "data"
    first = synth.generate_frames(days=2, tenants=2, seed=1)
    synth.write_pilot(first, data, per="day")
    _load(cfg, data)
    (tmp_path / "reports" / "cost").mkdir(parents=True)
    (tmp_path / "reports" / "cost" / "2026-03-03.html").write_text("old")
    (tmp_path / "reports" / "cost" / "notes.txt").write_text("keep")
    assert demo.replace_other_pilot(cfg, data, first) is None  # the same pilot: loading again changes nothing
    assert cfg.warehouse_path.exists()
    second = synth.generate_frames(days=2, tenants=2, seed=1, scenario="tool-outage")
    said = demo.replace_other_pilot(cfg, data, second)
    assert said and "healthy" in said and not cfg.warehouse_path.exists()
    assert not (tmp_path / "reports" / "cost" / "2026-03-03.html").exists()
    assert (tmp_path / "reports" / "cost" / "notes.txt").read_text() == "keep"
    # a warehouse that also holds another file's rows is not the demo's to remove
    synth.write_pilot(second, data, per="day")
    _load(cfg, data)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "rollout.csv").write_text("tenant_id,cohort,enabled_at,disabled_at\nt9,pilot,2026-03-02T00:00:00Z,\n")
    _load(cfg, extra)
    with pytest.raises(LaunchkitError, match="loaded from elsewhere"):
        demo.replace_other_pilot(cfg, data, first)
    assert cfg.warehouse_path.exists()


@pytest.mark.slow
def test_the_demo_sets_a_budget_so_the_budget_tiles_fill(demo_run):
    data = tomllib.loads((demo_run.folder / "launchkit.toml").read_text(encoding="utf-8"))
    fin = demo_run.summary("cost", LAST_DAY)["finance"]
    assert fin["budget_usd"] == data["budget"]["total_usd"] > 0
    assert fin["share_used"] == pytest.approx(fin["spend_to_date_usd"] / fin["budget_usd"])
    assert fin["forecast_share_of_budget"] is not None
    assert "budget: $" in demo_run.output and "launchkit.toml" in demo_run.output


@pytest.mark.slow
def test_the_demo_reports_its_busiest_hour(demo_run):
    """Active sessions per hour of the last day (a session start, turn or tool call in the hour),
    recomputed from the CSV rows; the demo's hourly report is the busiest one (the later of equals)."""
    events = pd.concat(demo_run.frame(t)[["session_id", "started_at"]] for t in ("sessions", "turns", "tool_calls"))
    events = events[events["started_at"].dt.date.astype(str) == LAST_DAY]
    per_hour = events.assign(hour=events["started_at"].dt.floor("h")).groupby("hour")["session_id"].nunique()
    busiest = per_hour[per_hour == per_hour.max()].index.max()
    stamp = busiest.strftime("%Y-%m-%dT%H")
    assert (demo_run.reports / "hourly" / f"{stamp}.html").is_file()
    assert f"hourly/{stamp}.html" in demo_run.output


def test_the_demo_pilot_is_busy_with_cycles_a_budget_and_a_recent_postmortem():
    """What `launchkit demo` generates by default (synth's DEMO_* settings), read with pandas."""
    from launchkit.synth import parameters as synth_params

    p = synth.generate_frames(
        seed=7,
        start=synth_params.DEMO_START,
        sessions_per_hour=synth_params.DEMO_SESSIONS_PER_HOUR,
        recent_incident=True,
    )
    assert (p.ground_truth["start"], p.ground_truth["end"]) == ("2026-03-05", "2026-03-18")
    assert dt.date(2026, 3, 18).weekday() == 2  # the last three days are weekdays
    s = p.frames["sessions"]
    per_hour: pd.Series = s.groupby(s["started_at"].dt.floor("h")).size()
    hours = pd.DatetimeIndex(per_hour.index)
    weekday = per_hour[hours.day_of_week < 5]
    wd = pd.DatetimeIndex(weekday.index)
    business = weekday[(wd.hour >= 9) & (wd.hour < 17)]
    late = business[pd.DatetimeIndex(business.index) >= pd.Timestamp("2026-03-12", tz="UTC")]
    assert late.median() >= 100 and 200 <= per_hour.max() <= 600  # a few hundred sessions an hour at peak
    assert per_hour[hours.day_of_week >= 5].mean() < weekday.mean() / 3  # weekends are quiet
    assert weekday[wd.hour < 5].mean() < business.mean() / 5  # so are nights
    inc = p.frames["incidents"]
    recent = inc[inc["opened_at"] >= pd.Timestamp("2026-03-16", tz="UTC")]
    assert len(recent) >= 1 and recent["postmortem_at"].notna().all() and recent["root_cause"].notna().all()
    b = demo.budget_for(p)
    assert b.total_usd == 18000.0 and (b.pilot_start, b.pilot_end) == (dt.date(2026, 3, 5), dt.date(2026, 4, 3))


@pytest.mark.slow
def test_the_demo_records_its_own_hourly_run(demo_run):
    # right after the demo, `launchkit status` shows a real run of the hourly job, not "no successful run"
    assert "hourly 2026-03-04T" in demo_run.output and " OK: " in demo_run.output
    proc = subprocess.run(
        launchkit_cmd("status", "--check-stale", "--warehouse", str(demo_run.warehouse)),
        cwd=demo_run.folder,
        env=clean_env(demo_run.folder),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("hourly OK: last successful run ") and " for 2026-03-04T" in proc.stdout
