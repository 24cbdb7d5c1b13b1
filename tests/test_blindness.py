"""Silence is not quiet: expected traffic from history, data_arrived, data_fresh and the empty warehouse.

Each pilot here is a handful of session starts at chosen hours, so the expectation of quality/gaps.sql
(the median of the same hour-of-week 1..4 weeks back when two of them are known, else the median of
the same hour-of-day on the known days before) is worked out by hand in each test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from _tables import insert

from launchkit.analytics import checks, quality
from launchkit.config import load_config
from launchkit.errors import ConfigError
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window


@pytest.fixture(scope="module")
def cfg():
    return load_config(env={})


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


def pilot(counts: dict[datetime, int]) -> Warehouse:
    """A warehouse whose only data are `n` session starts in each given hour (spread over its minutes)."""
    wh = Warehouse.memory()
    rows = [
        dict(session_id=f"{hour:%Y%m%d%H}-{k}", tenant_id="A", started_at=hour + timedelta(minutes=k % 60))
        for hour, n in counts.items()
        for k in range(n)
    ]
    if rows:
        insert(wh, "sessions", rows)
    return wh


def by_check(rows: list[checks.Check]) -> dict[str, checks.Check]:
    return {r["check"]: r for r in rows}


MON = datetime(2026, 2, 2, tzinfo=UTC)  # a Monday


def four_weeks(monday_counts: list[int], other_days: int = 20) -> dict[datetime, int]:
    """Four weeks from MON, data at 10:00 every day (Mondays as given, week by week) and 1 session at 18:00;
    then 2026-03-02 (Monday of week five) with no data at 10:00 and 5 sessions at 11:00 (the exporter lives)."""
    counts: dict[datetime, int] = {}
    for d in range(28):
        day = MON + timedelta(days=d)
        counts[at(day, 10)] = monday_counts[d // 7] if d % 7 == 0 else other_days
        counts[at(day, 18)] = 1
    counts[at(MON + timedelta(days=28), 11)] = 5
    return counts


def test_expected_from_the_same_hour_of_week(cfg):
    wh = pilot(four_weeks([4, 6, 8, 10]))
    monday = MON + timedelta(days=28)
    [row] = quality.gap_hours(wh, Window.hour(at(monday, 10), tz=UTC), cfg)
    # Mondays 10:00 one to four weeks back: 10, 8, 6, 4 -> median 7 (Tuesdays' 20 do not count)
    assert row["basis"] == "hour_of_week" and row["expected_sessions"] == 7
    assert row["sessions"] == 0 and row["traffic_expected"] is True and row["gap"] is True
    tuesday = monday + timedelta(days=1)
    [tue] = quality.gap_hours(wh, Window.hour(at(tuesday, 10), tz=UTC), cfg)
    # four Tuesdays known (the data goes on to Monday 11:00 of week five): 20 each
    assert tue["basis"] == "hour_of_week" and tue["expected_sessions"] == 20
    c = by_check(checks.blindness(wh, Window.hour(at(monday, 10), tz=UTC), cfg))
    assert c["data_arrived"]["status"] == "breach"
    assert "about 7 sessions expected" in c["data_arrived"]["note"]


def test_a_quiet_hour_with_no_traffic_expected_is_not_a_breach(cfg):
    wh = pilot(four_weeks([1, 2, 3, 4]))
    monday = MON + timedelta(days=28)
    [row] = quality.gap_hours(wh, Window.hour(at(monday, 10), tz=UTC), cfg)
    assert row["expected_sessions"] == 2.5 and row["traffic_expected"] is False and row["gap"] is False  # < 5
    [night] = quality.gap_hours(wh, Window.hour(at(monday, 3), tz=UTC), cfg)
    assert night["expected_sessions"] == 0 and night["basis"] == "hour_of_week"  # four known, empty nights
    c = by_check(checks.blindness(wh, Window.hour(at(monday, 3), tz=UTC), cfg))
    assert c["data_arrived"]["status"] == "na" and c["data_arrived"]["note"] == "no traffic expected in this hour"
    # at 03:00 the last data was at Sunday 18:00, 9 h before; the silent hours 19:00..03:00 expect 0 sessions
    assert c["data_fresh"]["status"] == "ok" and c["data_fresh"]["value"] == pytest.approx(9 + 1)
    assert "none expected" in c["data_fresh"]["note"]


def test_fewer_than_two_weeks_uses_the_pilots_median_for_the_hour_of_day(cfg):
    day1 = datetime(2026, 3, 2, tzinfo=UTC)
    counts = {at(day1 + timedelta(days=d), 10): 3 + 2 * d for d in range(10)}  # 3, 5, ..., 21
    counts[at(day1 + timedelta(days=10), 9)] = 1  # day 11: data at 09:00, none at 10:00
    wh = pilot(counts)
    [row] = quality.gap_hours(wh, Window.hour(at(day1 + timedelta(days=10), 10), tz=UTC), cfg)
    # one week back (day 4: 9 sessions) is known, two weeks back is before the pilot: too little;
    # the known weekdays at 10:00 (days 1-5 and 8-10; the weekend, days 6 and 7, is another kind of day)
    # hold 3, 5, 7, 9, 11, 17, 19, 21: median (9 + 11) / 2 = 10
    assert row["basis"] == "hour_of_day" and row["expected_sessions"] == 10 and row["gap"] is True
    [first] = quality.gap_hours(wh, Window.hour(at(day1, 11), tz=UTC), cfg)
    assert first["expected_sessions"] is None and first["basis"] is None  # day one: nothing known yet


def business_pilot(days: int, stop: datetime | None = None) -> dict[datetime, int]:
    """10 sessions in every hour 09..17 for `days` days from 2026-03-02; nothing from `stop` on."""
    day1 = datetime(2026, 3, 2, tzinfo=UTC)
    counts = {at(day1 + timedelta(days=d), h): 10 for d in range(days) for h in range(9, 18)}
    return {k: v for k, v in counts.items() if stop is None or k < stop}


def test_exporter_died_mid_pilot(cfg):
    stop = datetime(2026, 3, 9, 13, tzinfo=UTC)  # day 8: nothing from 13:00
    wh = pilot(business_pilot(10, stop))
    window = Window.hour(datetime(2026, 3, 9, 15, tzinfo=UTC), tz=UTC)
    c = by_check(checks.blindness(wh, window, cfg))
    # 15:00: one Monday back known (< 2 weeks) -> median of days 1..7 at 15:00 = 10 expected, none came
    assert c["data_arrived"]["status"] == "breach"
    # the last session started at 12:09 (minutes 0..9), 3 h 51 min before 16:00; hours 13, 14, 15 expected 10 each
    fresh = c["data_fresh"]
    assert fresh["status"] == "breach" and fresh["value"] == pytest.approx(3 + 51 / 60)
    assert fresh["note"] == (
        "no new data for 3.9 h (last at 2026-03-09T12:09:00Z) while about 30 sessions were expected"
    )


def test_months_after_the_data_stopped_is_still_a_breach(cfg):
    stop = datetime(2026, 3, 9, 13, tzinfo=UTC)
    wh = pilot(business_pilot(10, stop))
    hour = stop + timedelta(days=90, hours=-1)  # 2026-06-07T12:00, a Sunday: weekdays do not matter here
    [row] = quality.gap_hours(wh, Window.hour(hour, tz=UTC), cfg)
    # no week of the last four is known: the median of the known days' 12:00 (days 1..8, 10 each)
    assert row["basis"] == "hour_of_day" and row["expected_sessions"] == 10 and row["gap"] is True
    c = by_check(checks.blindness(wh, Window.hour(hour, tz=UTC), cfg))
    assert c["data_arrived"]["status"] == "breach" and c["data_fresh"]["status"] == "breach"
    # the silence is summed over its last 7 days: 7 x 9 business hours x 10 sessions
    assert "while about 630 sessions were expected" in c["data_fresh"]["note"]
    assert c["data_fresh"]["value"] == pytest.approx(90 * 24 + 51 / 60)


def test_stale_threshold_from_config(cfg):
    stop = datetime(2026, 3, 9, 13, tzinfo=UTC)
    wh = pilot(business_pilot(10, stop))
    window = Window.hour(datetime(2026, 3, 9, 15, tzinfo=UTC), tz=UTC)
    lax = cfg.with_overrides(**{"hourly.stale_after_hours": 4})
    assert by_check(checks.blindness(wh, window, lax))["data_fresh"]["status"] == "ok"  # 3.85 h < 4 h
    assert by_check(checks.blindness(wh, window, cfg))["data_fresh"]["marginal"] == 2.0  # the default
    for bad in (0, -1, float("nan"), "2"):
        with pytest.raises(ConfigError, match="hourly.stale_after_hours"):
            cfg.with_overrides(**{"hourly.stale_after_hours": bad})


def test_empty_warehouse_after_pilot_start_is_a_breach(cfg):
    wh = pilot({})
    window = Window.hour(datetime(2026, 3, 5, 10, tzinfo=UTC), tz=UTC)
    started = cfg.with_overrides(**{"pilot.start": "2026-03-02"})
    c = by_check(checks.blindness(wh, window, started))
    assert c["data_arrived"]["status"] == "breach"
    assert c["data_arrived"]["note"] == "no data at all since pilot.start 2026-03-02 (the warehouse is empty)"
    assert c["data_fresh"]["status"] == "na"


def test_empty_warehouse_before_pilot_start_is_no_data_yet(cfg):
    wh = pilot({})
    window = Window.hour(datetime(2026, 3, 5, 10, tzinfo=UTC), tz=UTC)
    later = cfg.with_overrides(**{"pilot.start": "2026-03-06"})
    c = by_check(checks.blindness(wh, window, later))
    assert c["data_arrived"]["status"] == "na" and c["data_arrived"]["note"] == "no data yet (pilot.start 2026-03-06)"
    c = by_check(checks.blindness(wh, window, cfg))  # no pilot.start: nothing says data should be there
    assert c["data_arrived"]["status"] == "na" and c["data_arrived"]["note"] == "no data yet"


def test_the_hourly_checks_include_both(cfg):
    wh = pilot(business_pilot(3))
    names = [r["check"] for r in checks.checks(wh, Window.hour(datetime(2026, 3, 4, 12, tzinfo=UTC), tz=UTC), cfg)]
    assert names[-2:] == ["data_arrived", "data_fresh"]
