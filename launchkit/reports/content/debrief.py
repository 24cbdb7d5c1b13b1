"""The end-of-day debrief as data: the day against its baseline, the recommendation, feedback and incidents.

`build` reads the warehouse once for the day and returns a `DebriefReport` holding every table, figure
and verdict the debrief notebook draws, its headline and its JSON summary (`summary()`), so a test can
check them without a kernel and a renamed analytics key fails here, not in a notebook cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any

import pandas as pd

from launchkit.analytics import (
    decision,
    explain,
    headlines,
    incident_update,
    metrics,
    overview,
    records,
    themes,
    triage,
)
from launchkit.analytics.comparisons import DayComparison
from launchkit.analytics.criteria import CriterionJson
from launchkit.analytics.reasons import Reason
from launchkit.catalogue import display_name
from launchkit.config import Config
from launchkit.reports.content import shape
from launchkit.reports.content.shape import decision_verdicts
from launchkit.reports.text import fmt, plural
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window

TITLE = "End-of-day debrief"

# the feedback tiles: (key, catalogue metric (its figure in the day's metrics' "feedback" too), the sample
# count behind it, its noun)
_FEEDBACK = (
    ("mean_rating", "mean_rating", "ratings", "rating"),
    ("csat", "csat", "ratings", "rating"),
    ("thumbs_up", "thumbs_up_rate", "thumbs", "thumb"),
)
_DIGITS = {"mean_rating": 2}


@dataclass(frozen=True)
class DebriefReport:
    """Everything the debrief shows for one day (a calendar day of the report zone)."""

    day: date
    window: Window
    redact: bool
    decision: decision.DecisionJson  # recommendation, reasons, comparisons, criteria
    metrics: metrics.Metrics  # the day's metrics (overview.compute)
    metrics_window: dict[str, Any]
    where: pd.DataFrame  # the segments behind each reason (explain.where_table)
    statistics: pd.DataFrame  # each reason led by a culprit with the statistics it rests on
    events: pd.DataFrame  # releases, rollout changes and incidents in the 14 days before
    daily: pd.DataFrame  # the baseline's days and the day, per day (metrics.timeseries)
    feedback: pd.DataFrame  # the day's feedback rows (redacted unless redact is False)
    feedback_tiles: tuple[headlines.Tile, ...]
    themes: pd.DataFrame
    new_complaints: pd.DataFrame
    repeats: pd.DataFrame  # near-duplicate comments seen more than once
    verbatims: pd.DataFrame  # the day's comments, negative first
    incidents: pd.DataFrame
    updates: tuple[incident_update.IncidentUpdate, ...]

    @property
    def title(self) -> str:
        return f"{TITLE} {self.day.isoformat()}"

    @property
    def recommendation(self) -> str:
        """EXPAND, HOLD or ROLLBACK."""
        return str(self.decision["recommendation"])

    @property
    def reasons(self) -> list[Reason]:
        return list(self.decision["reasons"])

    @property
    def comparisons(self) -> list[DayComparison]:
        return list(self.decision["comparisons"])

    @property
    def criteria(self) -> list[CriterionJson]:
        """The GA criteria as of the day (CriterionResult.to_json() each)."""
        return list(self.decision["criteria"]["criteria"])

    @property
    def baseline_days(self) -> int:
        return int(self.decision["baseline"]["days"])

    @property
    def data_quality(self) -> dict[str, Any]:
        return dict(self.decision["data_quality"])

    @property
    def targets(self) -> dict[str, CriterionJson]:
        """Each judged metric's criterion (its pass and fail lines), for the trend charts."""
        return {c["metric"]: c for c in self.criteria}

    @property
    def headline(self) -> str:
        """'HOLD: <first reason>; <second reason>' (two reasons led by one culprit say it once), or the
        recommendation with 'no regression, criteria clear'."""
        said = "; ".join(list(dict.fromkeys(r["message"] for r in self.reasons))[:2])
        return f"{self.recommendation}: " + (said or "no regression, criteria clear")

    def summary(self) -> dict[str, Any]:
        """The report's machine-readable summary (the notebook's cell tagged `summary` displays it)."""
        d = self.decision
        period = {"window": self.metrics_window, "metrics": self.metrics, "data_quality": d["data_quality"]}
        return shape.summary(
            self,
            period,
            decision_verdicts(d),
            {
                "action": d["recommendation"],
                "reasons": d["reasons"],
                "data_sufficient": d["data_sufficient"],
                "data_needed": d["data_needed"],
                "ga_ready": d["ga_ready"],
            },
            baseline=d["baseline"],
            comparisons=d["comparisons"],
            feedback={
                "responses": len(self.feedback),
                "comments": int(self.feedback["comment"].notna().sum()),
                "themes": self.themes,
            },
            tiles=[t.to_json() for t in self.feedback_tiles],
            incidents=self.incidents,
            incident_updates=[u.to_json() for u in self.updates],
        )


