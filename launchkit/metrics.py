"""Pilot metrics for any window, computed by the SQL files in queries/metrics/ (and incidents/).

Every window is half-open [start, end) in UTC. Numbers are honest: a rate whose denominator is 0 is
None, not 0; percentiles are exact (quantile_cont) over ok turns; each metric carries the sample it
was computed from ("samples") and its coverage. `compute` returns the strict-JSON object printed by
`launchkit metrics --json`; `breakdown` and `timeseries` return DataFrames for reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import duckdb
import pandas as pd

from launchkit import warehouse
from launchkit.config import Config
from launchkit.errors import LaunchkitError
from launchkit.stats import clean

BREAKDOWNS: dict[str, tuple[str, str | None]] = {
    # by -> (query, session column for the {column} slot)
    "tenant": ("metrics/breakdown_session", "tenant_id"),
    "cohort": ("metrics/breakdown_session", "cohort"),
    "release": ("metrics/breakdown_session", "release"),
    "model": ("metrics/breakdown_model", None),
    "tool": ("metrics/breakdown_tool", None),
}
GRAINS = ("hour", "day")
PERCENTILES = ("p50", "p90", "p95", "p99")
MAJOR_SEVERITIES = ("SEV1", "SEV2")
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
# metrics key -> the criteria metric name whose quality gates apply to it
UNTRUSTED_KEYS = {"tool_call_success_rate": "tool_call_success_rate", "turn_error_rate": "turn_error_rate",
                  "latency_ms": "latency_p95_ms", "ttft_ms": "ttft_p95_ms", "total_cost_usd": "cost_per_session",
                  "cost_per_session": "cost_per_session", "feedback": "csat"}


def _utc(ts: datetime | str) -> datetime:
    """A timezone-aware UTC datetime; naive values and 'Z' strings are taken as UTC."""
    if isinstance(ts, str):
        text = ts.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            ts = datetime.fromisoformat(text)
        except ValueError:
            raise LaunchkitError(f"not a timestamp: {ts!r} (expected e.g. 2026-03-02T10:00Z)") from None
    if not isinstance(ts, datetime):
        raise LaunchkitError(f"not a timestamp: {ts!r}")
    if ts.tzinfo is None:
        return ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(timezone.utc)


def _date(d: date | str) -> date:
    if isinstance(d, datetime):
        return _utc(d).date()
    if isinstance(d, date):
        return d
    try:
        return date.fromisoformat(str(d).strip())
    except ValueError:
        raise LaunchkitError(f"not a date: {d!r} (expected YYYY-MM-DD)") from None


def day_start(d: date) -> datetime:
    """Midnight UTC at the start of a date."""
    return datetime.combine(d, time(0), tzinfo=timezone.utc)


@dataclass(frozen=True)
class Window:
    """A half-open time window [start, end) in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _utc(self.start))
        object.__setattr__(self, "end", _utc(self.end))
        if self.end <= self.start:
            raise LaunchkitError(f"window end {self.end.isoformat()} is not after its start {self.start.isoformat()}")

    @classmethod
    def hour(cls, ts: datetime | str) -> "Window":
        """The clock hour containing ts (floored to the hour)."""
        t = _utc(ts).replace(minute=0, second=0, microsecond=0)
        return cls(t, t + timedelta(hours=1))

    @classmethod
    def day(cls, d: date | str) -> "Window":
        """One UTC calendar day."""
        dd = _date(d)
        return cls(day_start(dd), day_start(dd + timedelta(days=1)))

    @classmethod
    def range(cls, a: date | datetime | str, b: date | datetime | str) -> "Window":
        """Dates are whole days with b inclusive ([a 00:00, b+1 00:00)); datetimes are taken as [a, b)."""

        def is_date(v: Any) -> bool:
            return (isinstance(v, date) and not isinstance(v, datetime)) or (
                isinstance(v, str) and len(v.strip()) == 10)

        if is_date(a) and is_date(b):
            return cls(day_start(_date(a)), day_start(_date(b) + timedelta(days=1)))
        sa = day_start(_date(a)) if is_date(a) else _utc(a)
        sb = day_start(_date(b) + timedelta(days=1)) if is_date(b) else _utc(b)
        return cls(sa, sb)

    @classmethod
    def days_ending(cls, last_day: date, days: int) -> "Window":
        """The `days` whole days ending with last_day (inclusive)."""
        return cls(day_start(last_day - timedelta(days=days - 1)), day_start(last_day + timedelta(days=1)))

    @property
    def params(self) -> dict[str, datetime]:
        return {"start": self.start, "end": self.end}

    def to_json(self) -> dict[str, str]:
        return {"start": _iso(self.start), "end": _iso(self.end)}


