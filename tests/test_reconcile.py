"""Finance reconciliation on a small case whose differences are worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from launchkit.analytics import pricing, reconcile
from launchkit.errors import ConfigError


@pytest.fixture
def books(con, config):
    turns = [
        # turn, time, model, in, out, reported cost
        ("o1", "2026-03-02T09:00:00Z", "gpt-4o", 10, 10, 1.00),
        ("o2", "2026-03-02T10:00:00Z", "gpt-4o", 10, 10, 0.50),
        ("o3", "2026-03-02T11:00:00Z", "gpt-4o", 1000, 1000, None),  # priced: 1000*2.5/1e6 + 1000*10/1e6
        ("a1", "2026-03-02T12:00:00Z", "claude-3-5-haiku-20241022", 10, 10, 2.00),
        ("u1", "2026-03-02T13:00:00Z", "acme-internal-llm", 10, 10, 0.30),  # no vendor
        ("u2", "2026-03-02T14:00:00Z", "acme-internal-llm", 10, 10, None),  # no vendor, unpriced
        ("o4", "2026-03-03T09:00:00Z", "gpt-4o", 10, 10, 1.00),  # no bill that day
    ]
    for t in turns:
        con.execute(
            "INSERT INTO turns (turn_id, session_id, started_at, model, status, latency_ms, ttft_ms, input_tokens, "
            "output_tokens, cost_usd, _load_id) VALUES (?, 's1', ?, ?, 'ok', 1, NULL, ?, ?, ?, 0)",
            list(t),
        )
    bills = [
        ("L1", "OpenAI ", "2026-03-02", 1.45),  # vendor names are compared lowercased and trimmed
        ("L2", "openai", "2026-03-02", 0.05),
        ("L3", "anthropic", "2026-03-02", 2.10),
        ("L4", "anthropic", "2026-03-04", 0.70),  # a bill with no turns
    ]
    for line_id, vendor, day, amount in bills:
        con.execute("INSERT INTO vendor_costs VALUES (?, ?, ?, NULL, NULL, ?, NULL, 0)", [line_id, vendor, day, amount])
    pricing.refresh(con, config)
    return con


def test_per_vendor_day_known_differences(books, config):
    df = reconcile.reconcile(books, None, None, config)
    assert list(df.columns) == reconcile.COLUMNS
    got = [tuple(None if pd.isna(v) else v for v in row) for row in df.itertuples(index=False)]
    openai_computed = 1.00 + 0.50 + (1000 * 2.5 + 1000 * 10) / 1e6  # 1.5125
    expected = [
        ("anthropic", date(2026, 3, 2), 2.00, 2.10, -0.10, -0.10 / 2.10 * 100, False, 0),
        ("openai", date(2026, 3, 2), openai_computed, 1.50, 0.0125, 0.0125 / 1.50 * 100, True, 0),
        (None, date(2026, 3, 2), 0.30, None, None, None, None, 1),
        ("openai", date(2026, 3, 3), 1.00, None, None, None, None, 0),
        ("anthropic", date(2026, 3, 4), None, 0.70, None, None, None, 0),
    ]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g[:2] == e[:2]
        for gv, ev in zip(g[2:6], e[2:6]):
            assert gv == (None if ev is None else pytest.approx(ev, rel=1e-12, abs=1e-15))
        assert (None if g[6] is None else bool(g[6]), g[7]) == e[6:]


def test_summary(books, config):
    s = reconcile.summary(books, None, None, config)
    assert (s["vendor_days"], s["vendor_days_compared"]) == (5, 2)
    assert s["computed_usd"] == pytest.approx(3.5125)
    assert s["billed_usd"] == pytest.approx(3.60)
    assert s["diff_usd"] == pytest.approx(-0.0875)
    assert s["diff_pct"] == pytest.approx(-0.0875 / 3.60 * 100)  # -2.43 %: out of the 2 % tolerance
    assert s["within_tolerance"] is False
    assert (s["vendor_days_out_of_tolerance"], s["days_out_of_tolerance"]) == (1, [date(2026, 3, 2)])
    assert (s["vendor_days_without_bill"], s["computed_usd_without_bill"]) == (2, pytest.approx(1.30))
    assert (s["vendor_days_without_turns"], s["billed_usd_without_turns"]) == (1, pytest.approx(0.70))
    assert s["unpriced_turns"] == 1
    assert s["computed_usd_without_vendor"] == pytest.approx(0.30)


def test_window_and_tolerance_from_config(books, config):
    df = reconcile.reconcile(books, date(2026, 3, 3), date(2026, 3, 4), config)  # [start, end)
    assert [(r.vendor, r.day) for r in df.itertuples()] == [("openai", date(2026, 3, 3))]
    loose = config.with_overrides(**{"reconciliation.tolerance_pct": 5.0})
    assert reconcile.summary(books, None, None, loose)["within_tolerance"] is True
    assert reconcile.summary(books, None, None, loose)["vendor_days_out_of_tolerance"] == 0
    with pytest.raises(ConfigError, match="reconciliation.tolerance_pct"):
        config.with_overrides(**{"reconciliation.tolerance_pct": -1})


def test_empty_warehouse_gives_no_rows_and_no_made_up_numbers(con, config):
    df = reconcile.reconcile(con, None, None, config)
    assert len(df) == 0 and list(df.columns) == reconcile.COLUMNS
    s = reconcile.summary(con, None, None, config)
    assert (s["computed_usd"], s["billed_usd"], s["diff_pct"], s["within_tolerance"]) == (None, None, None, None)
