"""Spend by period and dimension, burn against the budget, forecasts: hand-computed answers."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from _tables import insert
from scipy import stats as sps

from launchkit.analytics import finance
from launchkit.config import Config, load_config
from launchkit.errors import ConfigError, LaunchkitError
from launchkit.store.warehouse import Warehouse

UTC = UTC
DAILY = [10.0, 12.0, 8.0, 10.0]  # spend on 2026-03-02 .. 03-05 (Mon..Thu)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture()
def con():
    c = Warehouse.memory()
    insert(
        c,
        "sessions",
        [
            dict(session_id=f"s{d}{k}", tenant_id="A" if k == 0 else "B", started_at=at(d, 9))
            for d in range(2, 6)
            for k in range(2)
        ],
    )
    turns = []
    for d, total in zip(range(2, 6), DAILY):
        # two turns a day: tenant A's on gpt (40%), tenant B's on claude (60%)
        turns.append(
            dict(turn_id=f"a{d}", session_id=f"s{d}0", started_at=at(d), status="ok", model="gpt", cost_usd=total * 0.4)
        )
        turns.append(
            dict(
                turn_id=f"b{d}",
                session_id=f"s{d}1",
                started_at=at(d, 13),
                status="ok",
                model="claude",
                cost_usd=total * 0.6,
            )
        )
    turns.append(dict(turn_id="u", session_id="s20", started_at=at(2, 14), status="ok", model="gpt", cost_usd=None))
    insert(c, "turns", turns)
    insert(
        c,
        "vendor_costs",
        [
            dict(line_id="o1", vendor="openai", usage_date=date(2026, 3, 2), amount_usd=4.1),
            dict(line_id="o2", vendor="openai", usage_date=date(2026, 3, 3), amount_usd=4.7),
            dict(line_id="a1", vendor="anthropic", usage_date=date(2026, 3, 2), amount_usd=6.0),
        ],
    )
    yield c
    c.close()


def test_spend_by_day_and_dimension(con):
    df = finance.spend(con, "day", tz=UTC)
    assert list(df["cost_usd"]) == pytest.approx(DAILY)
    assert df.iloc[0]["unpriced_turns"] == 1 and df.iloc[0]["turns"] == 3
    by_model = finance.spend(con, "day", by="model", tz=UTC)
    assert by_model[by_model.model == "gpt"]["cost_usd"].sum() == pytest.approx(0.4 * sum(DAILY))
    by_tenant = finance.spend(con, "month", by="tenant", tz=UTC).set_index("tenant")
    assert by_tenant.loc["B", "cost_usd"] == pytest.approx(0.6 * sum(DAILY))
    assert pd.Timestamp(by_tenant.iloc[0]["period"]).date() == date(2026, 3, 1)
    vendor = finance.spend(con, "day", by="vendor", tz=UTC)
    assert vendor.groupby("vendor")["cost_usd"].sum().to_dict() == pytest.approx({"anthropic": 6.0, "openai": 8.8})


def test_spend_by_iso_week(con):
    insert(con, "turns", [dict(turn_id="w", session_id="s20", started_at=at(9), status="ok", cost_usd=1.0)])
    df = finance.spend(con, "week", tz=UTC)
    assert [pd.Timestamp(p).date() for p in df["period"]] == [date(2026, 3, 2), date(2026, 3, 9)]  # Mondays
    assert list(df["cost_usd"]) == pytest.approx([sum(DAILY), 1.0])
    with pytest.raises(LaunchkitError):
        finance.spend(con, "fortnight", tz=UTC)
    with pytest.raises(LaunchkitError):
        finance.spend(con, "day", by="user", tz=UTC)


def test_unpriced_spend_is_unknown_not_zero(con):
    # turn "u" has no cost and a model no price list knows: the spend of 03-02 is unknown, so is the
    # spend to date; the priced part is a lower bound, reported beside it
    cfg = load_config(env={}).with_overrides(
        **{"pilot.start": "2026-03-02", "pilot.end": "2026-03-11", "budget.total_usd": 120.0}
    )
    b = finance.burn(con, cfg, date(2026, 3, 5))
    json.dumps(b, allow_nan=False)
    assert b["spend_to_date_usd"] is None and b["share_used"] is None and b["burn_rate_per_day_usd"] is None
    assert (b["spend_known_usd"], b["unpriced_turns"]) == (pytest.approx(40.0), 1)
    assert b["forecast_total_usd"]["estimate"] is None and "1 turn(s) unpriced" in b["forecast_total_usd"]["method"]
    assert b["days_observed"] == 4


def test_burn_forecast_hand_computed(con):
    con.execute("DELETE FROM turns WHERE turn_id = 'u'")  # every turn priced
    cfg = load_config(env={}).with_overrides(
        **{"pilot.start": "2026-03-02", "pilot.end": "2026-03-11", "budget.total_usd": 120.0}
    )
    b = finance.burn(con, cfg, date(2026, 3, 5))
    json.dumps(b, allow_nan=False)
    assert b["spend_to_date_usd"] == pytest.approx(40.0)
    assert b["share_used"] == pytest.approx(40 / 120)
    assert b["burn_rate_per_day_usd"] == pytest.approx(10.0)
    assert b["days_observed"] == 4 and b["days_remaining"] == 6  # 03-06 .. 03-11
    fc = b["forecast_total_usd"]
    assert fc["estimate"] == pytest.approx(40 + 6 * 10)
    s = np.std(DAILY, ddof=1)
    half = sps.t.ppf(0.975, 3) * math.sqrt(6 * s * s + 36 * s * s / 4)
    assert (fc["low"], fc["high"]) == pytest.approx((100 - half, 100 + half))
    assert b["forecast_share_of_budget"] == pytest.approx(100 / 120)


def test_burn_default_period_and_ga_cost(con):
    cfg = load_config(env={}).with_overrides(**{"ga.expected_sessions_per_day": 1000})
    b = finance.burn(con, cfg, date(2026, 3, 5))
    assert b["pilot"]["source"] == "data"
    assert b["pilot"]["start"] == "2026-03-02" and b["pilot"]["end"] == "2026-03-31"  # 30 days
    assert b["budget_usd"] is None and b["share_used"] is None
    ga = b["ga_monthly_cost_usd"]
    assert ga is not None
    # last 7 days: 40 USD over 8 active sessions = 5 USD a session
    assert ga["cost_per_session_usd"] == pytest.approx(5.0)
    assert ga["estimate"] == pytest.approx(5.0 * 1000 * 30)
    low, estimate, high = ga["low"], ga["estimate"], ga["high"]
    assert low is not None and estimate is not None and high is not None and low < estimate < high


def test_burn_without_data():
    c = Warehouse.memory()
    b = finance.burn(c, load_config(env={}), date(2026, 3, 5))
    assert b["spend_to_date_usd"] is None and b["forecast_total_usd"]["estimate"] is None
    json.dumps(b, allow_nan=False)


def test_pilot_end_before_start_is_refused_when_the_config_is_built(con):
    with pytest.raises(ConfigError, match="pilot.end"):
        load_config(env={}).with_overrides(**{"pilot.start": "2026-03-10", "pilot.end": "2026-03-01"})


# The recent-burn forecast, worked by hand (docs/pricing.md shows the same example):
# a pilot of 03-01 .. 03-20, one turn a day costing $10 on 03-01 .. 03-05 and $20, 22, 18, 20, 20 on
# 03-06 .. 03-10; as of 03-10 with burn_days = 5.
#   spent 150; remaining days R = 10 (03-11 .. 03-20); recent k = 5 days, mean m = 20,
#   s^2 = (0 + 4 + 4 + 0 + 0) / 4 = 2; t(0.975, 4) = 2.776445105
#   forecast 150 + 10 x 20 = 350, sd = sqrt(R s^2 + R^2 s^2 / k) = sqrt(20 + 40) = 7.745967,
#   half-width 21.506251: 328.493749 .. 371.506251
#   pilot to date: mean 15 over 10 days, forecast 150 + 10 x 15 = 300
#   burn rate interval 20 +- 2.776445 x sqrt(2) / sqrt(5) = 20 +- 1.755978: 18.244022 .. 21.755978
#   budget 340: 190 left, 190 / 20 = 9.5 -> runs out on 03-20 (03-10 + 10 days); at 21.755978 a day
#   8.73 -> 03-19 (earliest), at 18.244022 a day 10.41 -> 03-21 (latest)
RECENT = [10.0] * 5 + [20.0, 22.0, 18.0, 20.0, 20.0]


@pytest.fixture()
def burning():
    c = Warehouse.memory()
    insert(c, "sessions", [dict(session_id=f"s{d}", tenant_id="A", started_at=at(d, 9)) for d in range(1, 11)])
    insert(
        c,
        "turns",
        [
            dict(turn_id=f"t{d}", session_id=f"s{d}", started_at=at(d), status="ok", model="m", cost_usd=cost)
            for d, cost in zip(range(1, 11), RECENT)
        ],
    )
    yield c
    c.close()


def _pilot(budget: float, **more: object) -> Config:
    keys = {"pilot.start": "2026-03-01", "pilot.end": "2026-03-20", "budget.total_usd": budget, "budget.burn_days": 5}
    return load_config(env={}).with_overrides(**{**keys, **more})


def test_recent_burn_forecast_and_run_out_date_by_hand(burning):
    b = finance.burn(burning, _pilot(340.0), date(2026, 3, 10))
    json.dumps(b, allow_nan=False)
    assert b["spend_to_date_usd"] == pytest.approx(150.0) and b["days_remaining"] == 10
    rate = b["recent_burn"]
    assert (rate["per_day_usd"], rate["days_used"]) == (pytest.approx(20.0), 5)
    assert (rate["low"], rate["high"]) == pytest.approx((18.244022, 21.755978), abs=1e-6)
    assert (rate["first"], rate["last"]) == ("2026-03-06", "2026-03-10")
    fc = b["forecast_total_usd"]
    assert (fc["basis"], fc["days_used"]) == ("last 5 days", 5)
    assert (fc["estimate"], fc["low"], fc["high"]) == pytest.approx((350.0, 328.493749, 371.506251), abs=1e-6)
    pilot = b["forecast_pilot_to_date_usd"]
    assert (pilot["estimate"], pilot["days_used"], pilot["basis"]) == (pytest.approx(300.0), 10, "pilot to date")
    assert b["burn_rate_per_day_usd"] == pytest.approx(15.0)
    assert b["budget_runs_out"] == {
        "date": "2026-03-20",
        "earliest": "2026-03-19",
        "latest": "2026-03-21",
        "exceeded": False,
    }


def test_budget_already_spent_names_the_day_it_ran_out(burning):
    # cumulative spend: 10, 20, 30, 40, 50, 70, 92, 110: past $100 on 03-08
    b = finance.burn(burning, _pilot(100.0), date(2026, 3, 10))
    assert b["budget_runs_out"] == {
        "date": "2026-03-08",
        "earliest": "2026-03-08",
        "latest": "2026-03-08",
        "exceeded": True,
    }


def test_the_recent_burn_skips_days_without_usage(burning):
    # no turns on 03-09: the last 5 days hold 4 observed days (20, 22, 18, 20), never a $0 day
    burning.execute("DELETE FROM turns WHERE turn_id = 't9'")
    b = finance.burn(burning, _pilot(340.0), date(2026, 3, 10))
    assert b["recent_burn"]["days_used"] == 4 and b["recent_burn"]["per_day_usd"] == pytest.approx(20.0)
    assert b["forecast_total_usd"]["estimate"] == pytest.approx(130 + 10 * 20)


@pytest.mark.parametrize(
    ("budget", "expected"),
    # the forecast is 350 (328.49 .. 371.51): over a 340 budget it is watched although its interval
    # straddles the budget; a 320 budget is below even the lower bound: FAIL; 360 is above the estimate
    [(340.0, "MARGINAL"), (320.0, "FAIL"), (360.0, "PASS")],
)
def test_projected_spend_watches_the_estimate_and_fails_on_the_lower_bound(burning, budget, expected):
    from launchkit.analytics import criteria

    cfg = _pilot(budget)
    crit = next(c for c in cfg.criteria if c.name == "projected_spend")
    assert crit.window_days == 5  # the window follows budget.burn_days
    ctx = criteria.Context(burning, cfg, 0.95)
    r = criteria.evaluate_one(ctx, crit, date(2026, 3, 10))
    assert (r.value, r.n) == (pytest.approx(350.0), 5)
    assert r.interval is not None
    assert (r.interval["low"], r.interval["high"]) == pytest.approx((328.493749, 371.506251), abs=1e-6)
    assert r.verdict == expected, r.note
