"""The debrief's drill-down: one day against its baseline, for the whole pilot or one tenant, cohort, release,
model or tool (launchkit.analytics.scope), with the daily series its charts draw.

The numbers come from the same queries as `launchkit metrics` and the decision (the scoped queries insert
the same fragments), so with no scope the headline equals `launchkit metrics --date D --json`'s metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any, TypedDict

import pandas as pd

from launchkit.analytics import decision, metrics, quality
from launchkit.analytics.comparisons import DayComparison
from launchkit.analytics.scope import DIMENSIONS, Scope
from launchkit.config import Config
from launchkit.jsonclean import clean
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window


class DrillJson(TypedDict):
    """A drill-down as strict JSON (Drill.to_json)."""

    day: str
    scope: dict[str, str] | None
    metrics: dict[str, Any]
    comparisons: list[DayComparison]
    baseline: dict[str, Any]


@dataclass
class Drill:
    """A day (and its baseline) seen through one scope, or the whole pilot (scope None)."""

    day: date
    scope: Scope | None
    metrics: dict[str, Any]  # the "metrics" object of `launchkit metrics --json` (from_summary), strict JSON
    comparisons: list[DayComparison]  # for the scope
    baseline: dict[str, Any]  # the baseline window and its length in days
    daily: pd.DataFrame  # metrics.timeseries by day over the baseline and the day, for the scope

    def to_json(self) -> DrillJson:
        return clean(
            {
                "day": self.day,
                "scope": None if self.scope is None else self.scope.to_json(),
                "metrics": self.metrics,
                "comparisons": self.comparisons,
                "baseline": self.baseline,
            }
        )


def drill(
    db: QueryRunner, day: date, config: Config, scope: Scope | None = None, dq: quality.DataQuality | None = None
) -> Drill:
    """The day against its baseline for a scope: headline metrics, comparisons and the daily series.

    A comparison whose metric depends on a failed data-quality gate of the day is UNTRUSTED DATA, as in
    the decision (the gates are the whole day's: `dq`, else computed).
    """
    d = day
    vs = decision.day_vs_baseline(db, d, config, scope)
    decision.mark_untrusted(vs.comparisons, dq if dq is not None else quality.assess(db, vs.day, config))
    daily = metrics.timeseries(db, vs.baseline.start, vs.day.end, grain="day", scope=scope, tz=config.report_zone)
    return Drill(
        day=d,
        scope=scope,
        metrics=clean(metrics.from_summary(vs.s_day)),
        comparisons=clean(vs.comparisons),
        baseline={
            **vs.baseline.to_json(),
            "days": config.decision["baseline_days"],
            **(vs.reference.to_json() if vs.reference else {}),
        },
        daily=daily,
    )


def choices(db: QueryRunner, day: date, tz: tzinfo) -> dict[str, list[tuple[str, int]]]:
    """What can be drilled into on a day: per dimension, each value with activity that day and its active
    sessions, busiest first (metrics.breakdown's rows). The day is a calendar day of the zone `tz`."""
    w = Window.day(day, tz=tz)
    out: dict[str, list[tuple[str, int]]] = {}
    for by in DIMENSIONS:
        df = metrics.breakdown(db, w, by)
        out[by] = [(str(v), int(n)) for v, n in zip(df[by], df["active_sessions"])]
    return out
