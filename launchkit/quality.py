"""Data-quality gates that stand before any verdict.

Each gate is a coverage share (numerator / denominator) compared with quality.min_coverage (default
0.90). A gate whose denominator is 0 has nothing to judge: value and ok are None. A criterion whose
gates fail gets the verdict UNTRUSTED DATA instead of a number (see GATES_FOR_METRIC).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from launchkit.config import Config
from launchkit.errors import ConfigError

if TYPE_CHECKING:
    from launchkit.metrics import Window

DEFAULT_GAP_MIN_EXPECTED = 5.0  # sessions: P(no session | Poisson(5)) < 1%

GATES = (
    "turns_with_tokens",
    "turns_with_price",
    "ok_turns_with_latency",
    "tool_calls_with_session",
    "feedback_with_session",
    "hours_with_data",
    "rows_accepted",
)

# Which gates a metric's verdict depends on (every metric also depends on hours_with_data and rows_accepted).
GATES_FOR_METRIC: dict[str, tuple[str, ...]] = {
    "tool_call_success_rate": ("tool_calls_with_session",),
    "turn_error_rate": (),
    "latency_p95_ms": ("ok_turns_with_latency",),
    "ttft_p95_ms": ("ok_turns_with_latency",),
    "cost_per_session": ("turns_with_price",),
    "projected_spend_usd": ("turns_with_price",),
    "csat": ("feedback_with_session",),
    "thumbs_up_rate": ("feedback_with_session",),
    "mean_rating": ("feedback_with_session",),
}
COMMON_GATES = ("hours_with_data", "rows_accepted")
# Metrics that do not come from telemetry (incident records, vendor bills): no telemetry gates.
UNGATED = frozenset({"open_major_incidents", "late_postmortems", "reconciliation_max_diff_pct"})


def min_coverage(config: Config) -> float:
    return float(config.get("quality.min_coverage", 0.90))


def gap_min_expected(config: Config) -> float:
    """decision.gap_min_expected: expected active sessions in an hour that make it expected (see quality/gaps.sql)."""
    v = config.get("decision.gap_min_expected", DEFAULT_GAP_MIN_EXPECTED)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise ConfigError("decision.gap_min_expected", f"must be a number >= 0, got {v!r}")
    return float(v)


def _gate(num: int | float | None, den: int | float | None, threshold: float) -> dict[str, Any]:
    num = int(num or 0)
    den = int(den or 0)
    value = num / den if den else None
    return {"value": value, "numerator": num, "denominator": den, "threshold": threshold,
            "ok": None if value is None else value >= threshold}


def gap_hours(con: duckdb.DuckDBPyConnection, window: "Window", config: Config) -> list[dict[str, Any]]:
    """Per hour of the window: events, expected events, whether traffic was expected and missing."""
    from launchkit.metrics import fetch_df

    start = window.start.replace(minute=0, second=0, microsecond=0)
    end = window.end
    if end.minute or end.second or end.microsecond:
        end = end.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    df = fetch_df(con, "quality/gaps", {"start": start, "end": end, "min_expected": gap_min_expected(config)})
    return df.to_dict("records")


def assess(con: duckdb.DuckDBPyConnection, window: "Window", config: Config) -> dict[str, Any]:
    """The "data_quality" object: each gate with value, numerator, denominator, threshold and ok."""
    from launchkit.metrics import fetch_one

    thr = min_coverage(config)
    c = fetch_one(con, "quality/coverage", window.params)
    r = fetch_one(con, "quality/rejects", window.params)
    hours = gap_hours(con, window, config)
    expected = [h for h in hours if h["traffic_expected"]]
    gaps = [h["hour"] for h in hours if h["gap"]]
    gates = {
        "turns_with_tokens": _gate(c["turns_with_tokens"], c["turns"], thr),
        "turns_with_price": _gate(c["turns_priced"], c["turns"], thr),
        "ok_turns_with_latency": _gate(c["ok_turns_with_latency"], c["ok_turns"], thr),
        "tool_calls_with_session": _gate(c["tool_calls_with_session"], c["tool_calls"], thr),
        "feedback_with_session": _gate(c["feedback_with_session"], c["feedback"], thr),
        "hours_with_data": _gate(len(expected) - len(gaps), len(expected), thr),
        "rows_accepted": _gate((r["rows_read"] or 0) - (r["rejected_rows"] or 0), r["rows_read"], thr),
    }
    failed = [name for name, g in gates.items() if g["ok"] is False]
    return {
        "ok": not failed,
        "min_coverage": thr,
        "failed": failed,
        "gates": gates,
        "rejected_rows": int(r["rejected_rows"] or 0),
        "loads": int(r["loads"] or 0),
        "gap_hours": [h.isoformat().replace("+00:00", "Z") for h in gaps],
    }


def failed_gates_for(metric: str, dq: dict[str, Any]) -> list[str]:
    """The failed gates a metric's verdict depends on (empty: the data can be trusted for it)."""
    if metric in UNGATED:
        return []
    names = GATES_FOR_METRIC.get(metric, ()) + COMMON_GATES
    return [n for n in names if dq["gates"].get(n, {}).get("ok") is False]
