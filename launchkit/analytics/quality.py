"""Data-quality gates that stand before any verdict.

Each gate is a coverage share (numerator / denominator) compared with quality.min_coverage (default
0.90). A gate whose denominator is 0 has nothing to judge: value and ok are None. A criterion whose
gates fail gets the verdict UNTRUSTED DATA instead of a number; which gates a metric depends on is
the metric catalogue's (launchkit.catalogue).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TypedDict, cast

from launchkit.analytics import latency_sanity, lookalikes
from launchkit.analytics.latency_sanity import LatencyFinding
from launchkit.analytics.lookalikes import LookalikeFinding
from launchkit.analytics.span import activity_span
from launchkit.catalogue import METRICS
from launchkit.config import Config
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, floor_hour, hour_edges, hour_keys, local, next_hour

# How far back the sessions expected during a silence are added up (a week of hours is plenty to tell).
SILENCE_LOOKBACK = timedelta(days=7)
# The history quality/gaps.sql reads before the window (or the last data): four weeks of hour-of-week
# and 28 days of hour-of-day, and a day to spare for the clocks' changes.
HISTORY = timedelta(days=29)

GATES = (
    "turns_with_tokens",
    "turns_with_price",
    "ok_turns_with_latency",
    "tool_calls_with_session",
    "feedback_with_session",
    "hours_with_data",
    "rows_accepted",
)
# each gate as a reader reads it (the go/no-go checklist's evidence)
GATE_WORDS = {
    "turns_with_tokens": "turns with token counts",
    "turns_with_price": "turns with a price",
    "ok_turns_with_latency": "ok turns with a response time",
    "tool_calls_with_session": "tool calls of a known session",
    "feedback_with_session": "feedback of a known session",
    "hours_with_data": "hours with data",
    "rows_accepted": "input rows accepted",
}


class Gate(TypedDict):
    """A data-quality gate: the covered share (numerator / denominator) against its threshold; ok is None
    without a denominator."""

    value: float | None
    numerator: int
    denominator: int
    threshold: float
    ok: bool | None


class GapHour(TypedDict):
    """A clock hour of `gap_hours`: its sessions, the expected sessions and their basis, whether traffic
    was expected, and whether it was expected and missing (a gap)."""

    hour: datetime
    sessions: int
    expected_sessions: float | None
    basis: str | None  # hour_of_week / hour_of_day
    traffic_expected: bool
    gap: bool


class Freshness(TypedDict):
    """Whether data kept arriving up to `end` (`freshness`)."""

    end: datetime
    last_at: datetime | None
    hours_since: float | None
    stale_after_hours: float
    silent_hours: int
    expected_sessions: float | None
    empty: bool
    stale: bool | None


class DataQuality(TypedDict):
    """The "data_quality" object of a window (`assess`): each gate, the failed ones, rejected rows, the
    hours expected to have traffic without any, and the findings of implausible latency and lookalike ids."""

    ok: bool
    min_coverage: float
    failed: list[str]
    gates: dict[str, Gate]
    rejected_rows: int
    loads: int
    gap_hours: list[str]
    findings: list[LatencyFinding | LookalikeFinding]


def _gate(num: int | float | None, den: int | float | None, threshold: float) -> Gate:
    num = int(num or 0)
    den = int(den or 0)
    value = num / den if den else None
    return {
        "value": value,
        "numerator": num,
        "denominator": den,
        "threshold": threshold,
        "ok": None if value is None else value >= threshold,
    }


def gap_hours(db: QueryRunner, window: Window, config: Config) -> list[GapHour]:
    """Per clock hour of the window: sessions, expected sessions and their basis, whether traffic was
    expected and missing.

    quality/gaps.sql says where the expectation comes from (same hour-of-week over the last four
    weeks, else the pilot's median for the hour-of-day on days of the same kind, weekday or weekend); expected_sessions is None without history.
    Hours are the report zone's, and "the same hour" the same wall-clock hour ([reports] timezone).
    """
    tz = config.report_zone
    start = floor_hour(window.start, tz)
    end = window.end
    if floor_hour(end, tz) != end:
        end = next_hour(end, tz)
    first_at, last_at = activity_span(db)
    first_hour = floor_hour(first_at, tz) if first_at is not None else None
    last_hour = floor_hour(last_at, tz) if last_at is not None else None
    edges = hour_edges(min(start, last_hour or start) - HISTORY, end, tz)
    params = {
        "history_from": edges[0],
        "hour_at": edges[:-1],
        "hour_end": edges[1:],
        "hour_wall": [local(e, tz).replace(tzinfo=None) for e in edges[:-1]],
        "hour_weekend": [local(e, tz).weekday() >= 5 for e in edges[:-1]],
        **dict(zip(("key_hours", "key_buckets"), hour_keys(edges), strict=True)),
        "start": start,
        "end": end,
        "first_hour": first_hour,
        "last_hour": last_hour,
        "min_expected": float(config.decision["gap_min_expected"]),
    }
    df = db.frame("quality/gaps", params)
    return [
        cast(GapHour, {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()})
        for row in df.to_dict("records")
    ]


def freshness(db: QueryRunner, end: datetime, config: Config) -> Freshness:
    """Whether data kept arriving up to `end`: the last activity before it and what a silence since then means.

    Stale when nothing arrived for at least [hourly] stale_after_hours while the hours of that silence
    (the last SILENCE_LOOKBACK of it) expected at least decision.gap_min_expected sessions in all, so
    a quiet night is not stale and an exporter that died is, however long ago. `stale` is None when
    the warehouse has no activity before `end` (`empty`) or no history tells what to expect.
    """
    after = float(config.stale_after_hours)
    last = db.one("quality/last_activity", {"end": end})["last_at"]
    out: Freshness = {
        "end": end,
        "last_at": last,
        "hours_since": None,
        "stale_after_hours": after,
        "silent_hours": 0,
        "expected_sessions": None,
        "empty": last is None,
        "stale": None,
    }
    if last is None:
        return out
    since = (end - last).total_seconds() / 3600
    out["hours_since"] = since
    if since < after:
        out["stale"] = False
        return out
    silent_from = max(next_hour(last, config.report_zone), end - SILENCE_LOOKBACK)
    if silent_from >= end:  # the silence lies within the last active hour
        out["stale"] = False
        return out
    hours = gap_hours(db, Window(silent_from, end), config)
    known = [h["expected_sessions"] for h in hours if h["expected_sessions"] is not None]
    out["silent_hours"] = len(hours)
    if known:
        expected = float(sum(known))
        out["expected_sessions"] = expected
        out["stale"] = expected >= float(config.decision["gap_min_expected"])
    return out


def assess(db: QueryRunner, window: Window, config: Config) -> DataQuality:
    """The "data_quality" object: each gate with value, numerator, denominator, threshold and ok."""
    thr = config.min_coverage
    c = db.one("quality/coverage", window.params)
    r = db.one("quality/rejects", window.params)
    hours = gap_hours(db, window, config)
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
        "findings": latency_sanity.findings(db, window, config) + lookalikes.findings(db, window),
    }


def failed_gates_for(metric: str, dq: DataQuality) -> list[str]:
    """The failed gates a catalogue metric's verdict depends on (empty: the data can be trusted for it)."""
    gates = dq["gates"]
    return [n for n in METRICS[metric].all_gates if n in gates and gates[n]["ok"] is False]
