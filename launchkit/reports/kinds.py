"""The four reports: their notebooks, titles, the period each covers, and the file name of a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from launchkit.window import local, repeated

SUMMARY_SCHEMA = "launchkit.report/1"
SUMMARY_TAG = "summary"  # the notebook cell whose output is the report's JSON summary
SUMMARY_MIME = "application/json"

_COMMON = (
    "launchkit.reports.page.notebook",
    "launchkit.reports.page.charts",
    "launchkit.reports.page.widgets",
    "launchkit.analytics.metrics",
)


@dataclass(frozen=True)
class ReportKind:
    name: str
    notebook: str
    title: str
    grain: str  # "hour" or "day": what the report's --at / --date selects
    preload: tuple[str, ...] = ()  # modules the kernel imports while it starts (see kernel.start_kernel)
    # covers the pilot from its first day to the report's day (finance.pilot_to_date): a day before
    # the pilot's first day is refused in one line before a notebook runs
    pilot_to_date: bool = False


KINDS: dict[str, ReportKind] = {
    "hourly": ReportKind(
        "hourly", "hourly.ipynb", "Hourly pilot report", "hour", _COMMON + ("launchkit.analytics.checks",)
    ),
    "cost": ReportKind(
        "cost",
        "cost_burn.ipynb",
        "Cost and burn",
        "day",
        _COMMON
        + (
            "launchkit.analytics.finance",
            "launchkit.analytics.criteria",
            "launchkit.analytics.reconcile",
            "launchkit.analytics.pricing",
        ),
        pilot_to_date=True,
    ),
    "debrief": ReportKind(
        "debrief",
        "debrief.ipynb",
        "End-of-day debrief",
        "day",
        _COMMON + ("launchkit.analytics.decision", "launchkit.analytics.themes"),
    ),
    "ga": ReportKind(
        "ga",
        "ga_readiness.ipynb",
        "GA readiness and go/no-go",
        "day",
        _COMMON + ("launchkit.analytics.decision", "launchkit.analytics.finance", "launchkit.analytics.gonogo"),
        pilot_to_date=True,
    ),
}
COMMON_PRELOAD = _COMMON


@dataclass
class ReportResult:
    """What one report run wrote, and the summary it produced."""

    kind: str
    stamp: str
    html: Path
    ipynb: Path
    json: Path
    summary: dict[str, Any]
    pdf: Path | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def breaches(self) -> list[dict[str, Any]]:
        return [v for v in self.summary.get("verdicts", []) if v.get("status") == "breach"]


def stamp_for(kind: str, at: datetime | None = None, day: date | None = None, *, tz: tzinfo) -> str:
    """File name stem of a report: the hour (2026-03-05T14) or the day (2026-03-05) it covers, as the
    report zone's clock and calendar show them ([reports] timezone). The second of two hours the
    clocks repeat (when daylight time ends) carries its UTC offset, so both have a report:
    2026-11-01T01 then 2026-11-01T01-0500 (New York), sorting between T01 and T02."""
    if KINDS[kind].grain == "hour":
        if at is None:
            raise ValueError(f"{kind} reports cover an hour: give `at`")
        wall = local(at, tz)
        return wall.strftime("%Y-%m-%dT%H") + (wall.strftime("%z") if repeated(wall) else "")
    if day is None:
        raise ValueError(f"{kind} reports cover a day: give `day`")
    return day.isoformat()


def hour_of_stamp(stem: str, tz: tzinfo) -> datetime | None:
    """The start (UTC) of the hour an hourly report's stamp names (stamp_for's inverse: the zone's wall
    clock, the offset when it carries one); None when the name is not such a stamp."""
    try:
        if len(stem) > 13:  # 2026-11-01T01-0500: the repeated hour, with its offset
            return datetime.strptime(stem, "%Y-%m-%dT%H%z").astimezone(UTC)
        wall = datetime.strptime(stem, "%Y-%m-%dT%H")
    except ValueError:
        return None
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
