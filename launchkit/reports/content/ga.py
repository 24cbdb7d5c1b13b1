"""The GA readiness report as data: the go/no-go, the criteria with their evidence, trends and retrospective.

`build` assesses the day once (launchkit.analytics.gonogo.assess, the verdict `launchkit readiness`
prints) and returns a `GaReport` holding everything the GA notebook draws, its opening paragraph and
scorecard in its reader's words (launchkit.reports.content.ga_words) and its JSON summary (`summary()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from launchkit.analytics import finance, gonogo, incident_update, metrics, overview, retrospective
from launchkit.analytics.criteria import Blocker, CriterionJson, ReadinessJson
from launchkit.analytics.decision import DecisionJson
from launchkit.analytics.gonogo import ChecklistItem, GoNoGo
from launchkit.config import Config
from launchkit.reports.content import ga_words, shape
from launchkit.reports.content.shape import criterion_verdict, held_days
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window

TITLE = "GA readiness and go/no-go"


@dataclass(frozen=True)
class GaReport:
    """Everything the GA report shows as of one day (a calendar day of the report zone)."""

    as_of: date
    tz: tzinfo
    first_day: date  # the pilot's first day with data (its trends start here)
    pilot: finance.Pilot
    assessment: gonogo.Assessment
    held: pd.DataFrame  # consecutive passing days per criterion
    daily: pd.DataFrame  # the pilot's days (metrics.timeseries)
    retrospective: retrospective.Retrospective
    open_updates: tuple[incident_update.IncidentUpdate, ...]  # incidents open at the end of the day
    week: overview.Overview  # overview.compute of the 7 days ending with as_of (the summary's metrics)

    @property
    def title(self) -> str:
        return f"{TITLE} as of {self.as_of.isoformat()}"

    @property
    def headline(self) -> str:
        """'NO-GO: 11 sign-offs pending; data criteria: 10/10 pass; today EXPAND' (as `launchkit readiness`)."""
        return str(self.assessment["headline"])

    @property
    def decision(self) -> DecisionJson:
        """The day's decision (decision.Decision.to_json())."""
        return self.assessment["decision"].copy()

    @property
    def readiness(self) -> ReadinessJson:
        """The criteria as of the day (Readiness.to_json()): ready, criteria, blockers, warnings."""
        return self.assessment["readiness"].copy()

    @property
    def criteria(self) -> list[CriterionJson]:
        return list(self.readiness["criteria"])

    @property
    def blockers(self) -> list[Blocker]:
        return list(self.readiness["blockers"])

    @property
    def warnings(self) -> list[str]:
        return list(self.readiness["warnings"])

    @property
    def checklist(self) -> list[ChecklistItem]:
        """The checklist's items and the items the data decides, as the go/no-go judges them."""
        return list(self.assessment["checklist"])

    @property
    def go_no_go(self) -> GoNoGo:
        return self.assessment["go_no_go"].copy()

    @property
    def targets(self) -> dict[str, CriterionJson]:
        """Each judged metric's criterion (its pass and fail lines), for the trend charts."""
        return {c["metric"]: c for c in self.criteria}

    @property
    def blocker_lines(self) -> list[str]:
        """What blocks GA by the criteria, one line each in words, then the criteria's warnings."""
        unevaluated = [
            f"warning: {ga_words.criterion_name(c)} not evaluated: {c.get('note')}"
            for c in self.criteria
            if not c.get("applies", True) and c.get("criticality") != "report-only"
        ]  # readiness's warnings, in display names
        return [ga_words.blocker_line(b, self.criteria) for b in self.blockers] + unevaluated

    @property
    def held_named(self) -> pd.DataFrame:
        """`held` with each criterion by its display name (the chart's labels)."""
        names = {c["name"]: ga_words.criterion_name(c) for c in self.criteria}
        return self.held.assign(criterion=self.held["criterion"].map(lambda n: names.get(n, n)))

    @property
    def themes(self) -> list[dict[str, Any]]:
        """The feedback themes that recur over the pilot (all feedback)."""
        return list(self.retrospective["themes"])

    @property
    def negative_themes(self) -> list[dict[str, Any]]:
        """The themes of the negative feedback (rating 1-2 or thumbs down) over the pilot."""
        return list(self.retrospective["negative_themes"])

    @property
    def glossary(self) -> tuple[tuple[str, str], ...]:
        return ga_words.GLOSSARY

    @property
    def opening(self) -> str:
        """The paragraph the report opens with, for a reader who has never seen the data."""
        return ga_words.opening(self.readiness, self.go_no_go, self.checklist, self.retrospective["criteria"])

    @property
    def scorecard(self) -> list[ga_words.ScoreRow]:
        """The criteria in their readers' words: display names, plain verdicts, one-line windows."""
        return [ga_words.score_row(c, self.tz) for c in self.criteria]

    @property
    def statistics(self) -> list[dict[str, str]]:
        """Per criterion, how its verdict was reached: method, interval, sample (the collapsed detail)."""
        return [ga_words.statistics_row(c, self.tz) for c in self.criteria]

    @property
    def histories(self) -> list[ga_words.History]:
        """Each criterion's daily verdicts over the pilot, slowest to pass first (the strip of days)."""
        r = self.retrospective
        first = r["period"]["first_day"]  # the retrospective's JSON: an ISO day
        return ga_words.histories(r["criteria"], first if isinstance(first, date) else date.fromisoformat(str(first)))

    def summary(self) -> dict[str, Any]:
        """The report's machine-readable summary (the notebook's cell tagged `summary` displays it)."""
        rd, gng, d = self.readiness, self.go_no_go, self.decision
        return shape.summary(
            self,
            self.week,
            [criterion_verdict(r) for r in rd["criteria"]],
            {
                "action": gng["decision"],
                "ga_ready": rd["ready"],
                "blockers": rd["blockers"],
                "open_items": gng["open_items"],
                "day_recommendation": d["recommendation"],
                "reasons": d["reasons"],
            },
            readiness=rd,
            checklist=self.checklist,
            held_days=self.held,
            freeze=self.assessment["freeze"],
            retrospective=self.retrospective,
        )


def build(
    db: QueryRunner, day: date, config: Config, tz: tzinfo, *, redact: bool, checklist: str | Path | None = None
) -> GaReport:
    """The GA report as of `day`: the assessment `launchkit readiness` prints, how long each criterion
    has held, the pilot's daily trends, the retrospective and the incidents still open."""
    first, _ = finance.pilot_to_date(db, config, day)  # a day before the pilot: one clear error
    ga = gonogo.assess(db, day, config, checklist)
    pilot = finance.pilot_period(db, config)
    open_updates = [
        u for u in incident_update.updates(db, Window.day(day, tz=tz), redact=redact, tz=tz) if u.resolved_at is None
    ]
    return GaReport(
        as_of=day,
        tz=tz,
        first_day=first,
        pilot=pilot,
        assessment=ga,
        held=held_days(ga["readiness"], since=pilot["start"]),
        daily=metrics.timeseries(db, first, day, grain="day", tz=tz),
        retrospective=retrospective.retrospective(db, config, day, redact=redact),
        open_updates=tuple(open_updates),
        week=overview.compute(db, Window.days_ending(day, 7, tz), config, include_finance=False),
    )
