"""Low traffic says so (issue 21 item 3): a day whose data are complete but thin is INSUFFICIENT DATA with
what is still needed, never UNTRUSTED DATA and never a regression on a handful of ratings; a day with a
real gap is still UNTRUSTED DATA. Hand-made pilots, weekdays 2-11 March 2026, traffic 09:00-17:59 UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

from _tables import insert

from launchkit.analytics import decision
from launchkit.analytics.criteria import INSUFFICIENT, UNTRUSTED
from launchkit.config import load_config
from launchkit.store.warehouse import Warehouse

DAY = date(2026, 3, 11)  # a Wednesday; the weekdays before it are 2-6 and 9-10 March


def pilot(per_hour: int, turns_each: int, missing_on_day: range = range(0)) -> Warehouse:
    """per_hour sessions each business hour of every weekday, each with `turns_each` ok turns and tool calls
    and a 5-star thumbs-up; on DAY the first three sessions rate 1 star, thumbs down, and the hours in
    `missing_on_day` have no data at all."""
    sessions, turns, calls, feedback = [], [], [], []
    for d in (2, 3, 4, 5, 6, 9, 10, 11):
        for hour in range(9, 18):
            if d == DAY.day and hour in missing_on_day:
                continue
            for k in range(per_hour):
                sid = f"d{d}h{hour}k{k}"
                at = datetime(2026, 3, d, hour, 2 * k, tzinfo=UTC)
                sessions.append(dict(session_id=sid, tenant_id="A", started_at=at))
                for j in range(turns_each):
                    t_at = at.replace(second=10 * j + 1)
                    turns.append(dict(turn_id=f"{sid}t{j}", session_id=sid, started_at=t_at, status="ok",
                                      model="m", latency_ms=900.0 + k + j, ttft_ms=100.0, input_tokens=100,
                                      output_tokens=10, cost_usd=0.01))  # fmt: skip
                    calls.append(dict(call_id=f"{sid}c{j}", session_id=sid, tool_name="sql", started_at=t_at,
                                      status="ok", duration_ms=100.0))  # fmt: skip
                bad = d == DAY.day and hour == 9 and k < 3
                feedback.append(dict(feedback_id=f"{sid}f", session_id=sid, submitted_at=at.replace(minute=59),
                                     rating=1 if bad else 5, thumbs="down" if bad else "up"))  # fmt: skip
    con = Warehouse.memory()
    for table, rows in (("sessions", sessions), ("turns", turns), ("tool_calls", calls), ("feedback", feedback)):
        insert(con, table, rows)
    return con


def test_a_thin_complete_day_is_insufficient_data_with_what_is_needed():
    """2 sessions an hour, 18 a day, one turn and tool call each: below every minimum sample. Nothing is
    expected of any hour (2 < decision.gap_min_expected 5), so no quality gate fails; three 1-star
    ratings of the day's 18 are no regression."""
    dec = decision.decide(pilot(per_hour=2, turns_each=1), DAY, load_config(env={}), store=False)
    assert dec.recommendation == decision.HOLD
    assert dec.data_quality["failed"] == [] and dec.data_quality["gates"]["hours_with_data"]["denominator"] == 0
    for r in dec.reasons:
        assert r["code"] in ("data", "criterion"), r
        assert r["code"] == "data" or r["verdict"] == INSUFFICIENT, r
        assert UNTRUSTED not in r["message"] and "regressed" not in r["message"], r
    assert {c["metric"]: c["status"] for c in dec.comparisons}["csat"] == "insufficient data"  # 18 < 30 ratings
    tool = next(n for n in dec.data_needed if n["metric"] == "tool_call_success_rate" and "have" in n)
    assert (tool["have"], tool["need"], tool["more"], tool["days_to_pool"]) == (18, 100, 82, 6)  # ceil(100 / 18)
    # the 7 days to DAY hold 5 weekdays of 18 tool calls: 90 of the criterion's min_sample 500
    crit = next(n for n in dec.data_needed if n.get("criterion") == "tool_success")
    assert (crit["n"], crit["need"], crit["more"]) == (90, 500, 410)
    assert {r["metric"] for r in dec.reasons if r["code"] == "data"} >= {"tool_call_success_rate", "turn_error_rate"}


def test_a_day_with_a_real_gap_is_untrusted_data():
    """15 sessions an hour (expected: 15 >= 5), 3 turns each; DAY loses 12:00-17:59: 3 of its 9 expected
    hours have data, so hours_with_data is 3/9 and the comparisons on DAY (135 turns and tool calls, above
    their minimum of 100) are UNTRUSTED DATA, not INSUFFICIENT DATA."""
    dec = decision.decide(pilot(per_hour=15, turns_each=3, missing_on_day=range(12, 18)), DAY, load_config(env={}),
                          store=False)  # fmt: skip
    gate = dec.data_quality["gates"]["hours_with_data"]
    assert (gate["numerator"], gate["denominator"], gate["ok"]) == (3, 9, False)
    assert dec.recommendation == decision.HOLD
    status = {c["metric"]: c["status"] for c in dec.comparisons}
    assert status["tool_call_success_rate"] == status["turn_error_rate"] == "untrusted data"
    untrusted = {r["metric"] for r in dec.reasons if r["code"] == "data_quality"}
    assert {"tool_call_success_rate", "turn_error_rate"} <= untrusted
    assert all("UNTRUSTED DATA" in r["message"] for r in dec.reasons if r["code"] == "data_quality")
