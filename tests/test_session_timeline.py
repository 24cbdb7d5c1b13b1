"""A comment or a failed tool call opens its session's timeline: the events of a hand-made session in time
order, the failed calls of a window, and the drill-down's picker built from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from _tables import insert

from launchkit.analytics import records
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

T0 = datetime(2026, 3, 10, 9, tzinfo=UTC)


@pytest.fixture()
def db():
    """Session s1 (tenant t1): turn 1 ok at +1 min calling sql (ok) then chart (error, timeout); turn 2 fails at
    +5 min (rate_limited); feedback at +9 min, thumbs down with an e-mail address in its comment. Session s2
    (tenant t2) at +2 min: one tool call timed out. A call of s1 the day after, failed."""
    con = Warehouse.memory()
    insert(con, "sessions", [
        {"session_id": "s1", "tenant_id": "t1", "user_id": "u1", "started_at": T0, "cohort": "pilot", "release": "r7"},
        {"session_id": "s2", "tenant_id": "t2", "user_id": "u2", "started_at": T0 + timedelta(minutes=2)},
    ])  # fmt: skip
    insert(con, "turns", [
        {"turn_id": "a1", "session_id": "s1", "started_at": T0 + timedelta(minutes=1), "model": "gpt-4o",
         "status": "ok", "latency_ms": 2400.0, "input_tokens": 100, "output_tokens": 20, "cost_usd": 0.01},
        {"turn_id": "a2", "session_id": "s1", "started_at": T0 + timedelta(minutes=5), "model": "gpt-4o",
         "status": "error", "latency_ms": 300.0, "error_type": "rate_limited", "input_tokens": 90, "output_tokens": 0},
    ])  # fmt: skip
    insert(con, "tool_calls", [
        {"call_id": "c1", "session_id": "s1", "turn_id": "a1", "tool_name": "sql",
         "started_at": T0 + timedelta(minutes=1, seconds=10), "duration_ms": 800.0, "status": "ok"},
        {"call_id": "c2", "session_id": "s1", "turn_id": "a1", "tool_name": "chart",
         "started_at": T0 + timedelta(minutes=1, seconds=20), "duration_ms": 30000.0, "status": "error",
         "error_type": "timeout"},
        {"call_id": "c3", "session_id": "s2", "tool_name": "sql", "started_at": T0 + timedelta(minutes=3),
         "status": "timeout"},
        {"call_id": "c4", "session_id": "s1", "tool_name": "sql", "started_at": T0 + timedelta(days=1),
         "status": "error"},
    ])  # fmt: skip
    insert(con, "feedback", [
        {"feedback_id": "f1", "session_id": "s1", "submitted_at": T0 + timedelta(minutes=9), "thumbs": "down",
         "comment": "chart never loads, mail me at ana@example.com"},
    ])  # fmt: skip
    yield con
    con.close()


def test_the_timeline_lists_every_event_of_the_session_in_time_order(db):
    tl = records.session_timeline(db, "s1")
    assert list(zip(tl["kind"], tl["name"], tl["status"].fillna("-"), strict=True)) == [
        ("session", "t1", "-"),
        ("turn", "gpt-4o", "ok"),
        ("tool call", "sql", "ok"),
        ("tool call", "chart", "error"),
        ("turn", "gpt-4o", "error"),
        ("feedback", "thumbs down", "-"),
        ("tool call", "sql", "error"),  # the day after: the whole session, not one day of it
    ]
    assert tl["detail"].iloc[0] == "user u1, cohort pilot, release r7"
    assert tl["error_type"].tolist()[3:5] == ["timeout", "rate_limited"]
    assert tl["tokens"].tolist()[1] == 120 and tl["duration_ms"].tolist()[3] == 30000.0
    assert tl["detail"].iloc[5] == "chart never loads, mail me at [email]"
    assert records.session_timeline(db, "s1", redact=False)["detail"].iloc[5].endswith("ana@example.com")
    assert records.session_timeline(db, "nope").empty


def test_failed_calls_are_those_not_ok_in_the_window(db):
    day = Window(T0.replace(hour=0), T0.replace(hour=0) + timedelta(days=1))
    failed = records.failed_calls(db, day)
    # c2 failed, c3 timed out (not ok, as the success rate counts it); c1 ok; c4 the day after
    assert failed["call_id"].tolist() == ["c2", "c3"]
    assert failed["tenant_id"].tolist() == ["t1", "t2"]


def test_a_comment_or_a_failed_call_opens_its_session(db):
    from types import SimpleNamespace

    from launchkit.config import load_config
    from launchkit.reports.page.sessions import SessionBrowser, browser

    ctx = SimpleNamespace(db=db, config=load_config(None))
    sb = SessionBrowser(ctx, T0.date(), redact=True)
    labels = [label for label, _ in sb.choices]
    # the day's one comment, then its two failed calls (c4 is the day after)
    assert [sid for _, sid in sb.choices] == ["s1", "s1", "s2"]
    assert labels[0].startswith("comment 2026-03-10 09:09") and "[email]" in labels[0]
    assert labels[1].endswith("t1: chart (error, timeout)") and labels[2].endswith("t2: sql (timeout)")
    assert sb.timeline is None and not sb.output.outputs
    sb.pick.value = 2  # the failed call of s2: s2's timeline
    assert sb.timeline is not None and sb.timeline["kind"].tolist() == ["session", "tool call"]
    sb.pick.value = 0
    assert len(sb.timeline) == 7 and len(sb.output.outputs) == 1
    html = sb.output.outputs[0]["data"]["text/html"]
    assert "Session s1" in html and "rate_<wbr>limited" in html and "ana@example.com" not in html
    assert browser(ctx, T0.date(), redact=True, show=False) is None
