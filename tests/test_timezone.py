"""Days and hours in the team's time zone ([reports] timezone): local midnight to midnight (23 or 25
hours across a DST change) and local clock hours, for the windows, the analytics, the CLI and the
reports; the warehouse stays UTC. The default zone (UTC) gives every window the old UTC one.

A tiny hand-made warehouse (Europe/Berlin: spring forward 2026-03-29 02:00 CET -> 03:00 CEST at
01:00Z, fall back 2026-10-25 03:00 CEST -> 02:00 CET at 01:00Z) holds "visits" (a session start, a
turn and a tool call at one instant) just before and after local midnight and around the skipped and
repeated hours; every expected number below is counted by hand from the VISITS table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from _tables import insert
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from launchkit.analytics import criteria, decision, finance, metrics, overview, quality
from launchkit.analytics.span import latest_day_with_data
from launchkit.cli import cli
from launchkit.config import load_config
from launchkit.errors import ConfigError, NotEnoughDataError, TimeValueError
from launchkit.jobs.alerts import notify
from launchkit.jobs.alerts.decide import State
from launchkit.jobs.hourly import _fmt_line
from launchkit.reports.files.tickets import Ticket, csv_text
from launchkit.reports.kinds import hour_of_stamp, stamp_for
from launchkit.reports.run import prune
from launchkit.store.warehouse import Warehouse
from launchkit.window import (
    Window,
    clock_span,
    day_edges,
    day_start,
    floor_hour,
    hour_edges,
    hour_keys,
    last_ended_hour,
    local_day,
    parse_day,
    parse_instant,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# (id, UTC instant, cost): each a session start, an ok turn and an ok tool call at that instant. Local
# (Berlin) time and day in the comments; the costs are powers of two, so every sum names its visits.
VISITS = [
    ("e1", "2026-03-24T22:59:00Z", 2**0),  # 03-24 23:59 CET: outside a 7-day window from 03-25
    ("e2", "2026-03-24T23:00:00Z", 2**1),  # 03-25 00:00 CET: inside it
    ("v1", "2026-03-28T22:30:00Z", 2**2),  # 03-28 23:30 CET
    ("v2", "2026-03-28T23:00:00Z", 2**3),  # 03-29 00:00 CET: local midnight, the day's first instant
    ("v3", "2026-03-28T23:30:00Z", 2**4),  # 03-29 00:30 CET (UTC day: 03-28)
    ("v4", "2026-03-29T00:59:00Z", 2**5),  # 03-29 01:59 CET: the last minute before the skipped hour
    ("v5", "2026-03-29T01:00:00Z", 2**6),  # 03-29 03:00 CEST: the clocks jumped from 02:00
    ("v6", "2026-03-29T21:59:00Z", 2**7),  # 03-29 23:59 CEST
    ("v7", "2026-03-29T22:00:00Z", 2**8),  # 03-30 00:00 CEST (UTC day: 03-29)
    ("v8", "2026-03-30T12:00:00Z", 2**9),  # 03-30 14:00 CEST
    ("e3", "2026-03-31T21:59:00Z", 2**10),  # 03-31 23:59 CEST: inside a 7-day window to 03-31
    ("e4", "2026-03-31T22:00:00Z", 2**11),  # 04-01 00:00 CEST: outside it
    ("w1", "2026-10-24T21:59:00Z", 2**12),  # 10-24 23:59 CEST
    ("w2", "2026-10-24T22:00:00Z", 2**13),  # 10-25 00:00 CEST
    ("w3", "2026-10-25T00:30:00Z", 2**14),  # 10-25 02:30 CEST: the first 02:00 hour
    ("w4", "2026-10-25T01:30:00Z", 2**15),  # 10-25 02:30 CET: the repeated 02:00 hour
    ("w5", "2026-10-25T01:45:00Z", 2**16),  # 10-25 02:45 CET: the repeated 02:00 hour
    ("w6", "2026-10-25T22:59:00Z", 2**17),  # 10-25 23:59 CET
    ("w7", "2026-10-25T23:00:00Z", 2**18),  # 10-26 00:00 CET
]


def cost(*ids: str) -> float:
    by_id = {v[0]: v[2] for v in VISITS}
    return float(sum(by_id[i] for i in ids))


def fill(wh: Warehouse, visits: Sequence[tuple[str, str, float]]) -> None:
    insert(wh, "sessions", [dict(session_id=i, tenant_id="A", started_at=z(t)) for i, t, _ in visits])
    insert(
        wh,
        "turns",
        [
            dict(turn_id=f"t{i}", session_id=i, started_at=z(t), status="ok", model="m", latency_ms=100.0, cost_usd=c)
            for i, t, c in visits
        ],
    )
    insert(
        wh,
        "tool_calls",
        [dict(call_id=f"c{i}", session_id=i, tool_name="sql", started_at=z(t), status="ok") for i, t, _ in visits],
    )


def make_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str, visits: Sequence[tuple[str, str, float]]
) -> Path:
    """A folder with launchkit.toml ([reports] timezone = zone) and a warehouse of the visits."""
    monkeypatch.chdir(tmp_path)
    for key in ("LAUNCHKIT_CONFIG", "LAUNCHKIT_WAREHOUSE", "LAUNCHKIT_REPORTS_DIR", "LAUNCHKIT_DEBUG"):
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "launchkit.toml").write_text(
        f'[reports]\ntimezone = "{zone}"\n\n[decision]\ngap_min_expected = 1.0\n', encoding="utf-8"
    )
    with Warehouse.open(tmp_path / "launchkit.duckdb") as wh:
        fill(wh, visits)
    return tmp_path


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    """A folder with launchkit.toml ([reports] timezone = Europe/Berlin) and the hand-made warehouse."""
    return make_site(tmp_path, monkeypatch, "Europe/Berlin", VISITS)


@pytest.fixture
def berlin(site):
    cfg = load_config()
    assert cfg.report_zone == BERLIN
    wh = Warehouse.open(cfg.warehouse_path, read_only=True)
    yield wh, cfg
    wh.close()


def run(*args: str) -> dict:
    r = CliRunner().invoke(cli, [*args, "--json"])
    assert r.exit_code == 0, (r.output, r.stderr)
    return json.loads(r.stdout)


# ---------------------------------------------------------------------------------------------
# the windows


def test_a_local_day_is_midnight_to_midnight_and_23_or_25_hours_when_the_clocks_change():
    spring = Window.day(date(2026, 3, 29), tz=BERLIN)
    assert (spring.start, spring.end) == (z("2026-03-28T23:00:00Z"), z("2026-03-29T22:00:00Z"))
    assert spring.end - spring.start == 23 * H
    autumn = Window.day(date(2026, 10, 25), tz=BERLIN)
    assert (autumn.start, autumn.end) == (z("2026-10-24T22:00:00Z"), z("2026-10-25T23:00:00Z"))
    assert autumn.end - autumn.start == 25 * H
    assert Window.day(date(2026, 3, 30), tz=BERLIN).end - Window.day(date(2026, 3, 30), tz=BERLIN).start == 24 * H
    ny = Window.day(date(2026, 11, 1), tz=NEW_YORK)
    assert (ny.start, ny.end) == (z("2026-11-01T04:00:00Z"), z("2026-11-02T05:00:00Z"))
    # several days: from the first local midnight to the one after the last day
    week = Window.days_ending(date(2026, 3, 31), 7, tz=BERLIN)
    assert (week.start, week.end) == (z("2026-03-24T23:00:00Z"), z("2026-03-31T22:00:00Z"))
    assert week.end - week.start == (7 * 24 - 1) * H
    assert Window.range(date(2026, 3, 28), date(2026, 3, 30), tz=BERLIN) == Window.days(
        date(2026, 3, 28), date(2026, 3, 30), tz=BERLIN
    )
    assert Window.range(date(2026, 3, 28), date(2026, 3, 30), tz=BERLIN).start == z("2026-03-27T23:00:00Z")
    assert day_edges(date(2026, 10, 24), date(2026, 10, 25), BERLIN) == [
        z("2026-10-23T22:00:00Z"),
        z("2026-10-24T22:00:00Z"),
        z("2026-10-25T23:00:00Z"),
    ]


def test_local_hours_the_skipped_and_the_repeated_one():
    # a time without an offset is the zone's wall clock
    assert Window.hour(parse_instant("2026-03-29T03:10", "--hour", BERLIN), BERLIN).start == z("2026-03-29T01:00:00Z")
    # the skipped hour does not exist: one clear error naming the zone
    with pytest.raises(TimeValueError, match="exists in Europe/Berlin"):
        Window.hour(parse_instant("2026-03-29T02:30", "--hour", BERLIN), BERLIN)
    with pytest.raises(TimeValueError, match="America/New_York"):
        parse_instant("2026-03-08T02:30", "--at", NEW_YORK)
    # the repeated hour: without an offset, the first (daylight time); the offset picks the second
    assert Window.hour(parse_instant("2026-11-01T01:30", "--hour", NEW_YORK), NEW_YORK).start == z(
        "2026-11-01T05:00:00Z"
    )
    assert Window.hour(datetime.fromisoformat("2026-11-01T01:30-05:00"), tz=NEW_YORK).start == z("2026-11-01T06:00:00Z")
    assert Window.hour(parse_instant("2026-10-25T02:30", "--hour", BERLIN), BERLIN).start == z("2026-10-25T00:00:00Z")
    assert Window.hour(datetime.fromisoformat("2026-10-25T02:30+01:00"), tz=BERLIN).start == z("2026-10-25T01:00:00Z")
    # the local days's hours: 23 on the spring day, 25 on the autumn day
    spring, autumn = Window.day(date(2026, 3, 29), tz=BERLIN), Window.day(date(2026, 10, 25), tz=BERLIN)
    assert len(hour_edges(spring.start, spring.end, BERLIN)) - 1 == 23
    assert len(hour_edges(autumn.start, autumn.end, BERLIN)) - 1 == 25
    # a zone half an hour off UTC: its clock hours start at :30 UTC
    kolkata = ZoneInfo("Asia/Kolkata")
    assert floor_hour(z("2026-03-29T10:10:00Z"), kolkata) == z("2026-03-29T09:30:00Z")
    # how a query finds a row's bucket: the UTC hours each bucket overlaps (Kolkata's hour touches two)
    assert hour_keys([z("2026-03-29T09:30:00Z"), z("2026-03-29T10:30:00Z"), z("2026-03-29T11:30:00Z")]) == (
        [z("2026-03-29T09:00:00Z"), z("2026-03-29T10:00:00Z"), z("2026-03-29T10:00:00Z"), z("2026-03-29T11:00:00Z")],
        [z("2026-03-29T09:30:00Z"), z("2026-03-29T09:30:00Z"), z("2026-03-29T10:30:00Z"), z("2026-03-29T10:30:00Z")],
    )
    keys, starts = hour_keys([spring.start, spring.end])  # Berlin's 23-hour day: 23 UTC hours, one bucket
    assert len(keys) == 23 and keys[0] == z("2026-03-28T23:00:00Z") and set(starts) == {spring.start}
    assert last_ended_hour(z("2026-03-29T10:10:00Z"), kolkata) == z("2026-03-29T08:30:00Z")
    assert last_ended_hour(z("2026-03-29T10:10:00Z"), BERLIN) == z("2026-03-29T09:00:00Z")  # = the UTC one
    # what people read: the local clock with its abbreviation, both when the clocks change inside
    assert (
        clock_span(z("2026-10-25T00:00:00Z"), z("2026-10-25T01:00:00Z"), BERLIN) == "2026-10-25 02:00 CEST to 02:00 CET"
    )
    assert clock_span(z("2026-03-12T14:00:00Z"), z("2026-03-12T15:00:00Z"), tz=UTC) == "2026-03-12 14:00 to 15:00 UTC"
    assert local_day(z("2026-03-28T23:30:00Z"), BERLIN) == date(2026, 3, 29)
    with pytest.raises(TimeValueError):  # an instant is no day until a zone says which (local_day)
        parse_day(z("2026-03-28T23:30:00Z"), "--date")


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "America/Santiago", "Asia/Kolkata", "UTC"])
def test_days_tile_the_year_without_gap_or_overlap(name):
    tz = ZoneInfo(name)
    first = date(2026, 1, 1)
    edges = day_edges(first, date(2026, 12, 31), tz)
    for k, (a, b) in enumerate(pairwise(edges)):
        w = Window.day(first + timedelta(days=k), tz=tz)
        assert (w.start, w.end) == (a, b)
        assert b - a in (23 * H, 24 * H, 25 * H)
        assert local_day(a, tz) == first + timedelta(days=k)  # a day starts on its own date
        assert local_day(b - timedelta(microseconds=1), tz) == first + timedelta(days=k)
    # Santiago's clocks skip midnight when daylight time starts: that day starts when they resume, at 01:00
    if name == "America/Santiago":
        start = day_start(date(2026, 9, 6), tz)
        assert start.astimezone(tz).hour == 1
        assert start - day_start(date(2026, 9, 5), tz) == 24 * H


def test_report_stamps_are_the_local_hour_and_day():
    assert stamp_for("hourly", at=z("2026-11-01T05:00:00Z"), tz=NEW_YORK) == "2026-11-01T01"
    assert stamp_for("hourly", at=z("2026-11-01T06:00:00Z"), tz=NEW_YORK) == "2026-11-01T01-0500"
    assert stamp_for("hourly", at=z("2026-11-01T07:00:00Z"), tz=NEW_YORK) == "2026-11-01T02"
    stamps = [stamp_for("hourly", at=z("2026-10-24T23:00:00Z") + k * H, tz=BERLIN) for k in range(4)]
    assert stamps == ["2026-10-25T01", "2026-10-25T02", "2026-10-25T02+0100", "2026-10-25T03"]
    assert stamps == sorted(stamps)  # the index lists them in time order
    assert stamp_for("hourly", at=z("2026-03-29T01:00:00Z"), tz=BERLIN) == "2026-03-29T03"
    assert stamp_for("debrief", day=date(2026, 3, 29), tz=BERLIN) == "2026-03-29"


def test_the_config_key_is_validated_when_loaded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LAUNCHKIT_CONFIG", raising=False)
    assert load_config().report_zone == ZoneInfo("UTC")
    (tmp_path / "launchkit.toml").write_text('[reports]\ntimezone = "Europe/Berln"\n')
    with pytest.raises(ConfigError, match="reports.timezone.*Europe/Berln"):
        load_config()
    (tmp_path / "launchkit.toml").write_text("[reports]\ntimezone = 1\n")
    with pytest.raises(ConfigError, match="reports.timezone"):
        load_config()


# ---------------------------------------------------------------------------------------------
# the default zone is UTC: every window is the old UTC one

_instants = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.just(UTC))
_dates = st.dates(min_value=date(1970, 1, 8), max_value=date(2099, 12, 30))
_UTC_ZONES = [UTC, ZoneInfo("UTC")]


@settings(max_examples=300, deadline=None)
@given(ts=_instants, d=_dates, d2=_dates, n=st.integers(1, 7), tz=st.sampled_from(_UTC_ZONES))
def test_with_the_default_zone_every_window_is_the_old_utc_one(ts, d, d2, n, tz):
    midnight = datetime(d.year, d.month, d.day, tzinfo=UTC)  # the old definitions, written out
    hour = ts.replace(minute=0, second=0, microsecond=0)
    assert Window.day(d, tz) == Window(midnight, midnight + timedelta(days=1))
    assert Window.hour(ts, tz) == Window(hour, hour + H)
    naive = ts.replace(tzinfo=None).isoformat()
    assert Window.hour(parse_instant(naive, "--at", tz), tz) == Window(hour, hour + H)  # naive on a UTC zone
    assert Window.days_ending(d, n, tz=tz) == Window(midnight + timedelta(days=1 - n), midnight + timedelta(days=1))
    a, b = min(d, d2), max(d, d2)
    old_range = Window(
        datetime(a.year, a.month, a.day, tzinfo=UTC), datetime(b.year, b.month, b.day, tzinfo=UTC) + timedelta(days=1)
    )
    assert Window.range(a, b, tz) == old_range
    assert floor_hour(ts, tz) == hour and last_ended_hour(ts, tz) == hour - H
    assert local_day(ts, tz) == ts.date()
    assert day_start(d, tz) == midnight
    assert hour_edges(ts, ts + 3 * H, tz) == [hour + k * H for k in range(4 if ts == hour else 5)]
    assert stamp_for("hourly", at=hour, tz=tz) == hour.strftime("%Y-%m-%dT%H")


def test_with_the_default_zone_the_analytics_count_utc_days(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LAUNCHKIT_CONFIG", raising=False)
    cfg = load_config()
    with Warehouse.memory() as wh:
        fill(wh, VISITS)
        days = metrics.timeseries(wh, date(2026, 3, 28), date(2026, 3, 30), grain="day", tz=UTC)
        assert list(days["active_sessions"]) == [3, 4, 1]  # v1 v2 v3 | v4 v5 v6 v7 | v8: UTC days
        spend = finance.daily_spend(wh, date(2026, 3, 28), date(2026, 3, 30), tz=UTC)
        assert list(spend["cost_usd"]) == [cost("v1", "v2", "v3"), cost("v4", "v5", "v6", "v7"), cost("v8")]
        assert overview.compute(wh, Window.day(date(2026, 3, 29), tz=UTC), cfg)["metrics"]["active_sessions"] == 4


# ---------------------------------------------------------------------------------------------
# the analytics in Europe/Berlin


def test_daily_and_hourly_buckets_follow_the_local_calendar(berlin):
    wh, cfg = berlin
    days = metrics.timeseries(wh, date(2026, 3, 28), date(2026, 3, 30), grain="day", tz=BERLIN)
    assert [b.to_pydatetime() for b in days["bucket"]] == [
        z("2026-03-27T23:00:00Z"),
        z("2026-03-28T23:00:00Z"),
        z("2026-03-29T22:00:00Z"),
    ]
    assert list(days["active_sessions"]) == [1, 5, 2]  # v1 | v2 v3 v4 v5 v6 | v7 v8
    assert list(days["total_cost_usd"]) == [cost("v1"), cost("v2", "v3", "v4", "v5", "v6"), cost("v7", "v8")]
    # the spring day's 23 hours: 01:00 CET is followed by 03:00 CEST
    hours = metrics.timeseries(wh, date(2026, 3, 29), date(2026, 3, 29), grain="hour", tz=BERLIN)
    assert len(hours) == 23
    walls = [b.tz_convert(BERLIN).strftime("%H") for b in hours["bucket"]]
    assert walls[:4] == ["00", "01", "03", "04"]
    counts = dict(zip(walls, hours["active_sessions"]))
    assert (counts["00"], counts["01"], counts["03"], counts["23"]) == (2, 1, 1, 1)  # v2 v3 | v4 | v5 | v6
    # the autumn day's 25 hours: 02:00 twice, each its own bucket
    hours = metrics.timeseries(wh, date(2026, 10, 25), date(2026, 10, 25), grain="hour", tz=BERLIN)
    assert len(hours) == 25
    twice = hours[[b.tz_convert(BERLIN).hour == 2 for b in hours["bucket"]]]
    assert [b.to_pydatetime() for b in twice["bucket"]] == [z("2026-10-25T00:00:00Z"), z("2026-10-25T01:00:00Z")]
    assert list(twice["active_sessions"]) == [1, 2]  # w3 | w4 w5
    assert hours["active_sessions"].sum(min_count=1) == 5  # w2..w6


def test_spend_per_local_day_and_week(berlin):
    wh, cfg = berlin
    daily = finance.daily_spend(wh, date(2026, 3, 28), date(2026, 3, 30), BERLIN)
    assert list(daily["day"].astype(str)) == ["2026-03-28", "2026-03-29", "2026-03-30"]
    assert list(daily["cost_usd"]) == [cost("v1"), cost("v2", "v3", "v4", "v5", "v6"), cost("v7", "v8")]
    autumn = finance.daily_spend(wh, date(2026, 10, 24), date(2026, 10, 26), BERLIN)
    assert list(autumn["turns"]) == [1, 5, 1]  # w1 | w2..w6 (a 25-hour day) | w7
    per_day = finance.spend(wh, "day", start=date(2026, 3, 29), end=date(2026, 3, 30), tz=BERLIN)
    assert list(per_day["cost_usd"]) == [cost("v2", "v3", "v4", "v5", "v6")]
    # ISO weeks of local days: Monday 03-23 .. Sunday 03-29, then from Monday 03-30
    weeks = finance.spend(wh, "week", tz=BERLIN)
    march = weeks[weeks["period"].astype(str).str.startswith("2026-03")]
    assert list(march["period"].astype(str)) == ["2026-03-23", "2026-03-30"]
    assert list(march["cost_usd"]) == [
        cost("e1", "e2", "v1", "v2", "v3", "v4", "v5", "v6"),
        cost("v7", "v8", "e3", "e4"),
    ]
    charge = finance.chargeback(wh, date(2026, 3, 29), date(2026, 3, 30), BERLIN)
    assert charge["priced_usd"] == cost("v2", "v3", "v4", "v5", "v6")


def test_a_criterion_window_of_seven_local_days_across_the_change(berlin):
    wh, cfg = berlin
    ready = criteria.evaluate(wh, date(2026, 3, 31), cfg, history_days=0)
    r = ready.result("tool_success")
    assert r.window == {"start": "2026-03-24T23:00:00Z", "end": "2026-03-31T22:00:00Z", "days": 7}
    assert r.n == 10  # e2, v1..v8, e3 (not e1 at 23:59 the day before, not e4 at midnight after)
    ga = finance.ga_monthly_cost(wh, cfg, date(2026, 3, 31))
    assert ga["sessions"] == 10 and ga["window"]["start"] == "2026-03-24T23:00:00Z"


def test_the_decision_compares_the_local_day_with_its_local_baseline_days(berlin):
    wh, cfg = berlin
    vs = decision.day_vs_baseline(wh, date(2026, 3, 29), cfg)
    assert vs.day == Window(z("2026-03-28T23:00:00Z"), z("2026-03-29T22:00:00Z"))
    # the last seven local days before yesterday (yesterday is never in the reference: launchkit.analytics.baseline)
    assert vs.baseline == Window(z("2026-03-20T23:00:00Z"), z("2026-03-27T23:00:00Z"))  # 03-21 .. 03-27 local
    assert vs.s_day["active_sessions"] == 5  # v2..v6
    assert vs.s_base["active_sessions"] == 2  # e1, e2 (v1 is yesterday's, 03-28)
    assert vs.s_day["total_cost_usd"] == cost("v2", "v3", "v4", "v5", "v6")
    d = decision.decide(wh, date(2026, 3, 29), cfg, store=False)
    assert d.changes["metrics"]["active_sessions"] == {"yesterday": 1, "today": 5, "change": 4}  # 03-28: v1


def test_an_hour_of_day_expectation_follows_the_team_s_clock():
    """Traffic every day at 09:30 Berlin time: 08:30Z before the change, 07:30Z after. On 04-02 it does
    not come: the 09:00 local hour (07:00Z) is a gap, and 10:00 local (08:00Z, busy in UTC terms
    before the change) is a quiet hour, not a gap."""
    days = [date(2026, 3, 9) + timedelta(days=k) for k in range(25)]  # 03-09 .. 04-02
    visits = [
        (f"d{d:%m%d}", datetime(d.year, d.month, d.day, 9, 30, tzinfo=BERLIN).astimezone(UTC).isoformat(), 1.0)
        for d in days
        if d != date(2026, 4, 2)
    ] + [("late", "2026-04-02T13:00:00Z", 1.0)]  # data kept coming later that day
    cfg = load_config().with_overrides(**{"reports.timezone": "Europe/Berlin", "decision.gap_min_expected": 1.0})
    utc = load_config().with_overrides(**{"decision.gap_min_expected": 1.0})
    with Warehouse.memory() as wh:
        fill(wh, visits)
        morning = Window(z("2026-04-02T07:00:00Z"), z("2026-04-02T09:00:00Z"))  # 09:00-11:00 CEST
        local_hours = quality.gap_hours(wh, morning, cfg)
        assert [
            (pd.Timestamp(h["hour"]).to_pydatetime(), h["expected_sessions"], h["basis"], h["gap"]) for h in local_hours
        ] == [
            (z("2026-04-02T07:00:00Z"), 1.0, "hour_of_week", True),
            (z("2026-04-02T08:00:00Z"), 0.0, "hour_of_week", False),
        ]
        dq = quality.assess(wh, Window.day(date(2026, 4, 2), tz=BERLIN), cfg)
        assert dq["gap_hours"] == ["2026-04-02T07:00:00Z"]
        # the same data read in UTC: the habit moved an hour, so UTC hours expect the wrong one
        utc_hours = quality.gap_hours(wh, morning, utc)
        assert [h["gap"] for h in utc_hours] == [False, True]


# ---------------------------------------------------------------------------------------------
# the commands


def test_metrics_decide_and_readiness_take_local_dates(site):
    out = run("metrics", "--date", "2026-03-29")
    assert out["window"] == {"start": "2026-03-28T23:00:00Z", "end": "2026-03-29T22:00:00Z"}
    assert out["metrics"]["active_sessions"] == 5
    assert out["metrics"]["total_cost_usd"] == cost("v2", "v3", "v4", "v5", "v6")
    out = run("metrics", "--from", "2026-10-25", "--to", "2026-10-25")
    assert out["window"] == {"start": "2026-10-24T22:00:00Z", "end": "2026-10-25T23:00:00Z"}
    assert out["metrics"]["active_sessions"] == 5
    # an hour without an offset is on the team's clock; the repeated 02:00 is the first unless an offset says
    first = run("metrics", "--hour", "2026-10-25T02:30")
    second = run("metrics", "--hour", "2026-10-25T02:30+01:00")
    assert first["window"] == {"start": "2026-10-25T00:00:00Z", "end": "2026-10-25T01:00:00Z"}
    assert second["window"] == {"start": "2026-10-25T01:00:00Z", "end": "2026-10-25T02:00:00Z"}
    assert (first["metrics"]["active_sessions"], second["metrics"]["active_sessions"]) == (1, 2)
    skipped = CliRunner().invoke(cli, ["metrics", "--hour", "2026-03-29T02:30", "--json"])
    assert skipped.exit_code == 1 and "exists in Europe/Berlin" in skipped.stderr
    assert len(skipped.stderr.strip().splitlines()) == 1
    dec = run("decide", "--date", "2026-03-29", "--no-store")
    assert dec["day"] == "2026-03-29"
    assert (dec["baseline"]["start"], dec["baseline"]["end"]) == ("2026-03-20T23:00:00Z", "2026-03-27T23:00:00Z")
    assert dec["day_metrics"]["active_sessions"] == 5
    ready = run("readiness", "--date", "2026-03-31")
    tool = next(c for c in ready["criteria"] if c["name"] == "tool_success")
    assert (tool["window"]["start"], tool["n"]) == ("2026-03-24T23:00:00Z", 10)


def test_the_cost_export_has_local_days(site):
    r = CliRunner().invoke(cli, ["export", "cost", "--from", "2026-03-28", "--to", "2026-03-30", "--out", "x"])
    assert r.exit_code == 0, r.output
    lines = (site / "x" / "spend_by_day.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = [(day, float(usd)) for day, usd, *_ in (line.split(",") for line in lines[1:])]
    assert rows == [
        ("2026-03-28", cost("v1")),
        ("2026-03-29", cost("v2", "v3", "v4", "v5", "v6")),
        ("2026-03-30", cost("v7", "v8")),
    ]
    about = (site / "x" / "about.csv").read_text(encoding="utf-8-sig")
    assert "computed spend per Europe/Berlin day" in about and "days in Europe/Berlin" in about


@pytest.mark.slow
def test_reports_are_stamped_and_headed_with_the_local_day_and_hour(site):
    """A debrief of the spring day and the hourly report of the repeated autumn hour, through the real CLI."""
    r = CliRunner().invoke(cli, ["run", "debrief", "--date", "2026-03-29"])
    assert r.exit_code == 0, (r.output, r.stderr)
    summary = json.loads((site / "reports" / "debrief" / "2026-03-29.json").read_text())
    assert summary["stamp"] == "2026-03-29"
    assert summary["period"] == {"start": "2026-03-28T23:00:00Z", "end": "2026-03-29T22:00:00Z"}
    assert summary["window"] == summary["period"]
    assert summary["metrics"]["active_sessions"] == 5
    html = (site / "reports" / "debrief" / "2026-03-29.html").read_text()
    assert "Sunday 2026-03-29 (Europe/Berlin)" in html
    r = CliRunner().invoke(cli, ["run", "hourly", "--at", "2026-10-25T02:10+01:00"])
    assert r.exit_code == 0, (r.output, r.stderr)
    summary = json.loads((site / "reports" / "hourly" / "2026-10-25T02+0100.json").read_text())
    assert summary["period"] == {"start": "2026-10-25T01:00:00Z", "end": "2026-10-25T02:00:00Z"}
    assert summary["title"] == "Hourly pilot report 2026-10-25 02:00 CET"
    assert summary["metrics"]["active_sessions"] == 2  # w4, w5
    html = (site / "reports" / "hourly" / "2026-10-25T02+0100.html").read_text()
    assert "2026-10-25 02:00 to 03:00 CET" in html


# ---------------------------------------------------------------------------------------------
# America/New_York (the 23-hour 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00Z; the 25-hour 2026-11-01:
# 02:00 EDT -> 01:00 EST at 06:00Z) and Asia/Kolkata (+05:30 all year: a local day spans two UTC dates,
# its clock hours start at :30 UTC). Local times in the comments; every number below counted by hand.

NY_VISITS = [
    ("n1", "2026-03-08T04:59:00Z", 2**0),  # 03-07 23:59 EST
    ("n2", "2026-03-08T05:00:00Z", 2**1),  # 03-08 00:00 EST: local midnight
    ("n3", "2026-03-08T06:59:00Z", 2**2),  # 03-08 01:59 EST: the last minute before the skipped hour
    ("n4", "2026-03-08T07:00:00Z", 2**3),  # 03-08 03:00 EDT
    ("n5", "2026-03-09T03:59:00Z", 2**4),  # 03-08 23:59 EDT (UTC date 03-09)
    ("n6", "2026-03-09T04:00:00Z", 2**5),  # 03-09 00:00 EDT
    ("f1", "2026-11-01T03:59:00Z", 2**6),  # 10-31 23:59 EDT (UTC date 11-01)
    ("f2", "2026-11-01T05:30:00Z", 2**7),  # 11-01 01:30 EDT: the first 01:00 hour
    ("f3", "2026-11-01T06:30:00Z", 2**8),  # 11-01 01:30 EST: the repeated 01:00 hour
    ("f4", "2026-11-01T06:45:00Z", 2**9),  # 11-01 01:45 EST: the repeated 01:00 hour
    ("f5", "2026-11-02T04:59:00Z", 2**10),  # 11-01 23:59 EST (UTC date 11-02)
    ("f6", "2026-11-02T05:00:00Z", 2**11),  # 11-02 00:00 EST
]
KOLKATA_VISITS = [
    ("k1", "2026-03-09T18:29:00Z", 2**0),  # 03-09 23:59 IST
    ("k2", "2026-03-09T18:30:00Z", 2**1),  # 03-10 00:00 IST (UTC date 03-09)
    ("k3", "2026-03-10T03:45:00Z", 2**2),  # 03-10 09:15 IST: the 09:00 hour is 03:30Z-04:30Z
    ("k4", "2026-03-10T04:29:00Z", 2**3),  # 03-10 09:59 IST
    ("k5", "2026-03-10T04:30:00Z", 2**4),  # 03-10 10:00 IST
    ("k6", "2026-03-10T18:29:00Z", 2**5),  # 03-10 23:59 IST
    ("k7", "2026-03-10T18:30:00Z", 2**6),  # 03-11 00:00 IST (UTC date 03-10)
]
KOLKATA = ZoneInfo("Asia/Kolkata")


def spent(visits: Sequence[tuple[str, str, float]], *ids: str) -> float:
    by_id = {v[0]: v[2] for v in visits}
    return float(sum(by_id[i] for i in ids))


@pytest.fixture
def new_york(tmp_path, monkeypatch) -> Path:
    return make_site(tmp_path, monkeypatch, "America/New_York", NY_VISITS)


@pytest.fixture
def kolkata(tmp_path, monkeypatch) -> Path:
    return make_site(tmp_path, monkeypatch, "Asia/Kolkata", KOLKATA_VISITS)


def test_new_york_days_of_23_and_25_hours_in_the_analytics(new_york):
    cfg = load_config()
    assert cfg.report_zone == NEW_YORK
    with Warehouse.open(cfg.warehouse_path, read_only=True) as wh:
        days = metrics.timeseries(wh, date(2026, 3, 7), date(2026, 3, 9), grain="day", tz=NEW_YORK)
        assert [b.to_pydatetime() for b in days["bucket"]] == [
            z("2026-03-07T05:00:00Z"),
            z("2026-03-08T05:00:00Z"),
            z("2026-03-09T04:00:00Z"),  # the 23-hour day ended an hour early in UTC terms
        ]
        assert list(days["active_sessions"]) == [1, 4, 1]  # n1 | n2 n3 n4 n5 | n6 (UTC days: n1..n4 | n5 n6)
        spring = metrics.timeseries(wh, date(2026, 3, 8), date(2026, 3, 8), grain="hour", tz=NEW_YORK)
        walls = [b.tz_convert(NEW_YORK).strftime("%H") for b in spring["bucket"]]
        assert len(walls) == 23 and walls[:4] == ["00", "01", "03", "04"]
        counts = dict(zip(walls, spring["active_sessions"]))
        assert (counts["00"], counts["01"], counts["03"], counts["23"]) == (1, 1, 1, 1)  # n2 | n3 | n4 | n5
        autumn = metrics.timeseries(wh, date(2026, 11, 1), date(2026, 11, 1), grain="hour", tz=NEW_YORK)
        assert len(autumn) == 25
        ones = autumn[[b.tz_convert(NEW_YORK).hour == 1 for b in autumn["bucket"]]]
        assert [b.to_pydatetime() for b in ones["bucket"]] == [z("2026-11-01T05:00:00Z"), z("2026-11-01T06:00:00Z")]
        assert list(ones["active_sessions"]) == [1, 2]  # f2 | f3 f4
        daily = finance.daily_spend(wh, date(2026, 10, 31), date(2026, 11, 2), NEW_YORK)
        assert list(daily["cost_usd"]) == [
            spent(NY_VISITS, "f1"),
            spent(NY_VISITS, "f2", "f3", "f4", "f5"),
            spent(NY_VISITS, "f6"),
        ]
        assert finance.pilot_period(wh, cfg)["start"] == date(2026, 3, 7)  # n1's local date, not its UTC 03-08


def test_new_york_commands_take_local_dates_and_hours(new_york):
    out = run("metrics", "--date", "2026-03-08")
    assert out["window"] == {"start": "2026-03-08T05:00:00Z", "end": "2026-03-09T04:00:00Z"}
    assert out["metrics"]["active_sessions"] == 4
    assert out["metrics"]["total_cost_usd"] == spent(NY_VISITS, "n2", "n3", "n4", "n5")
    out = run("metrics", "--date", "2026-11-01")
    assert out["window"] == {"start": "2026-11-01T04:00:00Z", "end": "2026-11-02T05:00:00Z"}
    assert out["metrics"]["active_sessions"] == 4  # f2..f5
    first, second = run("metrics", "--hour", "2026-11-01T01:30"), run("metrics", "--hour", "2026-11-01T01:30-05:00")
    assert first["window"] == {"start": "2026-11-01T05:00:00Z", "end": "2026-11-01T06:00:00Z"}
    assert second["window"] == {"start": "2026-11-01T06:00:00Z", "end": "2026-11-01T07:00:00Z"}
    assert (first["metrics"]["active_sessions"], second["metrics"]["active_sessions"]) == (1, 2)
    skipped = CliRunner().invoke(cli, ["metrics", "--hour", "2026-03-08T02:30", "--json"])
    assert skipped.exit_code == 1 and "exists in America/New_York" in skipped.stderr
    assert len(skipped.stderr.strip().splitlines()) == 1
    dec = run("decide", "--date", "2026-03-09", "--no-store")
    # seven local days before yesterday (03-01 .. 03-07 EST; the reference never holds yesterday)
    assert (dec["baseline"]["start"], dec["baseline"]["end"]) == ("2026-03-01T05:00:00Z", "2026-03-08T05:00:00Z")
    assert dec["day_metrics"]["active_sessions"] == 1  # n6
    assert dec["changes_since_yesterday"]["metrics"]["active_sessions"] == {"yesterday": 4, "today": 1, "change": -3}


def test_kolkata_days_span_two_utc_dates_and_hours_start_at_half_past(kolkata):
    cfg = load_config()
    with Warehouse.open(cfg.warehouse_path, read_only=True) as wh:
        days = metrics.timeseries(wh, date(2026, 3, 9), date(2026, 3, 11), grain="day", tz=KOLKATA)
        assert [b.to_pydatetime() for b in days["bucket"]] == [
            z("2026-03-08T18:30:00Z"),
            z("2026-03-09T18:30:00Z"),
            z("2026-03-10T18:30:00Z"),
        ]
        assert list(days["active_sessions"]) == [1, 5, 1]  # k1 | k2..k6 | k7 (UTC days: k1 k2 | k3..k7)
        hours = metrics.timeseries(wh, date(2026, 3, 10), date(2026, 3, 10), grain="hour", tz=KOLKATA)
        assert len(hours) == 24 and hours["bucket"].iloc[0].to_pydatetime() == z("2026-03-09T18:30:00Z")
        nine = hours[[b.tz_convert(KOLKATA).hour == 9 for b in hours["bucket"]]]
        assert nine["bucket"].iloc[0].to_pydatetime() == z("2026-03-10T03:30:00Z")
        assert list(nine["active_sessions"]) == [2]  # k3 k4 (k5 at 10:00 is the next hour)
        daily = finance.daily_spend(wh, date(2026, 3, 9), date(2026, 3, 11), KOLKATA)
        assert list(daily["cost_usd"]) == [
            spent(KOLKATA_VISITS, "k1"),
            spent(KOLKATA_VISITS, "k2", "k3", "k4", "k5", "k6"),
            spent(KOLKATA_VISITS, "k7"),
        ]
        assert latest_day_with_data(wh, KOLKATA) == date(2026, 3, 11)  # k7's UTC date is 03-10
    out = run("metrics", "--date", "2026-03-10")
    assert out["window"] == {"start": "2026-03-09T18:30:00Z", "end": "2026-03-10T18:30:00Z"}
    assert out["metrics"]["active_sessions"] == 5
    assert out["metrics"]["total_cost_usd"] == spent(KOLKATA_VISITS, "k2", "k3", "k4", "k5", "k6")
    out = run("metrics", "--hour", "2026-03-10T09:15")
    assert out["window"] == {"start": "2026-03-10T03:30:00Z", "end": "2026-03-10T04:30:00Z"}
    assert out["metrics"]["active_sessions"] == 2
    assert stamp_for("hourly", at=z("2026-03-10T03:30:00Z"), tz=KOLKATA) == "2026-03-10T09"


def test_the_hourly_line_names_the_utc_hour_and_the_local_one():
    html = Path("r.html")
    line, _ = _fmt_line(z("2026-03-10T03:30:00Z"), {}, 0, 0, [], html, 1.0, KOLKATA)
    assert line.startswith("hourly 2026-03-10T03:30Z (2026-03-10 09:00 IST) OK: ")
    line, _ = _fmt_line(z("2026-10-25T01:00:00Z"), {}, 0, 0, [], html, 1.0, BERLIN)
    assert line.startswith("hourly 2026-10-25T01:00Z (2026-10-25 02:00 CET) OK: ")
    line, _ = _fmt_line(z("2026-10-25T01:00:00Z"), {}, 0, 0, [], html, 1.0, tz=UTC)
    assert line.startswith("hourly 2026-10-25T01:00Z OK: ")  # UTC: the line as it always was


def test_ticket_times_are_on_the_team_s_clock():
    t = Ticket("LK-I-1", "incident:i1", "s", "Bug", "High", "d", z("2026-11-01T06:30:00Z"), ("launchkit",))
    assert csv_text([t], NEW_YORK).splitlines()[1].split(",")[6] == "2026-11-01 01:30"
    assert csv_text([t], tz=UTC).splitlines()[1].split(",")[6] == "2026-11-01 06:30"


# ---------------------------------------------------------------------------------------------
# a day before the pilot (issue 12): one line, not a notebook's traceback


def test_a_day_before_the_pilot_has_nothing_to_report(berlin):
    wh, cfg = berlin
    # e1 at 2026-03-24 23:59 CET is the first activity: the pilot's first day is 03-24
    assert finance.pilot_to_date(wh, cfg, date(2026, 3, 24)) == (date(2026, 3, 24), date(2026, 3, 24))
    with pytest.raises(NotEnoughDataError, match=r"no data before 2026-03-24 \(its first day with data\)"):
        finance.pilot_to_date(wh, cfg, date(2026, 3, 23))
    configured = cfg.with_overrides(**{"pilot.start": "2026-03-28"})
    with pytest.raises(NotEnoughDataError, match=r"no data before 2026-03-28 \(pilot.start\).*as of 2026-03-27"):
        finance.pilot_to_date(wh, configured, date(2026, 3, 27))
    with Warehouse.memory() as empty:  # no data at all: the pilot is the day itself
        assert finance.pilot_to_date(empty, cfg, date(2026, 3, 1)) == (date(2026, 3, 1), date(2026, 3, 1))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cost", "ga"])
def test_run_cost_or_ga_before_the_first_data_day_is_one_line(site, kind):
    r = CliRunner().invoke(cli, ["run", kind, "--date", "2026-03-20"])
    assert r.exit_code == 1, (r.output, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "no data before 2026-03-24" in lines[0] and "as of 2026-03-20" in lines[0]
    assert not (site / "reports" / kind).exists() or not any((site / "reports" / kind).iterdir())


def test_missed_hours_are_caught_up_as_the_zone_s_clock_hours(monkeypatch):
    """Kolkata's hours start at :30 UTC: the hours missed between 08:00 and 11:00 IST are 09:00 (k3 k4,
    costs 4 + 8) and 10:00 (k5, cost 16), not the UTC hours 03:00Z and 04:00Z."""
    cfg = load_config().with_overrides(**{"reports.timezone": "Asia/Kolkata"})
    monkeypatch.setattr(notify.outbox, "load_state", lambda wh: State(last_checked=z("2026-03-10T02:30:00Z")))
    with Warehouse.memory() as wh:
        fill(wh, KOLKATA_VISITS)
        caught = notify.catch_up(wh, cfg, z("2026-03-10T05:30:00Z"))
    assert [h.hour for h in caught.hours] == [z("2026-03-10T03:30:00Z"), z("2026-03-10T04:30:00Z")]
    seen = [{c["check"]: (c.get("n"), c.get("value")) for c in h.checks} for h in caught.hours]
    assert [s["tool_success"][0] for s in seen] == [2, 1]
    assert [s["cost_per_session"][1] for s in seen] == [6.0, 16.0]


def test_an_hourly_stamp_names_its_hour_on_the_zone_s_clock_and_back():
    for tz, at in [
        (NEW_YORK, "2026-11-01T05:00:00Z"),  # 01:00 EDT
        (NEW_YORK, "2026-11-01T06:00:00Z"),  # 01:00 EST, the repeated hour: its stamp carries -0500
        (KOLKATA, "2026-03-10T03:30:00Z"),
        (BERLIN, "2026-03-29T01:00:00Z"),
        (UTC, "2026-03-29T01:00:00Z"),
    ]:
        assert hour_of_stamp(stamp_for("hourly", at=z(at), tz=tz), tz) == z(at)
    assert hour_of_stamp("2026-11-01T01-0500", NEW_YORK) == z("2026-11-01T06:00:00Z")
    assert hour_of_stamp("index", NEW_YORK) is None


def test_pruning_by_file_name_reads_the_zone_s_clock(tmp_path):
    """Reports with no period on record (no index, no JSON) are dated by their file names: local hours.
    New York, keep 1 day: 03-07 12:00 EST ends 18:00Z and 03-08 12:00 EDT ends 17:00Z, 23 hours later,
    so the older one stays (read as UTC hours they would be 24 hours apart and it would go); the
    repeated 01:00 of 11-01 (-0500, 06:00Z-07:00Z) is a day and an hour after 10-31 01:00 EDT."""
    for stems, pruned in [
        (("2026-03-07T12", "2026-03-08T12"), []),
        (("2026-10-31T01", "2026-11-01T01-0500"), ["2026-10-31T01"]),
    ]:
        root = tmp_path / stems[0]
        (root / "hourly").mkdir(parents=True)
        for stem in stems:
            (root / "hourly" / f"{stem}.html").write_text("x")
        assert prune.prune_hourly(root, 1, NEW_YORK) == pruned
    assert sorted(p.name for p in (tmp_path / "2026-10-31T01" / "hourly").iterdir()) == ["2026-11-01T01-0500.html"]


def test_a_time_is_shown_in_the_zone_the_caller_passes_never_a_process_wide_one():
    """Two tables in one process, in two zones, each on its own clock; a time without a zone is an error."""
    import pandas as pd

    from launchkit.reports import text
    from launchkit.reports.page import charts

    at = pd.Timestamp(
        "2026-03-29T01:30Z"
    )  # 03:30 CEST in Berlin (the clocks changed at 01:00 UTC), 21:30 EDT in New York
    df = pd.DataFrame({"opened_at": [at], "n": [3]})
    berlin = charts.table(df, tz=ZoneInfo("Europe/Berlin")).markup
    new_york = charts.table(df, tz=ZoneInfo("America/New_York")).markup
    assert "03:30 CEST" in berlin and "21:30 EDT" in new_york
    assert "03:30" not in new_york and "21:30" not in berlin
    assert text.moment(at, ZoneInfo("Asia/Kolkata")) == "2026-03-29 07:00 IST"
    with pytest.raises(text.ZoneMissing, match="without a zone"):
        text.fmt(at)  # numbers only: a time is a moment on a zone's clock
    with pytest.raises(text.ZoneMissing, match="no times"):
        charts.table(df, tz=None)
    assert "3" in charts.table(df[["n"]], tz=None).text  # a table without times says so, and needs no zone
