"""Data-quality gates: hand-computed coverage, rejected rows by load time, and gap hours."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from _tables import insert
from test_metrics import HOUR, tiny_pilot

from launchkit.analytics import quality
from launchkit.config import load_config
from launchkit.errors import ConfigError
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

UTC = UTC


@pytest.fixture(scope="module")
def cfg():
    return load_config(env={})


def test_coverage_gates_hand_computed(cfg):
    con = tiny_pilot()
    dq = quality.assess(con, HOUR, cfg)
    json.dumps(dq, default=str, allow_nan=False)
    g = dq["gates"]
    assert (g["turns_with_tokens"]["numerator"], g["turns_with_tokens"]["denominator"]) == (4, 5)  # t3 lacks tokens
    assert g["turns_with_price"]["value"] == pytest.approx(0.8)
    assert g["ok_turns_with_latency"]["value"] == pytest.approx(3 / 4)  # t5 has no latency
    assert g["tool_calls_with_session"]["value"] == pytest.approx(3 / 5)  # c3, c5 belong to unknown s9
    assert g["feedback_with_session"]["value"] == pytest.approx(3 / 4)  # f3 has no session
    assert g["turns_with_tokens"]["threshold"] == 0.9 and g["turns_with_tokens"]["ok"] is False
    assert g["rows_accepted"]["value"] is None and g["rows_accepted"]["ok"] is None  # no loads in the hour
    assert dq["ok"] is False
    assert set(dq["failed"]) == {
        "turns_with_tokens",
        "turns_with_price",
        "ok_turns_with_latency",
        "tool_calls_with_session",
        "feedback_with_session",
    }
    assert quality.failed_gates_for("tool_call_success_rate", dq) == ["tool_calls_with_session"]
    assert quality.failed_gates_for("turn_error_rate", dq) == []
    assert quality.failed_gates_for("open_major_incidents", dq) == []


def test_min_coverage_from_config(cfg):
    con = tiny_pilot()
    lax = cfg.with_overrides(**{"quality.min_coverage": 0.5})
    dq = quality.assess(con, HOUR, lax)
    assert dq["ok"] is True and dq["gates"]["tool_calls_with_session"]["threshold"] == 0.5


def test_rejected_rows_by_load_time(cfg):
    con = tiny_pilot()
    con.execute("""INSERT INTO loads (load_id, path, content_hash, table_name, status, rows_read, loaded, rejected, loaded_at)
                   VALUES (1, 'turns_a.csv', 'h1', 'turns', 'loaded', 10, 8, 2, TIMESTAMPTZ '2026-03-02 10:30:00+00'),
                          (2, 'turns_b.csv', 'h2', 'turns', 'loaded', 5, 4, 1, TIMESTAMPTZ '2026-03-02 12:00:00+00')""")
    con.execute("""INSERT INTO rejects (load_id, path, table_name, row_number, column_name, reason, raw)
                   VALUES (1, 'turns_a.csv', 'turns', 3, 'status', 'not one of ok, error', 'x'),
                          (1, 'turns_a.csv', 'turns', 7, 'latency_ms', 'below 0', '-1'),
                          (2, 'turns_b.csv', 'turns', 2, 'turn_id', 'required', '')""")
    dq = quality.assess(con, HOUR, cfg)
    assert dq["rejected_rows"] == 2 and dq["loads"] == 1
    ra = dq["gates"]["rows_accepted"]
    assert (ra["numerator"], ra["denominator"], ra["ok"]) == (8, 10, False)


def gap_pilot(missing_hour: int | None):
    """Two weekdays (Monday 2 and Tuesday 3 March) of 10 sessions per business hour (09-17); on day two one hour
    can be missing."""
    con = Warehouse.memory()
    rows = []
    for day in (2, 3):
        for hour in range(9, 18):
            if day == 3 and hour == missing_hour:
                continue
            for k in range(10):
                rows.append(
                    dict(
                        session_id=f"d{day}h{hour}k{k}",
                        tenant_id="A",
                        started_at=datetime(2026, 3, day, hour, 5 * k, tzinfo=UTC),
                    )
                )
    insert(con, "sessions", rows)
    return con


def test_gap_hours(cfg):
    con = gap_pilot(missing_hour=12)
    dq = quality.assess(con, Window.day(date(2026, 3, 3), tz=UTC), cfg)
    g = dq["gates"]["hours_with_data"]
    # day two, business hours: the same hour of day one had 10 sessions -> 10 expected; nights: day one had no
    # data before 09:00, so nothing is known (or expected) about them
    assert (g["numerator"], g["denominator"]) == (8, 9)
    assert g["ok"] is False
    assert dq["gap_hours"] == ["2026-03-03T12:00:00Z"]
    rows = quality.gap_hours(con, Window.day(date(2026, 3, 3), tz=UTC), cfg)
    assert len(rows) == 24
    assert rows[12]["expected_sessions"] == 10 and rows[12]["basis"] == "hour_of_day"
    assert rows[3]["traffic_expected"] is False and rows[3]["expected_sessions"] is None  # nights are not expected
    assert rows[20]["expected_sessions"] == 0 and rows[20]["traffic_expected"] is False  # 20:00 on day one: quiet


def test_no_gap_when_complete(cfg):
    con = gap_pilot(missing_hour=None)
    dq = quality.assess(con, Window.day(date(2026, 3, 3), tz=UTC), cfg)
    assert dq["gates"]["hours_with_data"]["value"] == 1.0 and dq["gap_hours"] == []


def test_gap_threshold_config(cfg):
    con = gap_pilot(missing_hour=12)
    strict = cfg.with_overrides(**{"decision.gap_min_expected": 20})
    dq = quality.assess(con, Window.day(date(2026, 3, 3), tz=UTC), strict)
    assert dq["gates"]["hours_with_data"]["denominator"] == 0  # nothing is expected at >= 20 sessions
    with pytest.raises(ConfigError, match="decision.gap_min_expected"):
        quality.assess(
            con, Window.day(date(2026, 3, 3), tz=UTC), cfg.with_overrides(**{"decision.gap_min_expected": "x"})
        )


def test_a_quiet_weekend_is_not_expected_at_weekday_level(cfg):
    """Mon-Fri 2-6 March busy (10 sessions an hour 09-17), the weekend with one session at 10:00: the first
    Saturday has no weekend before it, so nothing is expected (no gap, nothing UNTRUSTED); a weekday hour is
    never the expectation of a weekend hour."""
    con = Warehouse.memory()
    rows = []
    for day in range(2, 9):
        hours = range(9, 18) if day <= 6 else (10,)
        for hour in hours:
            for k in range(10 if day <= 6 else 1):
                rows.append(dict(session_id=f"d{day}h{hour}k{k}", tenant_id="A",
                                 started_at=datetime(2026, 3, day, hour, 5 * k, tzinfo=UTC)))  # fmt: skip
    insert(con, "sessions", rows)
    for saturday_or_sunday in (date(2026, 3, 7), date(2026, 3, 8)):
        dq = quality.assess(con, Window.day(saturday_or_sunday, tz=UTC), cfg)
        assert dq["gates"]["hours_with_data"]["denominator"] == 0, saturday_or_sunday
        assert "hours_with_data" not in dq["failed"]
    sunday = quality.gap_hours(con, Window.day(date(2026, 3, 8), tz=UTC), cfg)
    assert sunday[10]["expected_sessions"] == 1 and sunday[10]["basis"] == "hour_of_day"  # Saturday's 10:00
    assert sunday[12]["expected_sessions"] == 0  # Saturday's quiet noon, not Friday's 10 sessions
