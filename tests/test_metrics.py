"""Metrics: a hand-computed hour (exact expected numbers), a pandas oracle on a synthetic pilot,
breakdowns, the time series with NULL buckets, the SQL files' headers and their Spark translation."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
import sqlglot
from _tables import insert, load_frames

from launchkit.analytics import metrics, overview
from launchkit.config import load_config
from launchkit.errors import LaunchkitError, QueryError
from launchkit.store import queries
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window, parse_instant

UTC = UTC
OWNED_QUERY_DIRS = ("metrics", "quality", "finance", "incidents", "decision")


def ts(hh: int, mm: int = 0, ss: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hh, mm, ss, tzinfo=UTC)


def tiny_pilot():
    """The hand-computed dataset; expected values for the 10:00-11:00 hour are worked out in the tests."""
    con = Warehouse.memory()
    insert(
        con,
        "sessions",
        [
            dict(session_id="s1", tenant_id="A", started_at=ts(9, 50), cohort="pilot", release="r1"),
            dict(session_id="s2", tenant_id="A", started_at=ts(10, 5), cohort="pilot", release="r1"),
            dict(session_id="s3", tenant_id="B", started_at=ts(10, 30), cohort="beta", release="r2"),
            dict(session_id="s4", tenant_id="B", started_at=ts(11, 10), cohort="beta", release="r2"),
            dict(session_id="s5", tenant_id="C", started_at=ts(10, 40), cohort="pilot", release="r2"),
        ],
    )
    T = lambda i, s, t, st, model, lat, ttft, inp, out, cost: dict(  # noqa: E731
        turn_id=i,
        session_id=s,
        started_at=t,
        status=st,
        model=model,
        latency_ms=lat,
        ttft_ms=ttft,
        input_tokens=inp,
        output_tokens=out,
        cost_usd=cost,
    )
    insert(
        con,
        "turns",
        [
            T("t1", "s1", ts(10, 0), "ok", "m1", 1000.0, 100.0, 100, 10, 0.10),
            T("t2", "s1", ts(10, 10), "error", "m1", 3000.0, None, 200, 0, 0.20),
            T("t3", "s2", ts(10, 15), "ok", "m2", 2000.0, 200.0, None, None, None),
            T("t4", "s2", ts(10, 20), "ok", "m2", 4000.0, 300.0, 50, 5, 0.30),
            T("t5", "s3", ts(10, 45), "ok", "m1", None, None, 10, 1, 0.40),
            T("t6", "s4", ts(11, 15), "ok", "m1", 700.0, 70.0, 1, 1, 0.07),
            T("t7", "s1", ts(9, 59, 59), "ok", "m1", 500.0, 50.0, 1, 1, 0.05),
        ],
    )
    C = lambda i, s, tool, t, st: dict(  # noqa: E731
        call_id=i,
        session_id=s,
        tool_name=tool,
        started_at=t,
        status=st,
        duration_ms=100.0,
    )
    insert(
        con,
        "tool_calls",
        [
            C("c1", "s1", "sql", ts(10, 1), "ok"),
            C("c2", "s2", "sql", ts(10, 16), "error"),
            C("c3", "s9", "chart", ts(10, 46), "timeout"),
            C("c4", "s3", "chart", ts(10, 47), "ok"),
            C("c5", "s9", "sql", ts(10, 50), "ok"),
            C("c6", "s2", "sql", ts(11, 0), "ok"),
        ],
    )
    insert(
        con,
        "feedback",
        [
            dict(feedback_id="f1", session_id="s1", submitted_at=ts(10, 30), rating=5, thumbs="up"),
            dict(feedback_id="f2", session_id="s2", submitted_at=ts(10, 35), rating=3, thumbs="down"),
            dict(feedback_id="f3", session_id=None, submitted_at=ts(10, 40), rating=4, thumbs=None),
            dict(feedback_id="f4", session_id="s3", submitted_at=ts(10, 50), rating=None, thumbs="up"),
            dict(feedback_id="f5", session_id="s1", submitted_at=ts(11, 30), rating=1, thumbs="down"),
        ],
    )
    insert(
        con,
        "incidents",
        [
            dict(
                incident_id="i1", severity="SEV1", opened_at=ts(9), resolved_at=ts(10, 30), postmortem_at=ts(9, day=3)
            ),
            dict(incident_id="i2", severity="SEV2", opened_at=ts(10, 15)),
            dict(incident_id="i3", severity="SEV3", opened_at=ts(8), resolved_at=ts(10, 45)),
            dict(incident_id="i4", severity="SEV2", opened_at=ts(9, day=1), resolved_at=ts(12, day=1)),
        ],
    )
    return con


@pytest.fixture(scope="module")
def tiny():
    con = tiny_pilot()
    yield con
    con.close()


@pytest.fixture(scope="module")
def cfg():
    return load_config(env={})


HOUR = Window.hour(datetime.fromisoformat("2026-03-02T10:00Z"), tz=UTC)


def test_window_constructors():
    assert Window.hour(datetime.fromisoformat("2026-03-02T10:37Z"), tz=UTC) == Window(ts(10), ts(11))
    assert Window.hour(datetime(2026, 3, 2, 10, 5), tz=UTC) == Window(ts(10), ts(11))  # naive = UTC
    assert Window.day(date(2026, 3, 2), tz=UTC) == Window(ts(0), ts(0, day=3))
    assert Window.range(date(2026, 3, 2), date(2026, 3, 3), tz=UTC) == Window(ts(0), ts(0, day=4))  # dates inclusive
    assert Window.range(ts(10), ts(12), tz=UTC) == Window(ts(10), ts(12))  # datetimes half-open
    assert Window.days_ending(date(2026, 3, 8), 7, tz=UTC) == Window(ts(0), ts(0, day=9))
    with pytest.raises(LaunchkitError):
        Window(ts(11), ts(10))
    with pytest.raises(LaunchkitError):
        parse_instant("yesterday", "--hour", UTC)


def test_hand_computed_hour(tiny, cfg):
    out = overview.compute(tiny, HOUR, cfg)
    json.dumps(out, allow_nan=False)  # strict JSON
    assert out["window"] == {"start": "2026-03-02T10:00:00Z", "end": "2026-03-02T11:00:00Z"}
    mt = out["metrics"]
    # active: s1, s2, s3 (turns), s9 (tool calls only), s5 (start only); s4 is after the hour
    assert mt["active_sessions"] == 5
    assert mt["new_sessions"] == 3  # s2, s3, s5
    assert mt["tool_call_success_rate"] == pytest.approx(3 / 5)  # c1, c4, c5 ok; c2 error, c3 timeout
    assert mt["turn_error_rate"] == pytest.approx(1 / 5)  # t2
    # ok turns with latency: 1000, 2000, 4000 -> linear interpolation
    assert mt["latency_ms"] == pytest.approx({"p50": 2000.0, "p90": 3600.0, "p95": 3800.0, "p99": 3960.0})
    assert mt["ttft_ms"] == pytest.approx({"p50": 200.0, "p90": 280.0, "p95": 290.0, "p99": 298.0})
    assert mt["total_cost_usd"] == pytest.approx(1.00)  # t3 unpriced
    assert mt["cost_per_session"] == pytest.approx(1.00 / 5)
    assert mt["successful_sessions"] == 1  # only s3: s1 had an error turn, s2 a failed call
    assert mt["cost_per_successful_session"] == pytest.approx(1.00)
    assert mt["tokens"] == {"input": 360, "output": 16}
    fb = mt["feedback"]
    assert fb["responses"] == 4
    assert fb["mean_rating"] == pytest.approx(4.0)
    assert fb["csat"] == pytest.approx(2 / 3)
    assert fb["thumbs_up_rate"] == pytest.approx(2 / 3)
    assert fb["response_rate"] == pytest.approx(3 / 5)  # s1, s2, s3 of 5 active
    assert mt["samples"]["tool_calls"] == 5 and mt["samples"]["turns"] == 5
    assert mt["samples"]["latency_ms"] == 3 and mt["samples"]["ratings"] == 3
    assert mt["coverage"]["cost"] == pytest.approx(4 / 5)
    assert mt["coverage"]["latency_ms"] == pytest.approx(3 / 4)
    assert mt["untrusted"] == {
        "tool_call_success_rate": ["tool_calls_with_session"],
        "latency_ms": ["ok_turns_with_latency"],
        "ttft_ms": ["ok_turns_with_latency"],
        "total_cost_usd": ["turns_with_price"],
        "cost_per_session": ["turns_with_price"],
        "feedback": ["feedback_with_session"],
    }


def test_hand_computed_incidents(tiny):
    inc = metrics.incidents(tiny, HOUR)
    assert inc["open_by_severity"] == {"SEV1": 0, "SEV2": 1, "SEV3": 0, "SEV4": 0}
    assert inc["opened"] == 1 and inc["resolved"] == 2
    assert inc["mean_hours_to_resolve"] == pytest.approx((1.5 + 2.75) / 2)
    assert inc["median_hours_to_resolve"] == pytest.approx((1.5 + 2.75) / 2)
    # i1 written 22.5 h after resolving; i3 resolved 15 min before the end: not due yet
    assert inc["postmortems_due"] == 1 and inc["postmortems_on_time"] == 1
    assert inc["postmortem_24h_rate"] == 1.0
    assert inc["open_major"] == 1 and inc["major_postmortems_late"] == 0
    later = metrics.incidents(tiny, Window(ts(10), ts(12, day=3)))  # i3 now overdue
    assert later["postmortems_due"] == 2 and later["postmortems_on_time"] == 1
    assert later["postmortem_24h_rate"] == 0.5


def test_empty_window_is_null_not_zero(tiny, cfg):
    out = overview.compute(
        tiny, Window.hour(datetime.fromisoformat("2026-03-05T03:00Z"), tz=UTC), cfg, include_finance=False
    )
    json.dumps(out, allow_nan=False)
    mt = out["metrics"]
    assert mt["active_sessions"] == 0
    for key in (
        "tool_call_success_rate",
        "turn_error_rate",
        "total_cost_usd",
        "cost_per_session",
        "cost_per_successful_session",
    ):
        assert mt[key] is None, key
    assert mt["latency_ms"] == {"p50": None, "p90": None, "p95": None, "p99": None}
    assert mt["feedback"]["csat"] is None and mt["feedback"]["responses"] == 0


def test_breakdown_by_tenant(tiny):
    df = metrics.breakdown(tiny, HOUR, "tenant").set_index("tenant")
    assert set(df.index) == {"A", "B", "C", "(unknown)"}
    a = df.loc["A"]
    assert a.active_sessions == 2 and a.new_sessions == 1 and a.turns == 4
    assert a.turn_error_rate == pytest.approx(0.25)
    assert a.tool_call_success_rate == pytest.approx(0.5)
    assert a.total_cost_usd == pytest.approx(0.6) and a.cost_per_session == pytest.approx(0.3)
    assert a.latency_p50 == pytest.approx(2000.0)
    assert df.loc["B"].tool_call_success_rate == pytest.approx(1.0)
    c = df.loc["C"]  # a session start only: rates have no data
    assert c.active_sessions == 1 and c.turns == 0
    assert pd.isna(c.tool_call_success_rate) and pd.isna(c.total_cost_usd)
    assert df.loc["(unknown)"].tool_call_success_rate == pytest.approx(0.5)  # s9: c3 timeout, c5 ok


def test_breakdown_by_cohort_release_model_tool(tiny):
    cohort = metrics.breakdown(tiny, HOUR, "cohort").set_index("cohort")
    assert cohort.loc["pilot"].active_sessions == 3 and cohort.loc["beta"].active_sessions == 1
    release = metrics.breakdown(tiny, HOUR, "release").set_index("release")
    assert release.loc["r1"].turns == 4 and release.loc["r2"].active_sessions == 2
    model = metrics.breakdown(tiny, HOUR, "model").set_index("model")
    assert model.loc["m1"].turns == 3 and model.loc["m1"].turn_error_rate == pytest.approx(1 / 3)
    assert model.loc["m1"].total_cost_usd == pytest.approx(0.7) and model.loc["m1"].active_sessions == 2
    assert model.loc["m2"].latency_p50 == pytest.approx(3000.0)
    tool = metrics.breakdown(tiny, HOUR, "tool").set_index("tool")
    assert tool.loc["sql"].tool_calls == 3 and tool.loc["sql"].tool_call_success_rate == pytest.approx(2 / 3)
    assert tool.loc["chart"].timeouts == 1 and tool.loc["chart"].tool_call_success_rate == pytest.approx(0.5)


def test_breakdown_refuses_unknown_dimension(tiny):
    with pytest.raises(QueryError):
        metrics.breakdown(tiny, HOUR, "user_id; DROP TABLE turns")


def test_timeseries_hourly_with_null_buckets(tiny):
    df = metrics.timeseries(tiny, ts(8), ts(12), grain="hour", tz=UTC)
    assert list(df["bucket"].dt.hour) == [8, 9, 10, 11]
    empty = df.iloc[0]
    for col in (
        "active_sessions",
        "tool_call_success_rate",
        "turn_error_rate",
        "cost_per_session",
        "latency_p50",
        "latency_p95",
        "ttft_p95",
        "total_cost_usd",
    ):
        assert pd.isna(empty[col]), col  # no data is NULL, never 0
    h10 = df.iloc[2]
    assert h10.active_sessions == 5 and h10.tool_call_success_rate == pytest.approx(0.6)
    assert h10.latency_p95 == pytest.approx(3800.0) and h10.cost_per_session == pytest.approx(0.2)
    h11 = df.iloc[3]  # s4 (turn, start) and s2 (c6 at 11:00:00 exactly)
    assert h11.active_sessions == 2 and h11.total_cost_usd == pytest.approx(0.07)
    assert h11.cost_per_session == pytest.approx(0.035)
    assert df.iloc[1].active_sessions == 1  # s1 started 09:50, t7 at 09:59:59


def test_timeseries_daily(tiny):
    df = metrics.timeseries(tiny, date(2026, 3, 1), date(2026, 3, 3), grain="day", tz=UTC)
    assert len(df) == 3
    assert pd.isna(df.iloc[0].active_sessions) and pd.isna(df.iloc[2].active_sessions)
    d = df.iloc[1]
    assert d.active_sessions == 6  # s1..s5 and s9
    assert d.total_cost_usd == pytest.approx(1.12)
    with pytest.raises(LaunchkitError):
        metrics.timeseries(tiny, ts(8), ts(9), grain="week", tz=UTC)


# ---------------------------------------------------------------------------------------------
# pandas oracle on a synthetic pilot


@pytest.fixture(scope="module")
def synthetic():
    from launchkit import synth

    pilot = synth.generate_frames(days=4, tenants=4, seed=11, sessions_per_hour=30)
    con = Warehouse.memory()
    load_frames(con, pilot.frames)
    yield con, pilot.frames
    con.close()


def oracle(con, frames: dict[str, pd.DataFrame], w: Window) -> dict:
    """The headline metrics computed with pandas/numpy straight from the frames."""
    lo, hi = pd.Timestamp(w.start), pd.Timestamp(w.end)
    inw = lambda s: (s >= lo) & (s < hi)  # noqa: E731
    s, t, c, f = frames["sessions"], frames["turns"], frames["tool_calls"], frames["feedback"]
    priced = con.execute("SELECT turn_id, cost_usd AS priced FROM turns_priced").df()
    t = t.merge(priced, on="turn_id", how="left")
    tw, cw, fw = t[inw(t.started_at)], c[inw(c.started_at)], f[inw(f.submitted_at)]
    active = set(tw.session_id) | set(cw.session_id) | set(s[inw(s.started_at)].session_id)
    ok = tw[tw.status == "ok"]
    lat = ok.latency_ms.dropna().to_numpy()
    failed = set(tw[tw.status != "ok"].session_id) | set(cw[cw.status != "ok"].session_id)
    successful = set(ok.session_id) - failed
    total = tw.priced.sum(min_count=1)
    ratings = fw.rating.dropna().to_numpy(dtype=float)
    thumbs = fw.thumbs.dropna()
    return {
        "active_sessions": len(active),
        "new_sessions": int(inw(s.started_at).sum()),
        "tool_call_success_rate": (cw.status == "ok").mean() if len(cw) else None,
        "turn_error_rate": (tw.status == "error").mean() if len(tw) else None,
        "latency_p95": float(np.quantile(lat, 0.95)) if len(lat) else None,
        "latency_p50": float(np.quantile(lat, 0.5)) if len(lat) else None,
        "ttft_p99": float(np.quantile(ok.ttft_ms.dropna(), 0.99)) if len(ok) else None,
        "total_cost_usd": None if pd.isna(total) else float(total),
        "cost_per_session": None if pd.isna(total) or not active else float(total) / len(active),
        "cost_per_successful_session": None if pd.isna(total) or not successful else float(total) / len(successful),
        "input_tokens": int(tw.input_tokens.sum()),
        "responses": len(fw),
        "mean_rating": float(ratings.mean()) if len(ratings) else None,
        "csat": float((ratings >= 4).mean()) if len(ratings) else None,
        "thumbs_up_rate": float((thumbs == "up").mean()) if len(thumbs) else None,
    }


@pytest.mark.parametrize(
    "w",
    [
        Window.day(date(2026, 3, 3), tz=UTC),
        Window.hour(datetime.fromisoformat("2026-03-04T14:00Z"), tz=UTC),
        Window.range(date(2026, 3, 2), date(2026, 3, 5), tz=UTC),
    ],
)
def test_matches_pandas_oracle(synthetic, cfg, w):
    con, frames = synthetic
    want = oracle(con, frames, w)
    got = overview.compute(con, w, cfg, include_finance=False)["metrics"]
    flat = {
        **got,
        "latency_p95": got["latency_ms"]["p95"],
        "latency_p50": got["latency_ms"]["p50"],
        "ttft_p99": got["ttft_ms"]["p99"],
        "input_tokens": got["tokens"]["input"],
        "responses": got["feedback"]["responses"],
        "mean_rating": got["feedback"]["mean_rating"],
        "csat": got["feedback"]["csat"],
        "thumbs_up_rate": got["feedback"]["thumbs_up_rate"],
    }
    assert want["active_sessions"] > 0
    for key, value in want.items():
        if value is None:
            assert flat[key] is None, key
        else:
            assert flat[key] == pytest.approx(value, rel=1e-9), key


def test_breakdown_matches_oracle(synthetic):
    con, frames = synthetic
    w = Window.day(date(2026, 3, 3), tz=UTC)
    lo, hi = pd.Timestamp(w.start), pd.Timestamp(w.end)
    c = frames["tool_calls"]
    cw = c[(c.started_at >= lo) & (c.started_at < hi)]
    want = cw.groupby("tool_name").status.apply(lambda s: (s == "ok").mean())
    got = metrics.breakdown(con, w, "tool").set_index("tool").tool_call_success_rate
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)
    t = frames["turns"]
    tw = t[(t.started_at >= lo) & (t.started_at < hi) & (t.status == "ok")]
    want_p95 = tw.groupby("model").latency_ms.quantile(0.95)
    got_p95 = metrics.breakdown(con, w, "model").set_index("model").latency_p95
    pd.testing.assert_series_equal(got_p95.sort_index(), want_p95.sort_index(), check_names=False)


def test_timeseries_matches_oracle(synthetic):
    con, frames = synthetic
    df = metrics.timeseries(con, date(2026, 3, 2), date(2026, 3, 5), grain="day", tz=UTC)
    t = frames["turns"]
    want = t.groupby(t.started_at.dt.floor("D")).apply(lambda g: (g.status == "error").mean())
    got = df.set_index("bucket").turn_error_rate
    assert got.to_numpy() == pytest.approx(want.reindex(got.index).to_numpy())


# ---------------------------------------------------------------------------------------------
# the SQL files


def owned_queries() -> list[str]:
    return [n for n in queries.names() if n.split("/")[0] in OWNED_QUERY_DIRS and "reconciliation" not in n]


@pytest.mark.parametrize("name", owned_queries())
def test_query_file_has_header_and_translates_to_spark(name):
    q = queries.load_query(name)  # fragments inserted: the statement another engine would run
    body = q.sql.replace("{column}", '"tenant_id"')
    statements = [s for s in sqlglot.parse(body, read="duckdb") if s is not None]
    assert len(statements) == 1, f"{name} must hold one statement"
    spark = sqlglot.transpile(body, read="duckdb", write="spark")
    assert len(spark) == 1 and spark[0].strip()
