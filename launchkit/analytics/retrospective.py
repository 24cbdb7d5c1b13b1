"""The pilot's retrospective, for the playbook's "schedule a retrospective" step: its lessons in one place.

Three parts, each with the data behind it, over the pilot (its first day to the day asked for):

- incidents: every incident open during the pilot with its impact, duration, remediation (its update,
  launchkit.analytics.incident_update), its action items and whether its postmortem came within 24 hours
  of resolution (on time, late, missing, or not due yet);
- themes: the recurring feedback themes over the whole pilot (launchkit.analytics.themes on every comment,
  redacted unless `redact=False`), and those of the negative feedback (rating 1-2 or thumbs down);
- criteria: the GA criteria ordered by how long they took to pass, slowest first: each one's verdict on
  every day of the pilot (launchkit.analytics.criteria.evaluate_one over its trailing window), the first
  day it passed, and the day it passed and then held through the last day (with its held_days rule met).
  A criterion that has not passed and held yet comes first.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any, TypedDict

from launchkit.analytics import criteria as crit
from launchkit.analytics import finance, incident_update, records, themes
from launchkit.config import Config
from launchkit.jsonclean import clean
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window

# one letter per day in a criterion's verdict timeline
VERDICT_CODES = {
    crit.PASS: "P",
    crit.MARGINAL: "M",
    crit.FAIL: "F",
    crit.INSUFFICIENT: "·",
    crit.UNTRUSTED: "U",
}
_CRITICALITY_ORDER = {"critical": 0, "normal": 1, "report-only": 2}


class RetroIncident(incident_update.IncidentUpdateJson):
    """An incident as the retrospective lists it: its update, and whether its postmortem came on time."""

    postmortem: str  # on time / late / missing / not due yet / not due (open)
    postmortem_hours_after_resolution: float | None


class Retrospective(TypedDict):
    """The pilot's lessons as of a day (`retrospective`), strict JSON."""

    period: dict[str, Any]  # first_day, last_day (ISO days), days, start, end
    incidents: list[RetroIncident]
    postmortems: dict[str, int]  # by whether on time
    feedback: dict[str, int]  # responses, comments, negative, negative_comments
    themes: list[dict[str, Any]]  # themes.themes rows
    negative_themes: list[dict[str, Any]]
    criteria: list[CriterionHistory]


class Evidence(TypedDict):
    """A criterion's verdict on the day it passed (else the last day): what the retrospective shows of it."""

    day: str
    verdict: str
    value: float | None
    interval: dict[str, Any] | None
    n: int | None
    note: str


class CriterionHistory(TypedDict):
    """A criterion's days over the pilot (`criteria_history`), strict JSON: when it first passed, since when
    it has held, the day it passed for its held_days, the setbacks and a verdict letter a day."""

    criterion: str
    metric: str
    group: str
    criticality: str
    applies: bool
    held_days: int
    first_passed: str | None
    held_from: str | None
    passed_on: str | None
    days_to_pass: int | None
    setbacks: int
    verdict: str | None
    timeline: str
    evidence: Evidence | None


