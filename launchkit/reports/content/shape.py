"""What a report's JSON summary says: its head (the same in every report), verdict rows and days held.

No presentation: plain dicts and DataFrames that the summary, the index and an alert read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

import pandas as pd

from launchkit.window import parse_day


class Titled(Protocol):
    """A report's content: what its summary's head names it by."""

    @property
    def title(self) -> str: ...

    @property
    def headline(self) -> str: ...


def summary(
    report: Titled, period: Mapping[str, Any], verdicts: Sequence[Any], recommendation: Any, **sections: Any
) -> dict[str, Any]:
    """A report's JSON summary: the head every report starts with (its title and headline, the window,
    metrics and data quality of the period it reports on -- an overview.Overview --, its verdict rows and
    its recommendation, None where it makes none), then the report's own sections."""
    return {
        "title": report.title,
        "headline": report.headline,
        "window": period["window"],
        "metrics": period["metrics"],
        "data_quality": period["data_quality"],
        "verdicts": verdicts,
        "recommendation": recommendation,
        **sections,
    }


def decision_verdicts(d: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Machine-readable verdicts of a decision: each comparison and each criterion (for the JSON summary)."""
    out = []
    for c in d.get("comparisons", []):
        st = {"regressed": "breach", "watch": "watch", "improved": "ok", "no change": "ok"}.get(c.get("status"), "na")
        out.append(
            {
                "check": f"vs_baseline:{c['metric']}",
                "metric": c["metric"],
                "value": c.get("day_value"),
                "baseline": c.get("baseline_value"),
                "p_value": c.get("p_value"),
                "verdict": c.get("status"),
                "status": st,
            }
        )
    for r in d.get("criteria", {}).get("criteria", []):
        out.append(criterion_verdict(r))
    return out


def criterion_verdict(r: Mapping[str, Any]) -> dict[str, Any]:
    """A criteria result (Readiness.to_json()['criteria'][i]) as a verdict row."""
    st = {"PASS": "ok", "FAIL": "breach", "MARGINAL": "watch"}.get(str(r.get("verdict")), "na")
    return {
        "check": f"criterion:{r['name']}",
        "name": r["name"],
        "metric": r["metric"],
        "group": r.get("group"),
        "criticality": r.get("criticality"),
        "direction": r.get("direction"),
        "value": r.get("value"),
        "interval": r.get("interval"),
        "n": r.get("n"),
        "pass": r.get("pass"),
        "marginal": r.get("marginal"),
        "verdict": r.get("verdict"),
        "status": st,
        "held_since": r.get("held_since"),
        "note": r.get("note"),
    }


def held_days(readiness: Mapping[str, Any], since: date | None = None) -> Any:
    """Per criterion, the consecutive passing days up to the as-of day (0 when it does not pass),
    counted from `since` at the earliest (the pilot's first day: days before it had no data)."""
    as_of = parse_day(str(readiness["as_of"]), "as_of")  # the readiness record's JSON
    floor = since
    rows = []
    for r in readiness.get("criteria", []):
        since_r = r.get("held_since")
        start = parse_day(str(since_r), "held_since") if since_r else None
        if start is not None and floor is not None:
            start = max(start, floor)
        days = (as_of - start).days + 1 if start and r.get("verdict") == "PASS" else 0
        held = start.isoformat() if start else None
        rows.append({"criterion": r["name"], "verdict": r.get("verdict"), "held_since": held, "days_held": days})
    return pd.DataFrame(rows, columns=["criterion", "verdict", "held_since", "days_held"])