def _named(where: pd.DataFrame) -> pd.DataFrame:
    """The segments table with each metric by its display name, as every report names it."""
    return where.assign(metric=where["metric"].map(display_name)) if len(where) else where


def feedback_tiles(m: Mapping[str, Any], criteria: Sequence[Mapping[str, Any]]) -> tuple[headlines.Tile, ...]:
    """The day's feedback tiles: responses (a figure, uncoloured), then average rating, CSAT and thumbs up.

    A tile whose metric a GA criterion judges shows that criterion's value, window, sample and state
    (headlines.criterion_tile), with the day's own figure beside it; one no criterion judges shows the
    day's figure, uncoloured."""
    f, samples = m["feedback"], m["samples"]
    by_metric = {c["metric"]: c for c in criteria if c.get("applies", True)}
    out = [
        headlines.Tile(
            "responses",
            "Feedback responses",
            f["responses"],
            "",
            "na",
            "the day",
            note=f"response rate {fmt(f['response_rate'], '%')}",
        )
    ]
    for key, metric, count, noun in _FEEDBACK:
        unit = "/ 5" if metric == "mean_rating" else "%"
        day_value = f"the day: {fmt(f[metric], '' if unit == '/ 5' else unit, _DIGITS.get(metric))}"
        day_value += f" ({plural(samples[count], noun)})"
        judged = by_metric.get(metric)
        if judged is not None:
            t = headlines.criterion_tile(judged, key=key, n_of=noun, note=day_value)
            out.append(t if metric != "mean_rating" else _with_unit(t, unit))
        else:
            out.append(
                headlines.Tile(
                    key, display_name(metric), f[metric], unit, "na", "the day", samples[count], noun,
                )
            )  # fmt: skip
    return tuple(out)


def _with_unit(t: headlines.Tile, unit: str) -> headlines.Tile:
    return headlines.Tile(t.key, t.label, t.value, unit, t.state, t.window, t.n, t.n_of, t.note, t.source)


def build(db: QueryRunner, day: date, config: Config, tz: tzinfo, *, redact: bool) -> DebriefReport:
    """The debrief of `day`: the decision (criteria as of the day), the day's metrics, what explains the
    reasons, the feedback of the day against the baseline's, and the incidents open during the day."""
    window = Window.day(day, tz=tz)
    d = decision.decide(db, day, config, store=False).to_json()
    result = overview.compute(db, window, config, include_finance=False)
    base_days = int(d["baseline"]["days"])
    fb = records.feedback(db, window, redact=redact)
    base_fb = records.feedback(db, Window(window.start - pd.Timedelta(days=base_days), window.start), redact=redact)
    repeats = triage.near_duplicates(fb)
    return DebriefReport(
        day=day,
        window=window,
        redact=redact,
        decision=d,
        metrics=result["metrics"],
        metrics_window=result["window"],
        where=_named(pd.DataFrame(explain.where_table(d["reasons"]))),
        statistics=pd.DataFrame(
            [{"reason": r["message"], "statistics": r["detail"]} for r in d["reasons"] if r.get("detail")]
        ),
        events=pd.DataFrame(explain.timeline(db, Window(window.end - explain.LOOKBACK, window.end), redact=redact)),
        daily=metrics.timeseries(db, day - timedelta(days=base_days), day, grain="day", tz=tz),
        feedback=fb,
        feedback_tiles=feedback_tiles(result["metrics"], d["criteria"]["criteria"]),
        themes=themes.themes(fb["comment"], redact=redact),
        new_complaints=triage.new_complaints(fb, base_fb),
        repeats=repeats[repeats["count"] > 1].assign(
            sessions=repeats["sessions"].map(", ".join), tenants=repeats["tenants"].map(", ".join)
        ),
        verbatims=triage.ordered(fb[fb["comment"].notna()]),
        incidents=records.incidents(db, window, redact=redact),
        updates=tuple(incident_update.updates(db, window, redact=redact, tz=tz)),
    )