def criteria_history(
    db: QueryRunner, config: Config, first: date, last: date, *, context: crit.Context | None = None
) -> list[CriterionHistory]:
    """Every criterion's daily verdicts from `first` to `last`, when it first passed and since when it has
    held; ordered slowest to pass first (see the module)."""
    ctx = context or crit.Context(db, config, config.settings.criteria.confidence)
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    out: list[dict[str, Any]] = []
    for c in config.criteria:
        results = [crit.evaluate_one(ctx, c, d) for d in days]
        applies = bool(results) and results[-1].applies
        verdicts = [r.verdict for r in results]
        passed = [d for d, v in zip(days, verdicts) if v == crit.PASS]
        held_from = None
        k = len(verdicts)
        while k > 0 and verdicts[k - 1] == crit.PASS:
            k -= 1
        if k < len(verdicts):
            held_from = days[k]
        ready_on = held_from + timedelta(days=c.held_days - 1) if held_from is not None else None
        if ready_on is not None and ready_on > last:
            ready_on = None  # passing, but not yet for held_days days
        at = results[days.index(ready_on)] if ready_on is not None else (results[-1] if results else None)
        out.append(
            {
                "criterion": c.name,
                "metric": c.metric,
                "group": c.group,
                "criticality": c.criticality,
                "applies": applies,
                "held_days": c.held_days,
                "first_passed": passed[0] if passed else None,
                "held_from": held_from,
                "passed_on": ready_on,
                "days_to_pass": (ready_on - first).days + 1 if ready_on is not None else None,
                "setbacks": sum(1 for a, b in pairwise(verdicts) if a == crit.PASS and b != crit.PASS),
                "verdict": verdicts[-1] if verdicts else None,
                "timeline": "".join(VERDICT_CODES.get(v, "?") for v in verdicts),
                "evidence": None if at is None else {"day": ready_on or last, **_evidence(at)},
            }
        )
    pending = [r for r in out if r["applies"] and r["passed_on"] is None]
    passed_rows = [r for r in out if r["applies"] and r["passed_on"] is not None]
    pending.sort(key=lambda r: (_CRITICALITY_ORDER.get(str(r["criticality"]), 9), str(r["criterion"])))
    passed_rows.sort(key=lambda r: (-int(r["days_to_pass"]), str(r["criterion"])))
    return clean(pending + passed_rows + [r for r in out if not r["applies"]])


def _evidence(r: crit.CriterionResult) -> dict[str, Any]:
    """A result's part of its Evidence (the day is the caller's)."""
    return {"verdict": r.verdict, "value": r.value, "interval": r.interval, "n": r.n, "note": r.note}


def _postmortem(u: incident_update.IncidentUpdate, as_of_end: Any) -> str:
    if u.resolved_at is None:
        return "not due (open)"
    due = u.resolved_at + incident_update.POSTMORTEM_WITHIN
    if u.postmortem_at is not None:
        return "on time" if u.postmortem_at <= due else "late"
    return "missing" if as_of_end >= due else "not due yet"


def retrospective(
    db: QueryRunner, config: Config, as_of: date, *, redact: bool = True, context: crit.Context | None = None
) -> Retrospective:
    """The pilot's lessons as of a day (strict JSON): incidents, themes and criteria, each with its data."""
    last = as_of
    start = finance.pilot_period(db, config)["start"] or last
    first = min(start, last)
    w = Window.days(first, last, config.report_zone)
    ups = incident_update.updates(db, w, redact=redact, tz=config.report_zone)
    incidents: list[RetroIncident] = []
    for u in ups:
        after = (
            (u.postmortem_at - u.resolved_at).total_seconds() / 3600
            if u.postmortem_at is not None and u.resolved_at is not None
            else None
        )
        incidents.append(
            {**u.to_json(), "postmortem": _postmortem(u, w.end), "postmortem_hours_after_resolution": after}
        )
    pm = [i["postmortem"] for i in incidents]
    fb = records.feedback(db, w, redact=redact)  # redacted here once; themes need not redact again
    negative = fb[(fb["rating"] <= 2) | (fb["thumbs"] == "down")]
    return clean(
        {
            "period": {"first_day": first, "last_day": last, "days": (last - first).days + 1, **w.to_json()},
            "incidents": incidents,
            "postmortems": {k: pm.count(k) for k in ("on time", "late", "missing", "not due yet", "not due (open)")},
            "feedback": {
                "responses": len(fb),
                "comments": int(fb["comment"].notna().sum()),
                "negative": len(negative),
                "negative_comments": int(negative["comment"].notna().sum()),
            },
            "themes": themes.themes(fb["comment"], redact=False).to_dict("records"),
            "negative_themes": themes.themes(negative["comment"], redact=False).to_dict("records"),
            "criteria": criteria_history(db, config, first, last, context=context),
        }
    )
