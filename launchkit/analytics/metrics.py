"""Pilot metrics for any window, computed by the SQL files in queries/metrics/ (and incidents/).

Every window is half-open [start, end) in UTC; the buckets of `timeseries` are the report zone's
clock hours or calendar days (launchkit.window). Numbers are honest: a rate whose denominator is 0 is
None, not 0; percentiles are exact (quantile_cont) over ok turns; each metric carries the sample it
was computed from ("samples") and its coverage. `compute` returns the strict-JSON object printed by
`launchkit metrics --json`; `breakdown` and `timeseries` return DataFrames for reports.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any, NotRequired, TypedDict

import pandas as pd

from launchkit.analytics.scope import Scope
from launchkit.errors import LaunchkitError
from launchkit.store.sql import identifier
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, day_edges, hour_edges, hour_keys, local_day

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


class Samples(TypedDict):
    """How many observations each metric rests on (metrics' "samples")."""

    active_sessions: int
    tool_calls: int
    turns: int
    latency_ms: int
    ttft_ms: int
    priced_turns: int
    turns_with_tokens: int
    successful_sessions: int
    feedback_responses: int
    ratings: int
    thumbs: int


class Incidents(TypedDict):
    """Incidents of a window (`incidents`): open at its end by severity, opened and resolved in it, hours to
    resolve, postmortems (due, on time within 24 h; the major severities' apart)."""

    open_by_severity: dict[str, int]
    opened: int
    resolved: int
    mean_hours_to_resolve: float | None
    median_hours_to_resolve: float | None
    max_hours_to_resolve: float | None
    postmortems_due: int
    postmortems_on_time: int
    postmortem_24h_rate: float | None
    open_major: int
    major_postmortems_due: int
    major_postmortems_late: int


class Metrics(TypedDict):
    """The "metrics" object of a window (from_summary; overview.compute adds incidents and untrusted).

    Rates are fractions 0-1; a value without data is None; percentiles are keyed p50, p90, p95, p99."""

    active_sessions: int
    new_sessions: int
    successful_sessions: int
    tool_call_success_rate: float | None
    turn_error_rate: float | None
    total_cost_usd: float | None
    cost_per_session: float | None
    cost_per_successful_session: float | None
    latency_ms: dict[str, float | None]
    ttft_ms: dict[str, float | None]
    tokens: dict[str, int | None]
    feedback: dict[str, Any]
    samples: Samples
    coverage: dict[str, float | None]
    incidents: NotRequired[Incidents]
    untrusted: NotRequired[dict[str, list[str]]]


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or not den:
        return None
    return num / den


def _scoped(name: str, params: dict[str, Any], scope: Scope | None) -> tuple[str, dict[str, Any]]:
    """The query and parameters for the whole pilot, or for one drill-down scope (its `_scoped` twin)."""
    if scope is None:
        return name, params
    return f"{name}_scoped", {**params, **scope.params}


def summary(db: QueryRunner, window: Window, scope: Scope | None = None) -> dict[str, Any]:
    """The raw one-row summary of queries/metrics/summary.sql (counts and values) for a window, of the
    whole pilot or of one drill-down scope (launchkit.analytics.scope)."""
    return db.one(*_scoped("metrics/summary", window.params, scope))


def incidents(db: QueryRunner, window: Window) -> Incidents:
    """Incidents for a window: open at its end by severity, opened/resolved in it, time to resolve, postmortems."""
    df = db.frame("incidents/summary", window.params)
    by_sev = {s: {"open": 0, "opened": 0, "resolved": 0} for s in SEVERITIES}
    total: dict[str, Any] = {}
    major = {"open": 0, "postmortems_due": 0, "postmortems_on_time": 0}
    for row in df.to_dict("records"):
        row = {k: None if pd.isna(v) else v for k, v in row.items()}
        sev = row["severity"]
        if sev is None:
            total = row
            continue
        by_sev[sev] = {
            "open": int(row["open_at_end"] or 0),
            "opened": int(row["opened"] or 0),
            "resolved": int(row["resolved"] or 0),
        }
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


def from_summary(s: dict[str, Any]) -> Metrics:
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


def breakdown(db: QueryRunner, window: Window, by: str) -> pd.DataFrame:
    """Metrics for a window per tenant, cohort, release, model or tool (one row per value, column `value`)."""
    if by not in BREAKDOWNS:
        identifier(by, BREAKDOWNS)  # raises QueryError naming the allowed values
    query, column = BREAKDOWNS[by]
    ids = {"column": identifier(column, ("tenant_id", "cohort", "release"))} if column else None
    df = db.frame(query, window.params, identifiers=ids)
    return df.rename(columns={"value": by})


def timeseries(
    db: QueryRunner,
    start: datetime | date,
    end: datetime | date,
    grain: str = "hour",
    scope: Scope | None = None,
    *,
    tz: tzinfo,
) -> pd.DataFrame:
    """One row per hour or day bucket in [start, end); buckets without data have NULL metrics.

    Buckets are the zone's clock hours or calendar days (a day is 23 or 25 hours when the clocks
    change); `bucket` is each one's first instant (UTC). start is floored and end ceiled to the bucket
    edge; dates mean whole days of the zone (end inclusive). With a scope, only its rows count
    (launchkit.analytics.scope).
    """
    if grain not in GRAINS:
        raise LaunchkitError(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    w = Window.range(start, end, tz)
    if grain == "hour":
        edges = hour_edges(w.start, w.end, tz)
    else:
        edges = day_edges(local_day(w.start, tz), local_day(w.end - timedelta(microseconds=1), tz), tz)
    return db.frame(*_scoped("metrics/timeseries", bucket_params(edges), scope))


def bucket_params(edges: list[datetime]) -> dict[str, Any]:
    """Consecutive edges as the $starts / $ends lists of a bucketed query (bucket k is [starts[k], ends[k])),
    with $start / $end, the whole range, and $key_hours / $key_buckets (launchkit.window.hour_keys: how
    the query finds a row's bucket fast)."""
    key_hours, key_buckets = hour_keys(edges)
    return {
        "starts": edges[:-1],
        "ends": edges[1:],
        "start": edges[0],
        "end": edges[-1],
        "key_hours": key_hours,
        "key_buckets": key_buckets,
    }
