"""Sample-size-aware hourly checks and tiles, counts with the right noun, and one format per kind of value.

An hour with fewer observations than its criterion's min_sample is 'low sample' in the neutral
colour, never green; a certain breach stays a breach. The answers are set by hand: the default
criteria's min_sample (500 tool calls for tool_success) and hand-written rows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import cast

import numpy as np
import pandas as pd
import pytest

from launchkit.analytics import checks
from launchkit.analytics.metrics import Metrics
from launchkit.reports import text
from launchkit.reports.content import hourly
from launchkit.reports.page import charts, widgets
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

HOUR = datetime(2026, 3, 4, 14, tzinfo=UTC)


def _hour_of_calls(ok: int, failed: int) -> Warehouse:
    """One session in HOUR with one ok turn and `ok` + `failed` tool calls."""
    con = Warehouse.memory()
    con.execute(
        "INSERT INTO sessions VALUES ('s1', 't1', 'u1', TIMESTAMPTZ '2026-03-04 14:00:00+00', NULL, 'pilot', NULL, 0)"
    )
    con.execute(
        "INSERT INTO turns (turn_id, session_id, started_at, model, status, latency_ms, ttft_ms, input_tokens, "
        "output_tokens, cost_usd, _load_id) "
        "VALUES ('t1', 's1', TIMESTAMPTZ '2026-03-04 14:00:01+00', 'gpt-4o', 'ok', 900, 100, 10, 10, 0.01, 0)"
    )
    for i in range(ok + failed):
        status, error = ("ok", "NULL") if i < ok else ("error", "'boom'")
        con.execute(
            f"INSERT INTO tool_calls VALUES ('c{i}', 's1', 't1', 'sql_query', "
            f"TIMESTAMPTZ '2026-03-04 14:{i % 60:02d}:00+00', 100, '{status}', {error}, 0)"
        )
    return con


def _tool_check(con: Warehouse, config) -> checks.Check:
    return next(v for v in checks.checks(con, Window.hour(HOUR, tz=UTC), config) if v["check"] == "tool_success")


def test_an_hour_below_min_sample_is_low_sample_not_ok(config):
    v = _tool_check(_hour_of_calls(40, 0), config)  # 40/40 ok: green before, but 40 < 500
    assert (v["n"], v["min_sample"], v["value"]) == (40, 500, 1.0)
    assert v["status"] == checks.LOW_SAMPLE and v["verdict"] == "INSUFFICIENT DATA"
    assert "low sample: 40 of 500 needed" in v["note"]


def test_an_hour_with_enough_observations_is_judged(config):
    v = _tool_check(_hour_of_calls(594, 6), config)  # 99 %, n = 600 >= 500
    assert v["n"] == 600 and v["status"] == "ok" and "low sample" not in v["note"]


def test_a_certain_breach_stays_a_breach_on_few_observations(config):
    v = _tool_check(_hour_of_calls(0, 40), config)  # 0/40: the interval is far below the fail line
    assert v["status"] == "breach" and v["verdict"] == "FAIL"
    assert "low sample: 40 of 500 needed" in v["note"]


def _verdict(
    metric: str, status: str, n: int, min_sample: int, unit: str = "%", direction: str = "higher"
) -> checks.Check:
    return {
        "check": metric,
        "metric": metric,
        "direction": direction,
        "unit": unit,
        "pass": 0.97 if unit == "%" else 0.5,
        "marginal": 0.95 if unit == "%" else 0.5,
        "value": 1.0 if unit == "%" else 0.2,
        "interval": {"low": 0.9, "high": 1.0},
        "n": n,
        "min_sample": min_sample,
        "verdict": "PASS",
        "status": status,
        "note": "",
    }


def _tiles(html: str) -> dict[str, tuple[str, str, str]]:
    """label -> (data-status, border colour, sub-line) of each tile."""
    out = {}
    for m in re.finditer(
        r'<div class="lk-tile" style="border-left-color:(#\w+)" data-status="([^"]*)"><div class="lk-label">([^<]*)</div>'
        r'<div class="lk-value">[^<]*</div><div class="lk-sub">([^<]*)</div>',
        html,
    ):
        out[m.group(3)] = (m.group(2), m.group(1), m.group(4))
    return out


def test_tiles_say_low_sample_in_the_neutral_colour_and_count_with_the_right_noun():
    m = {
        "active_sessions": 1,
        "new_sessions": 1,
        "tool_call_success_rate": 1.0,
        "turn_error_rate": 0.0,
        "cost_per_session": 0.2,
        "latency_ms": {"p50": 900.0, "p90": 900.0, "p95": 900.0, "p99": 900.0},
        "samples": {"tool_calls": 40, "turns": 1, "active_sessions": 1, "latency_ms": 1},
    }
    verdicts = [
        _verdict("tool_call_success_rate", checks.LOW_SAMPLE, 40, 500),
        _verdict("turn_error_rate", "ok", 600, 500, direction="lower"),
        _verdict("cost_per_session", checks.LOW_SAMPLE, 1, 100, unit="$", direction="lower"),
        _verdict("latency_p95_ms", checks.LOW_SAMPLE, 1, 500, unit="ms", direction="lower"),
    ]
    t = _tiles(widgets.note_tiles(hourly.hour_tiles(cast(Metrics, m), verdicts))._repr_html_())
    assert t["Tool-call success"] == ("low-sample", charts.NEUTRAL, "target ≥ 97.0 %; low sample: 40 of 500 calls")
    assert t["Failed answers"] == ("ok", charts.OK, "target ≤ 97.0 %; 1 turn")
    assert t["Cost per session"] == ("low-sample", charts.NEUTRAL, "target ≤ $0.50; low sample: 1 of 100 sessions")
    assert t["Response time (95th percentile)"][:2] == ("low-sample", charts.NEUTRAL)
    assert t["Response time (95th percentile)"][2].endswith("low sample: 1 of 500 ok turns")
    # with enough observations the same value is green, and 2 calls are plural
    ok = [_verdict("tool_call_success_rate", "ok", 600, 500)]
    few = cast(Metrics, {**m, "samples": {**m["samples"], "tool_calls": 2}})  # type: ignore[dict-item]
    t = _tiles(widgets.note_tiles(hourly.hour_tiles(few, ok))._repr_html_())
    assert t["Tool-call success"] == ("ok", charts.OK, "target ≥ 97.0 %; 2 calls")


def test_the_check_table_shows_low_sample_as_a_neutral_badge():
    html = widgets.verdict_table([_verdict("tool_call_success_rate", checks.LOW_SAMPLE, 40, 500)])._repr_html_()
    assert f'<span class="lk-badge" style="background:{charts.NEUTRAL}">low sample</span>' in html


@pytest.mark.parametrize(
    "n,noun,many,expected",
    [
        (0, "session", None, "0 sessions"),
        (1, "session", None, "1 session"),
        (2, "session", None, "2 sessions"),
        (1.0, "day", None, "1 day"),
        (np.int64(1234), "call", None, "1,234 calls"),
        (1, "breach", None, "1 breach"),
        (2, "breach", None, "2 breaches"),
        (2, "entry", None, "2 entries"),
        (3, "criterion", "criteria", "3 criteria"),
        (None, "turn", None, "— turns"),
    ],
)
def test_plurals(n, noun, many, expected):
    assert text.plural(n, noun, many) == expected


def test_booleans_percentages_and_money_read_alike_in_every_table():
    df = pd.DataFrame(
        {
            "vendor": ["openai", "anthropic"],
            "computed_usd": [1234.5, 0.05],
            "diff_pct": [0.16, None],
            "tool_call_success_rate": [0.9712, 1.0],
            "within_tolerance": [True, False],
            "flag": np.array([True, False]),
            "latency_p95_ms": [2345.67, 10.0],
            "turns": [3, 1],
        }
    )
    html = charts.table(
        df, digits={"diff_pct": 2}, status={"within_tolerance": lambda v: "ok" if v else "breach"}, tz=None
    )
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", html.markup)]
    assert cells[:8] == ["openai", "$1,234.50", "0.16 %", "97.1 %", "yes", "yes", "2,345.7 ms", "3"]
    assert cells[8:] == ["anthropic", "$0.0500", "—", "100.0 %", "no", "no", "10 ms", "1"]
    heads = re.findall(r"<th>(.*?)</th>", html.markup)
    # no unit repeated for $ and %; a catalogue metric headed by its display name, never its id
    assert heads[1:4] == ["computed_usd", "diff_pct", "Tool-call success"]
    assert heads[6] == "Response time (95th percentile) (ms)"
    # an explicit unit still wins over the name
    assert "0.16 %" not in charts.table(df[["diff_pct"]], units={"diff_pct": ""}, tz=None).markup
    assert text.fmt(True) == "yes" and text.fmt(np.bool_(False)) == "no" and text.fmt(None) == "—"
    assert (text.fmt(-0.2345, "$"), text.fmt(-0.0728, "$"), text.fmt(-1234.5, "$")) == (
        "-$0.23",
        "-$0.0728",
        "-$1,234.50",
    )
    assert text.fmt(-0.0001, "$", 2) == "$0.00"  # no minus on a rounded zero
    # a status function sees a Python boolean, as a notebook writes it (`v is True`)
    flags = pd.DataFrame({"ok": np.array([True, False])})
    badges = charts.table(flags, status={"ok": lambda v: "ok" if v is True else "breach"}, tz=None).markup
    assert f'background:{charts.OK}">yes<' in badges and f'background:{charts.BREACH}">no<' in badges


def test_bars_with_too_few_observations_are_grey_whatever_their_value():
    df = pd.DataFrame(
        {"tool": ["sql_query", "python_exec", "chart"], "rate": [0.99, 0.90, 0.90], "calls": [600, 70, 500]}
    )
    kw = dict(title="Success by tool", unit="%", target=0.97, threshold=0.95, direction="higher")
    judged = charts.bars(df, "tool", "rate", **kw).fig  # type: ignore[arg-type]
    assert judged.data[0].marker.color == (charts.OK, charts.BREACH, charts.BREACH)
    aware = charts.bars(df, "tool", "rate", samples="calls", min_sample=500, sample_noun="call", **kw).fig  # type: ignore[arg-type]
    assert aware.data[0].marker.color == (charts.OK, charts.NEUTRAL, charts.BREACH)
    assert "low sample, fewer than 500 calls" in aware.layout.title.text
    enough = charts.bars(df.iloc[[0, 2]], "tool", "rate", samples="calls", min_sample=500, **kw).fig  # type: ignore[arg-type]
    assert "low sample" not in enough.layout.title.text
