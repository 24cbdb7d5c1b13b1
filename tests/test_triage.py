"""Feedback triage: negative first (a thumbs-down without a rating too), new complaints against the baseline,
near-duplicates grouped with their sessions; by hand on small tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from _tables import insert

from launchkit.analytics import records, triage
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

T0 = datetime(2026, 3, 10, 9, tzinfo=UTC)


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(id, rating, thumbs, comment[, session, tenant]) rows, one minute apart."""
    out = []
    for k, r in enumerate(rows):
        fid, rating, thumbs, comment, *rest = r
        sid, tenant = (rest + [f"s-{fid}", "t01"])[:2]
        out.append({"feedback_id": fid, "submitted_at": T0 + timedelta(minutes=k), "session_id": sid,
                    "tenant_id": tenant, "rating": rating, "thumbs": thumbs, "comment": comment})  # fmt: skip
    return pd.DataFrame(out)


def test_negative_first_and_a_thumbs_down_without_a_rating_is_negative():
    fb = frame([
        ("love", 5, "up", "Love it"),
        ("down", None, "down", "The query tool kept failing"),
        ("one", 1, None, "Wrong numbers"),
        ("three", 3, None, "OK"),
        ("up", None, "up", None),
    ])  # fmt: skip
    out = triage.ordered(fb)
    assert out["feedback_id"].tolist() == ["one", "down", "three", "up", "love"]
    assert out["negative"].tolist() == [True, True, False, False, False]
    assert triage.is_negative(None, "down") and triage.is_negative(2, "up") and not triage.is_negative(3, None)


def test_new_complaints_are_measured_against_the_baseline():
    day = frame([
        ("a", 1, "down", "The query tool kept failing"),
        ("b", None, "down", "query tool kept failing again"),
        ("c", 2, None, "Chart did not render"),
        ("d", 1, None, "Chart did not render"),
    ])  # fmt: skip
    base = frame([
        ("x", 1, None, "Chart did not render"),
        ("y", 2, None, "Chart did not render properly"),
        ("z", 5, "up", "query tool is great"),  # not negative: not part of the baseline's complaints
    ])  # fmt: skip
    out = triage.new_complaints(day, base)
    top = out.iloc[0]
    # "query tool kept failing": 2 of 4 negative comments today, 0 of 2 before -> lift 0.5; "chart" 0.5 - 1.0
    assert top["theme"] in ("tool kept", "query tool", "kept failing") and top["comments"] == 2
    assert top["share"] == 0.5 and top["baseline_share"] == 0.0 and top["lift"] == 0.5
    assert "chart" not in out["theme"].head(3).tolist()


def test_near_duplicates_are_grouped_with_their_sessions():
    fb = frame([
        ("a", 1, None, "The query tool kept failing", "s1", "t01"),
        ("b", None, "down", "the QUERY tool kept failing!", "s2", "t02"),
        ("c", 5, "up", "Love it", "s3", "t01"),
        ("d", 2, None, "The query tool kept failing.", "s4", "t01"),
    ])  # fmt: skip
    g = triage.near_duplicates(fb)
    assert g.iloc[0]["count"] == 3 and g.iloc[0]["negative"] == 3
    assert sorted(g.iloc[0]["sessions"]) == ["s1", "s2", "s4"] and g.iloc[0]["tenants"] == ["t01", "t02"]
    assert g.iloc[1]["comment"] == "Love it" and g.iloc[1]["count"] == 1


def test_the_feedback_records_carry_the_session():
    con = Warehouse.memory()
    insert(con, "sessions", [dict(session_id="s1", tenant_id="t01", started_at=T0)])
    insert(con, "feedback", [dict(feedback_id="f1", session_id="s1", submitted_at=T0, thumbs="down", comment="bad")])
    fb = records.feedback(con, Window(T0, T0 + timedelta(hours=1)))
    assert fb[["session_id", "tenant_id"]].iloc[0].tolist() == ["s1", "t01"]
    con.close()
