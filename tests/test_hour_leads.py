"""An hourly breach leads with its culprit, as the debrief's reasons do: the sentence from a hand-made hour,
and the alert payload's summary line opening with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from _tables import insert

from launchkit.analytics import explain
from launchkit.config import load_config
from launchkit.jobs.alerts import payload
from launchkit.jobs.alerts.decide import Event
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

HOUR = Window(datetime(2026, 3, 10, 14, tzinfo=UTC), datetime(2026, 3, 10, 15, tzinfo=UTC))


@pytest.fixture()
def hour_with_a_bad_tool():
    """Two tenants, tools sql and chart. The day before the hour (13:00 the day before): every call ok, 20 sql
    and 20 chart calls per tenant. The hour: per tenant 20 sql calls of which 10 fail, 20 chart calls ok."""
    con = Warehouse.memory()
    sessions, turns, calls = [], [], []
    for period, t0 in (("b", HOUR.start - timedelta(hours=1)), ("h", HOUR.start + timedelta(minutes=5))):
        for tenant in ("t1", "t2"):
            sid = f"{period}-{tenant}"
            sessions.append({"session_id": sid, "tenant_id": tenant, "started_at": t0, "release": "r1"})
            turns.append({"turn_id": f"{sid}-1", "session_id": sid, "started_at": t0, "status": "ok",
                          "model": "m1", "latency_ms": 1000.0})  # fmt: skip
            for tool in ("sql", "chart"):
                for k in range(20):
                    bad = period == "h" and tool == "sql" and k < 10
                    calls.append({"call_id": f"{sid}-{tool}-{k}", "session_id": sid, "turn_id": f"{sid}-1",
                                  "tool_name": tool, "started_at": t0 + timedelta(seconds=k),
                                  "status": "error" if bad else "ok"})  # fmt: skip
    insert(con, "sessions", sessions)
    insert(con, "turns", turns)
    insert(con, "tool_calls", calls)
    yield con
    con.close()


def _row(status: str) -> dict:
    return {"check": "tool_success", "metric": "tool_call_success_rate", "unit": "%", "status": status,
            "value": 0.75, "pass": 0.97, "marginal": 0.93}  # fmt: skip


def test_a_breach_names_the_tool_that_fails(hour_with_a_bad_tool):
    leads = explain.hour_leads(hour_with_a_bad_tool, HOUR, [_row("breach")], load_config(None))
    # sql: 20 of 40 calls fail in the hour (50.0 %), 0 of 40 the day before; both tenants worse (10 of 40
    # failed calls against 0 of 40: p < 0.01 each), so the sentence counts them
    assert leads == {"tool_success": "tool sql: 50.0 % of tool calls fail (was 0.0 %); 2 of 2 tenants affected"}


def test_only_breaches_are_led(hour_with_a_bad_tool):
    assert explain.hour_leads(hour_with_a_bad_tool, HOUR, [_row("watch"), _row("ok")], load_config(None)) == {}


def test_the_alert_line_opens_with_the_culprit():
    check = {**_row("breach"), "lead": "tool sql: 50.0 % of tool calls fail (was 0.0 %)", "new": True}
    event = Event("breach", HOUR.start, (check,), identity=("tool_success",))
    line = payload.summary_line(event)
    assert line.startswith(
        "hourly 2026-03-10T14:00Z BREACH: tool sql: 50.0 % of tool calls fail (was 0.0 %) [Tool-call success 75.0 %"
    )
    assert payload.build(event, site="s")["checks"][0]["lead"] == check["lead"]
