"""The hourly and cost reports built by the library (launchkit.reports.content), without a kernel: their
JSON summaries on tiny warehouses written by hand, against answers worked out by hand, and every
coloured tile in the state of the verdict the same summary holds (issue 19, one verdict source)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from _tables import insert, load_frames

from launchkit import synth
from launchkit.analytics import pricing
from launchkit.config import Config, load_config
from launchkit.jobs.demo import budget_for
from launchkit.jsonclean import clean
from launchkit.reports.content import cost, hourly
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

HOUR = datetime(2026, 3, 4, 14, tzinfo=UTC)
# the state each verdict gives a tile, as docs/reports.md states it (written out here, not imported)
COLOUR = {"PASS": "ok", "MARGINAL": "watch", "FAIL": "breach", "UNTRUSTED DATA": "untrusted"}
GATE = {True: "ok", False: "breach", None: "no-data"}


def _cfg(**overrides: Any) -> Config:
    return load_config(env={}).with_overrides(**overrides)


def _session(sid: str, tenant: str, at: str) -> dict[str, Any]:
    return {"session_id": sid, "tenant_id": tenant, "user_id": "u", "started_at": at, "cohort": "pilot"}


def _turn(tid: str, sid: str, at: str, cost_usd: float | None, latency: int = 1000, model: str = "gpt-4o") -> dict:
    return {"turn_id": tid, "session_id": sid, "started_at": at, "model": model, "status": "ok", "latency_ms": latency,
            "ttft_ms": 100, "input_tokens": 10, "output_tokens": 10, "cost_usd": cost_usd}  # fmt: skip


@pytest.fixture
def hour() -> Iterator[Warehouse]:
    """HOUR: sessions s1 (tenant t1) and s2 (t2); three ok turns costing $0.10, $0.20, $0.30 with latencies
    1000, 1000 and 2000 ms; six tool calls, one ok (sql_query) and five failed (search)."""
    con = Warehouse.memory()
    insert(
        con,
        "sessions",
        [_session("s1", "t1", "2026-03-04 14:00:00+00"), _session("s2", "t2", "2026-03-04 14:10:00+00")],
    )
    insert(con, "turns", [_turn("a", "s1", "2026-03-04 14:01:00+00", 0.10), _turn("b", "s1", "2026-03-04 14:02:00+00", 0.20),
                          _turn("c", "s2", "2026-03-04 14:11:00+00", 0.30, 2000)])  # fmt: skip
    calls = [{"call_id": f"c{i}", "session_id": "s1", "turn_id": "a", "tool_name": "sql_query" if i == 0 else "search",
              "started_at": f"2026-03-04 14:0{i}:30+00", "duration_ms": 100, "status": "ok" if i == 0 else "error",
              "error_type": None if i == 0 else "boom"} for i in range(6)]  # fmt: skip
    insert(con, "tool_calls", calls)
    yield con
    con.close()


def test_the_hourly_summary_is_the_hand_computed_hour(hour):
    r = hourly.build(hour, Window.hour(HOUR, tz=UTC), _cfg(), tz=UTC, hours=2)
    s = clean(r.summary())
    m = s["metrics"]
    assert (m["active_sessions"], m["samples"]["tool_calls"], m["samples"]["turns"]) == (2, 6, 3)
    assert m["tool_call_success_rate"] == pytest.approx(1 / 6)
    assert m["turn_error_rate"] == 0.0
    assert m["total_cost_usd"] == pytest.approx(0.60) and m["cost_per_session"] == pytest.approx(0.30)
    assert m["latency_ms"]["p95"] == pytest.approx(1900.0)  # of 1000, 1000, 2000: 1000 + 0.9 x (2000 - 1000)
    # 1 of 6 calls ok: even 6 calls put the whole interval under the 95 % fail line, a breach
    assert s["breaches"] == ["tool_success"]
    assert s["headline"] == "2 sessions, tool success 16.7 %, p95 1,900 ms; 1 breach"
    assert s["title"] == "Hourly pilot report 2026-03-04 14:00 UTC"
    assert {t["tool"]: t["tool_calls"] for t in s["by_tool"]} == {"sql_query": 1, "search": 5}
    assert sorted(t["tenant"] for t in s["by_tenant"]) == ["t1", "t2"]
    states = {t["key"]: t["state"] for t in s["tiles"]}
    # the certain breach is red; every other check rests on fewer observations than its min_sample
    assert states == {"active_sessions": "na", "tool_call_success_rate": "breach", "cost_per_session": "low-sample",
                      "turn_error_rate": "low-sample", "latency_p95": "low-sample"}  # fmt: skip
    _agree(s)


def test_an_hour_without_data_has_no_data_tiles_and_a_red_sessions_tile_when_data_was_due(hour):
    # the warehouse holds HOUR only; the hour after it has no observation
    r = hourly.build(hour, Window.hour(datetime(2026, 3, 4, 16, tzinfo=UTC), tz=UTC), _cfg(), tz=UTC, hours=2)
    s = clean(r.summary())
    states = {t["key"]: t["state"] for t in s["tiles"]}
    assert {states[k] for k in ("tool_call_success_rate", "turn_error_rate", "latency_p95", "cost_per_session")} == {
        "no-data"
    }
    _agree(s)
    empty = Warehouse.memory()  # nothing at all although the pilot started: data_arrived breaches
    try:
        s = clean(
            hourly.build(empty, Window.hour(HOUR, tz=UTC), _cfg(**{"pilot.start": "2026-03-01"}), tz=UTC).summary()
        )
    finally:
        empty.close()
    tiles = {t["key"]: t for t in s["tiles"]}
    assert tiles["active_sessions"]["state"] == "breach" and tiles["active_sessions"]["source"] == "check:data_arrived"
    assert "data_arrived" in s["breaches"] and "warehouse is empty" in tiles["active_sessions"]["note"]
    _agree(s)


def test_a_metric_two_criteria_check_is_red_on_its_tile_when_either_breaches(hour):
    # a second, lenient criterion on tool-call success, checked after the default: 1 of 6 calls ok is above its
    # 10 % pass line, on fewer calls than its 30 (low sample); the default's 95 % fail line breaches as before
    lenient = {"metric": "tool_call_success_rate", "pass": 0.10, "marginal": 0.05}
    s = clean(hourly.build(hour, Window.hour(HOUR, tz=UTC), _cfg(**{"criteria.lenient": lenient}), tz=UTC,
                           hours=2).summary())  # fmt: skip
    status = {v["check"]: v["status"] for v in s["verdicts"]}
    assert (status["tool_success"], status["lenient"]) == ("breach", "low-sample")
    tile = next(t for t in s["tiles"] if t["key"] == "tool_call_success_rate")
    assert (tile["state"], tile["source"]) == ("breach", "check:tool_success")  # as the alert says, not grey
    assert s["breaches"] == ["tool_success"]


def test_a_breached_check_without_a_headline_tile_gets_a_red_tile_of_its_own(hour):
    # an open SEV1 in the hour: the open_major_incidents check breaches (at most 0); no headline tile shows it
    insert(hour, "incidents", [{"incident_id": "i1", "severity": "SEV1", "title": "down",
                                "opened_at": "2026-03-04 13:00:00+00", "resolved_at": None}])  # fmt: skip
    s = clean(hourly.build(hour, Window.hour(HOUR, tz=UTC), _cfg(), tz=UTC, hours=2).summary())
    assert "open_major_incidents" in s["breaches"]
    tile = next(t for t in s["tiles"] if t["key"] == "open_major_incidents")
    assert (tile["label"], tile["value"], tile["state"]) == ("Open major incidents", 1, "breach")
    assert tile["source"] == "check:open_major_incidents"
    _agree(s)


def _cost_pilot(unpriced: bool = False) -> Warehouse:
    """Pilot days 2026-03-02..04, one session a day (t1, t2, t1) with one turn of $10, $20, $30; with
    `unpriced`, a fourth turn on 03-04 of an unknown model without tokens (no cost)."""
    con = Warehouse.memory()
    days = [("s1", "t1", "2026-03-02", 10.0), ("s2", "t2", "2026-03-03", 20.0), ("s3", "t1", "2026-03-04", 30.0)]
    insert(con, "sessions", [_session(sid, t, f"{d} 10:00:00+00") for sid, t, d, _ in days])
    turns = [_turn(f"x{sid}", sid, f"{d} 10:05:00+00", c) for sid, _, d, c in days]
    if unpriced:
        turns.append({**_turn("u", "s3", "2026-03-04 10:06:00+00", None, model="mystery-model"),
                      "input_tokens": None, "output_tokens": None})  # fmt: skip
    insert(con, "turns", turns)
    return con


PILOT = {"pilot.start": "2026-03-02", "pilot.end": "2026-03-11", "budget.total_usd": 100.0}


def test_the_cost_summary_is_the_hand_computed_burn():
    con = _cost_pilot()
    try:
        s = clean(cost.build(con, date(2026, 3, 4), _cfg(**PILOT), tz=UTC).summary())
    finally:
        con.close()
    f = s["finance"]
    # spent 10 + 20 + 30; 7 days left (03-05..11) at the mean of the last 7 days' 3 observed days, $20
    assert f["spend_to_date_usd"] == pytest.approx(60.0) and f["share_used"] == pytest.approx(0.6)
    assert f["burn_rate_per_day_usd"] == pytest.approx(20.0)
    fc = f["forecast_total_usd"]
    assert fc["estimate"] == pytest.approx(60 + 7 * 20) and fc["days_used"] == 3
    # s = 10, k = 3, R = 7: sd = sqrt(R s^2 + R^2 s^2 / k); t(0.975, 2) = 4.302652729911275
    half = 4.302652729911275 * (7 * 100 + 49 * 100 / 3) ** 0.5
    assert fc["high"] == pytest.approx(200 + half) and fc["low"] == pytest.approx(60.0)  # never below the spend
    # $40 left at $20 a day: 2 days; at the rate's upper bound 20 + t s / sqrt(k) = $44.84: 1 day; its lower
    # bound is 0 (the interval reaches below 0), so no latest day
    assert f["budget_runs_out"] == {"date": "2026-03-06", "earliest": "2026-03-05", "latest": None, "exceeded": False}
    assert s["headline"] == (
        "spent $60.00 of $100.00; forecast $200.00 at pilot end at the last 7 days' burn; "
        "the budget runs out on 2026-03-06"
    )
    assert s["title"] == "Cost and burn as of 2026-03-04"
    assert {r["tenant"]: r["cost_usd"] for r in s["spend_by_tenant"]} == {"t1": 40.0, "t2": 20.0}
    assert {r["tenant"]: r["share"] for r in s["chargeback"]["by_tenant"]} == pytest.approx({"t1": 2 / 3, "t2": 1 / 3})
    assert [r["cost_usd"] for r in s["spend_by_day"]] == [10.0, 20.0, 30.0]
    assert s["pricing_coverage"]["unpriced"] == 0 and s["metrics"]["cost_per_session"] == pytest.approx(20.0)
    tiles = {t["key"]: t for t in s["tiles"]}
    assert tiles["unpriced_turns"]["state"] == "ok" and tiles["spent"]["value"] == pytest.approx(60.0)
    # 3 sessions against the criterion's 100: never green, whatever the value
    assert tiles["cost_per_session"]["state"] == "low-sample" and tiles["cost_per_session"]["n"] == 3
    # $200 expected on a $100 budget, the interval's low end ($60) under it: watch, not green
    assert tiles["forecast"]["state"] == tiles["runs_out"]["state"] == "watch"
    _agree(s)


def test_unpriced_turns_past_the_coverage_line_are_red_and_the_spend_unknown():
    con = _cost_pilot(unpriced=True)
    try:
        s = clean(cost.build(con, date(2026, 3, 4), _cfg(**PILOT), tz=UTC).summary())
    finally:
        con.close()
    tiles = {t["key"]: t for t in s["tiles"]}
    # 1 of 4 turns unpriced: 25 % > at most 10 %
    assert (tiles["unpriced_turns"]["value"], tiles["unpriced_turns"]["state"]) == (1, "breach")
    assert s["data_quality"]["gates"]["turns_with_price"]["ok"] is False
    assert s["finance"]["spend_to_date_usd"] is None and tiles["spent"]["value"] is None  # unknown, never $57
    assert s["headline"].startswith("spent — of $100.00; forecast —")
    _agree(s)


def _agree(s: dict[str, Any]) -> None:
    """Every tile of a summary is in the state of the verdict it names, found in the same summary; a
    tile naming none is na; a verdict on fewer observations than its min_sample never shows green."""
    rows = {v["check"]: v for v in s["verdicts"]}
    for t in s["tiles"]:
        src = t["source"]
        if src is None:
            assert t["state"] == "na", t
            continue
        kind, _, name = src.partition(":")
        if kind == "gate":
            assert t["state"] == GATE[s["data_quality"]["gates"][name]["ok"]], t
            continue
        v = rows[src] if kind == "criterion" else rows[name]
        if v["verdict"] is None:  # data_arrived, data_fresh: no criterion behind them
            want = v["status"]
        elif v["pass"] is None:  # a criterion without a threshold judges nothing
            want = "na"
        elif v["verdict"] in COLOUR and v["status"] != "watch":  # a check worse than its target watches
            want = COLOUR[v["verdict"]]
        elif v["status"] in ("watch", "low-sample"):
            want = v["status"]
        else:  # INSUFFICIENT DATA
            want = "no-data" if v["value"] is None or not v["n"] else "low-sample"
        assert t["state"] == want, (t, v)
        if v.get("n") is not None and v.get("min_sample") and v["n"] < v["min_sample"]:
            assert t["state"] != "ok", (t, v)


@pytest.mark.parametrize("scenario", synth.SCENARIOS)
def test_every_coloured_tile_agrees_with_its_verdict_in_each_scenario(scenario):
    p = synth.generate_frames(scenario=scenario, days=4, tenants=3)
    b = budget_for(p)
    cfg = _cfg(**{"budget.total_usd": b.total_usd, "pilot.start": str(b.pilot_start), "pilot.end": str(b.pilot_end)})
    con = Warehouse.memory()
    try:
        load_frames(con, p.frames)
        pricing.refresh(con, cfg)
        last = date.fromisoformat(p.ground_truth["end"])
        c = clean(cost.build(con, last, cfg, tz=UTC).summary())
        h = clean(hourly.build(con, Window.hour(datetime(last.year, last.month, last.day, 14, tzinfo=UTC), tz=UTC), cfg,
                               tz=UTC, hours=6).summary())  # fmt: skip
    finally:
        con.close()
    for s in (c, h):
        assert s["tiles"] and {t["state"] for t in s["tiles"]} <= {"ok", "watch", "breach", "low-sample", "no-data",
                                                                     "untrusted", "na"}  # fmt: skip
        _agree(s)
    coloured = {t["key"] for t in c["tiles"] if t["source"]}
    assert coloured == {"forecast", "runs_out", "cost_per_session", "unpriced_turns"}
