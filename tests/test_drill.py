"""The debrief's drill-down: metrics of one tenant, cohort, release, model or tool, by hand on a tiny pilot,
and the drill-down's controls (day, filter by, value) drawing again without a kernel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from _tables import insert

from launchkit.analytics import drill, metrics, overview, samples
from launchkit.analytics.scope import DIMENSIONS, Scope, scope
from launchkit.errors import LaunchkitError
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

DAY = date(2026, 3, 10)


def ts(hh: int, mm: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hh, mm, tzinfo=UTC)


@pytest.fixture
def tiny() -> Iterator[Warehouse]:
    """Four sessions on 2026-03-10 (s4 is missing from the sessions table), five turns, five calls, three
    feedbacks; one session on the 9th for the baseline. The expected numbers are worked out in the tests."""
    con = Warehouse.memory()
    insert(
        con,
        "sessions",
        [
            dict(session_id="s1", tenant_id="A", started_at=ts(10), cohort="pilot", release="r1"),
            dict(session_id="s2", tenant_id="A", started_at=ts(11), cohort="wave2", release="r2"),
            dict(session_id="s3", tenant_id="B", started_at=ts(12), cohort="pilot", release=None),
            dict(session_id="s0", tenant_id="A", started_at=ts(9, day=9), cohort="pilot", release="r1"),
        ],
    )

    def turn(i: str, s: str, t: datetime, model: str | None, status: str, lat: float, cost: float) -> dict:
        return dict(turn_id=i, session_id=s, started_at=t, model=model, status=status, latency_ms=lat, cost_usd=cost)

    insert(
        con,
        "turns",
        [
            turn("t1", "s1", ts(10, 1), "m1", "ok", 100.0, 0.10),
            turn("t2", "s1", ts(10, 2), "m2", "error", 200.0, 0.20),
            turn("t3", "s2", ts(11, 1), "m1", "ok", 300.0, 0.30),
            turn("t4", "s3", ts(12, 1), "m2", "ok", 400.0, 0.40),
            turn("t5", "s4", ts(13, 1), None, "ok", 500.0, 0.50),
            turn("t0", "s0", ts(9, 1, day=9), "m1", "ok", 50.0, 0.05),
        ],
    )

    def call(i: str, s: str, t: str | None, tool: str, status: str, at: datetime) -> dict:
        return dict(call_id=i, session_id=s, turn_id=t, tool_name=tool, status=status, started_at=at)

    insert(
        con,
        "tool_calls",
        [
            call("c1", "s1", "t1", "sql", "ok", ts(10, 1)),
            call("c2", "s1", "t2", "sql", "error", ts(10, 2)),
            call("c3", "s2", "t3", "chart", "ok", ts(11, 1)),
            call("c4", "s3", "t4", "sql", "timeout", ts(12, 1)),
            call("c5", "s3", None, "chart", "ok", ts(12, 2)),
        ],
    )
    insert(
        con,
        "feedback",
        [
            dict(feedback_id="f1", session_id="s1", submitted_at=ts(10, 5), rating=5, thumbs="up"),
            dict(feedback_id="f2", session_id="s3", submitted_at=ts(12, 5), rating=2, thumbs="down"),
            dict(feedback_id="f3", session_id=None, submitted_at=ts(14), rating=4),
        ],
    )
    yield con
    con.close()


def summary(con: Warehouse, by: str | None = None, value: str | None = None) -> metrics.Metrics:
    return metrics.from_summary(metrics.summary(con, Window.day(DAY, tz=UTC), scope(by, value)))


def test_the_whole_day_is_what_launchkit_metrics_says(tiny):
    m = summary(tiny)
    assert m["active_sessions"] == 4 and m["samples"]["turns"] == 5 and m["samples"]["tool_calls"] == 5
    assert m["turn_error_rate"] == pytest.approx(1 / 5) and m["tool_call_success_rate"] == pytest.approx(3 / 5)


def test_a_tenant_keeps_its_sessions_turns_calls_and_feedback(tiny):
    a = summary(tiny, "tenant", "A")  # s1, s2: turns t1 t2 t3, calls c1 c2 c3, feedback f1
    assert a["active_sessions"] == 2 and a["new_sessions"] == 2
    assert a["samples"]["turns"] == 3 and a["turn_error_rate"] == pytest.approx(1 / 3)
    assert a["samples"]["tool_calls"] == 3 and a["tool_call_success_rate"] == pytest.approx(2 / 3)
    assert a["total_cost_usd"] == pytest.approx(0.6) and a["cost_per_session"] == pytest.approx(0.3)
    assert a["latency_ms"]["p50"] == pytest.approx(200.0)  # ok turns t1 (100) and t3 (300)
    assert a["feedback"]["responses"] == 1 and a["feedback"]["csat"] == 1.0
    b = summary(tiny, "tenant", "B")  # s3: t4, c4 (timeout) c5 (ok), f2
    assert (b["active_sessions"], b["samples"]["turns"], b["turn_error_rate"]) == (1, 1, 0.0)
    assert b["tool_call_success_rate"] == pytest.approx(1 / 2) and b["feedback"]["csat"] == 0.0


def test_sessions_missing_from_the_sessions_table_are_unknown_as_in_the_breakdown(tiny):
    u = summary(tiny, "tenant", "(unknown)")  # s4: one turn, no call
    assert (u["active_sessions"], u["samples"]["turns"], u["samples"]["tool_calls"]) == (1, 1, 0)
    assert u["tool_call_success_rate"] is None  # no calls: no rate, never 0
    assert u["total_cost_usd"] == pytest.approx(0.5)
    r = summary(tiny, "release", "(unknown)")  # s3 has no release, s4 no session row
    assert r["active_sessions"] == 2 and r["samples"]["turns"] == 2


def test_a_cohort(tiny):
    p = summary(tiny, "cohort", "pilot")  # s1, s3: t1 t2 t4; c1 c2 c4 c5
    assert p["active_sessions"] == 2 and p["turn_error_rate"] == pytest.approx(1 / 3)
    assert p["tool_call_success_rate"] == pytest.approx(2 / 4)


def test_a_model_keeps_its_turns_the_calls_they_made_and_their_sessions(tiny):
    m1 = summary(tiny, "model", "m1")  # t1 (s1), t3 (s2); calls c1, c3
    assert m1["active_sessions"] == 2 and m1["samples"]["turns"] == 2 and m1["turn_error_rate"] == 0.0
    assert m1["samples"]["tool_calls"] == 2 and m1["tool_call_success_rate"] == 1.0
    assert m1["total_cost_usd"] == pytest.approx(0.4) and m1["feedback"]["responses"] == 1  # f1 of s1
    m2 = summary(tiny, "model", "m2")  # t2 (error, s1), t4 (s3); calls c2 (error), c4 (timeout)
    assert m2["turn_error_rate"] == pytest.approx(0.5) and m2["tool_call_success_rate"] == 0.0
    assert m2["active_sessions"] == 2 and m2["total_cost_usd"] == pytest.approx(0.6)


def test_a_tool_keeps_its_calls_the_turns_that_made_them_and_their_sessions(tiny):
    sql = summary(tiny, "tool", "sql")  # c1 ok, c2 error, c4 timeout; turns t1 t2 t4; sessions s1 s3
    assert sql["samples"]["tool_calls"] == 3 and sql["tool_call_success_rate"] == pytest.approx(1 / 3)
    assert sql["samples"]["turns"] == 3 and sql["turn_error_rate"] == pytest.approx(1 / 3)
    assert sql["active_sessions"] == 2 and sql["cost_per_session"] == pytest.approx(0.7 / 2)
    chart = summary(tiny, "tool", "chart")  # c3 (t3, s2), c5 (no turn, s3)
    assert chart["tool_call_success_rate"] == 1.0 and chart["samples"]["turns"] == 1
    assert chart["active_sessions"] == 2 and chart["total_cost_usd"] == pytest.approx(0.3)


def test_session_dimensions_partition_the_day_like_the_breakdown(tiny):
    w = Window.day(DAY, tz=UTC)
    for by in ("tenant", "cohort", "release"):
        bd = metrics.breakdown(tiny, w, by)
        for value, active, turns in zip(bd[by], bd["active_sessions"], bd["turns"]):
            s = metrics.summary(tiny, w, Scope(by, value))
            assert (s["active_sessions"], s["turns"]) == (active, turns), (by, value)
        assert bd["active_sessions"].sum() == 4


def test_the_value_is_bound_and_the_dimension_comes_from_a_fixed_list(tiny):
    hostile = summary(tiny, "tenant", "A' OR '1'='1")
    assert hostile["active_sessions"] == 0 and hostile["samples"]["turns"] == 0
    with pytest.raises(LaunchkitError, match="cannot drill down by"):
        Scope("tenant_id; DROP TABLE turns", "A")
    assert scope("tenant", None) is None and scope(None, "A") is None
    assert set(DIMENSIONS) == {"tenant", "cohort", "release", "model", "tool"}


def test_the_scoped_series_latency_and_costs_follow_the_scope(tiny):
    a = Scope("tenant", "A")
    ts_a = metrics.timeseries(tiny, date(2026, 3, 9), DAY, grain="day", scope=a, tz=UTC)
    assert list(ts_a["active_sessions"]) == [1, 2]  # s0 on the 9th; s1, s2 on the 10th
    lat, _ = samples.order_stats(tiny, "latency_ms", Window.day(DAY, tz=UTC), [1, 2, 3], scope=a)
    assert lat == {1: 100.0, 2: 300.0}  # two ok turns with a latency: no third
    costs, _ = samples.order_stats(tiny, "cost_per_session", Window.day(DAY, tz=UTC), [1, 2, 3], scope=a)
    assert costs == pytest.approx({1: 0.3, 2: 0.3})


def test_drill_compares_the_scope_with_its_baseline(tiny, config):
    # the 9th as a fixed reference (the default one leaves yesterday out: it is pooled with the day)
    fixed = config.with_overrides(
        **{"decision.baseline": "fixed", "decision.baseline_from": "2026-03-09", "decision.baseline_to": "2026-03-09"}
    )
    r = drill.drill(tiny, DAY, fixed, Scope("tenant", "A"))
    by = {c["metric"]: c for c in r.comparisons}
    assert by["tool_call_success_rate"]["n_day"] == 3 and by["turn_error_rate"]["n_day"] == 3
    assert by["turn_error_rate"]["n_baseline"] == 1  # t0 of s0 on the 9th
    assert r.baseline["mode"] == "fixed" and r.baseline["first_day"] == "2026-03-09"
    assert r.metrics["active_sessions"] == 2 and list(r.daily["active_sessions"].iloc[-2:]) == [1, 2]
    whole = drill.drill(tiny, DAY, config)
    cli = overview.compute(tiny, Window.day(DAY, tz=UTC), config)["metrics"]  # what `launchkit metrics --json` prints
    assert whole.metrics == {k: v for k, v in cli.items() if k not in ("incidents", "untrusted")}
    assert drill.choices(tiny, DAY, tz=UTC)["tool"] == [("sql", 2), ("chart", 2)]  # most calls first
    assert drill.choices(tiny, DAY, tz=UTC)["tenant"] == [("A", 2), ("(unknown)", 1), ("B", 1)]


def test_the_controls_draw_again_when_a_value_changes(tiny, config):
    from launchkit.reports.page.drilldown import DrillDown, interactive

    dd = DrillDown(SimpleNamespace(db=tiny, config=config), DAY)
    assert dd.headline()["active_sessions"] == 4 and len(dd.output.outputs) == 6  # note, tiles, table, 3 charts
    dd.by.value = "tenant"
    assert dd.value.value == "A" and dd.headline()["active_sessions"] == 2  # the busiest tenant first
    dd.value.value = "B"
    assert dd.headline()["active_sessions"] == 1
    dd.day.value = date(2026, 3, 9)  # B had nothing that day: kept, and said so
    assert dd.value.value == "B" and dd.headline()["active_sessions"] == 0
    assert any("no activity this day" in label for label, _ in dd.value.options)
    dd.by.value = "tool"
    assert dd.value.value is None and dd.scope is None  # no call on the 9th: nothing to drill into
    dd.day.value = DAY
    dd.by.value = ""
    assert dd.value.disabled and dd.headline()["active_sessions"] == 4
    html = "".join(o["data"].get("text/html", "") for o in dd.output.outputs)
    assert "Tuesday 2026-03-10" in html and "the whole pilot" in html
    assert interactive(None) and not interactive('{"warehouse": {}}') and not interactive(None, False)