def _iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def fetch_one(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None,
              **kw: Any) -> dict[str, Any]:
    """Run a one-row query file and return {column: value} with NaN turned into None."""
    cur = warehouse.run(con, name, params, **kw)
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        return {c: None for c in cols}
    return {c: _num(v) for c, v in zip(cols, rows[0])}


def fetch_df(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None,
             **kw: Any) -> pd.DataFrame:
    return warehouse.run(con, name, params, **kw).df()


def _num(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, Decimal):
        return float(v)
    return v


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or not den:
        return None
    return num / den


def summary(con: duckdb.DuckDBPyConnection, window: Window) -> dict[str, Any]:
    """The raw one-row summary of queries/metrics/summary.sql (counts and values) for a window."""
    return fetch_one(con, "metrics/summary", window.params)


def incidents(con: duckdb.DuckDBPyConnection, window: Window) -> dict[str, Any]:
    """Incidents for a window: open at its end by severity, opened/resolved in it, time to resolve, postmortems."""
    df = fetch_df(con, "incidents/summary", window.params)
    by_sev = {s: {"open": 0, "opened": 0, "resolved": 0} for s in SEVERITIES}
    total: dict[str, Any] = {}
    major = {"open": 0, "postmortems_due": 0, "postmortems_on_time": 0}
    for row in df.to_dict("records"):
        row = {k: _num(v) if not (isinstance(v, float) and math.isnan(v)) else None for k, v in row.items()}
        sev = row["severity"]
        if sev is None:
            total = row
            continue
        by_sev[sev] = {"open": int(row["open_at_end"] or 0), "opened": int(row["opened"] or 0),
                       "resolved": int(row["resolved"] or 0)}
        if sev in MAJOR_SEVERITIES:
            major["open"] += int(row["open_at_end"] or 0)
            major["postmortems_due"] += int(row["postmortems_due"] or 0)
            major["postmortems_on_time"] += int(row["postmortems_on_time"] or 0)
    due = int(total.get("postmortems_due") or 0)
    on_time = int(total.get("postmortems_on_time") or 0)
    return {
        "open_by_severity": {s: v["open"] for s, v in by_sev.items()},
        "opened": int(total.get("opened") or 0),
        "resolved": int(total.get("resolved") or 0),
        "mean_hours_to_resolve": total.get("mean_hours_to_resolve"),
        "median_hours_to_resolve": total.get("median_hours_to_resolve"),
        "max_hours_to_resolve": total.get("max_hours_to_resolve"),
        "postmortems_due": due,
        "postmortems_on_time": on_time,
        "postmortem_24h_rate": _ratio(on_time, due),
        "open_major": major["open"],
        "major_postmortems_due": major["postmortems_due"],
        "major_postmortems_late": major["postmortems_due"] - major["postmortems_on_time"],
    }


def from_summary(s: dict[str, Any]) -> dict[str, Any]:
    """Shape a summary row into the "metrics" object (rates 0-1, None where there is no data)."""

    def pct(prefix: str) -> dict[str, float | None]:
        return {p: s[f"{prefix}_{p}"] for p in PERCENTILES}

    return {
        "active_sessions": s["active_sessions"],
        "new_sessions": s["new_sessions"],
        "successful_sessions": s["successful_sessions"],
        "tool_call_success_rate": s["tool_call_success_rate"],
        "turn_error_rate": s["turn_error_rate"],
        "total_cost_usd": s["total_cost_usd"],
        "cost_per_session": s["cost_per_session"],
        "cost_per_successful_session": s["cost_per_successful_session"],
        "latency_ms": pct("latency"),
        "ttft_ms": pct("ttft"),
        "tokens": {
            "input": s["input_tokens"],
            "output": s["output_tokens"],
        },
        "feedback": {
            "responses": s["responses"],
            "mean_rating": s["mean_rating"],
            "csat": s["csat"],
            "thumbs_up_rate": s["thumbs_up_rate"],
            "response_rate": s["response_rate"],
        },
        "samples": {
            "active_sessions": s["active_sessions"],
            "tool_calls": s["tool_calls"],
            "turns": s["turns"],
            "latency_ms": s["latency_n"],
            "ttft_ms": s["ttft_n"],
            "priced_turns": s["priced_turns"],
            "turns_with_tokens": s["turns_with_tokens"],
            "successful_sessions": s["successful_sessions"],
            "feedback_responses": s["responses"],
            "ratings": s["ratings"],
            "thumbs": s["thumbs"],
        },
        "coverage": {
            "latency_ms": _ratio(s["latency_n"], s["ok_turns"]),
            "ttft_ms": _ratio(s["ttft_n"], s["ok_turns"]),
            "cost": _ratio(s["priced_turns"], s["turns"]),
            "tokens": _ratio(s["turns_with_tokens"], s["turns"]),
        },
    }


def compute(con: duckdb.DuckDBPyConnection, window: Window, config: Config, *,
            include_finance: bool = True) -> dict[str, Any]:
    """All metrics for a window, in the strict-JSON shape of `launchkit metrics --json`.

    {"window": {...}, "metrics": {...}, "data_quality": {...}}; with include_finance a "finance" key
    (burn as of the window's last day) is added.
    """
    from launchkit import quality

    s = summary(con, window)
    metrics = from_summary(s)
    metrics["incidents"] = incidents(con, window)
    dq = quality.assess(con, window, config)
    # metrics whose coverage gates failed: shown, but a verdict on them would be UNTRUSTED DATA
    metrics["untrusted"] = {k: g for k in UNTRUSTED_KEYS if (g := quality.failed_gates_for(UNTRUSTED_KEYS[k], dq))}
    out: dict[str, Any] = {"window": window.to_json(), "metrics": metrics, "data_quality": dq}
    if include_finance:
        from launchkit import finance

        out["finance"] = finance.burn(con, config, (window.end - timedelta(microseconds=1)).date())
    return clean(out)


def breakdown(con: duckdb.DuckDBPyConnection, window: Window, by: str) -> pd.DataFrame:
    """Metrics for a window per tenant, cohort, release, model or tool (one row per value, column `value`)."""
    if by not in BREAKDOWNS:
        warehouse.identifier(by, BREAKDOWNS)  # raises QueryError naming the allowed values
    query, column = BREAKDOWNS[by]
    ids = {"column": warehouse.identifier(column, ("tenant_id", "cohort", "release"))} if column else None
    df = fetch_df(con, query, window.params, identifiers=ids)
    return df.rename(columns={"value": by})


def timeseries(con: duckdb.DuckDBPyConnection, start: datetime | date | str, end: datetime | date | str,
               grain: str = "hour") -> pd.DataFrame:
    """One row per hour or day bucket in [start, end); buckets without data have NULL metrics.

    start is floored and end ceiled to the bucket edge; dates mean whole days (end inclusive).
    """
    if grain not in GRAINS:
        raise LaunchkitError(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    w = Window.range(start, end)
    step = timedelta(hours=1) if grain == "hour" else timedelta(days=1)
    s = w.start.replace(minute=0, second=0, microsecond=0)
    if grain == "day":
        s = s.replace(hour=0)
    e = s
    while e < w.end:
        e += step
    return fetch_df(con, "metrics/timeseries", {"start": s, "end": e, "grain": grain})


def latency_values(con: duckdb.DuckDBPyConnection, window: Window) -> dict[str, Any]:
    """numpy arrays of latency_ms and ttft_ms of the window's ok turns (NaN where missing)."""
    arrays = warehouse.run(con, "metrics/latency_values", window.params).fetchnumpy()
    import numpy as np

    return {k: np.asarray(v, dtype=float) for k, v in arrays.items()}


def session_costs(con: duckdb.DuckDBPyConnection, window: Window):
    """numpy array of each active session's cost in the window (mean = cost_per_session)."""
    import numpy as np

    arrays = warehouse.run(con, "metrics/session_costs", window.params).fetchnumpy()
    return np.asarray(arrays["cost_usd"], dtype=float)
