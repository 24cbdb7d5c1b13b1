"""The end-of-day decision: EXPAND, HOLD (mitigate) or ROLLBACK, with its reasons, stored for audit.

For a day D (a calendar day of the report zone, [reports] timezone: local midnight to midnight) the
day's metrics are compared with a reference (launchkit.analytics.baseline: by default the last known-good
period), direction-aware, one-sided, with a test fit for the data (launchkit.analytics.comparisons).
Every test of the evening is held to a share of the pilot's false-HOLD and false-ROLLBACK rates and
weighed against its minimum effect with its noise band (launchkit.analytics.family); the criteria
(launchkit.criteria) are evaluated over their trailing windows ending on D and, for the stability
metrics, over D alone.

- ROLLBACK: a SEV1 open at the end of D, or a severe regression of a stability metric (tool-call
  success, turn errors, latency) that also FAILs its criterion on D alone.
- HOLD: any other regression or watch, a criterion FAIL, a critical criterion not PASS (MARGINAL,
  INSUFFICIENT DATA, UNTRUSTED DATA), or too little data on D or in the baseline to compare.
  With too little data the decision says how much more it needs (data_needed).
- EXPAND: none of the above. With [capacity.limits] set, an EXPAND carries the expansion plan
  (launchkit.analytics.capacity.plan: the largest next step in sessions a day and tenants that keeps
  every rate limit within its headroom and the spend within the budget's runway, and what binds first),
  and its reason says it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import MutableMapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, TypedDict

import pandas as pd

import launchkit
from launchkit.analytics import baseline, explain, family, judged, quality, samples
from launchkit.analytics import criteria as crit
from launchkit.analytics import metrics as m
from launchkit.analytics.baseline import Reference
from launchkit.analytics.comparisons import (
    BY_NAME,
    COMPARISONS,
    REQUIRED,
    Comparison,
    DayComparison,
    compare,
    pooled_of,
)
from launchkit.analytics.quality import DataQuality
from launchkit.analytics.reasons import DataNeeded, Reason, for_comparison, for_criterion, needed_text
from launchkit.analytics.scope import Scope
from launchkit.catalogue import display_name
from launchkit.config import Config
from launchkit.jsonclean import clean
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, local_day

EXPAND, HOLD, ROLLBACK = "EXPAND", "HOLD", "ROLLBACK"


# comparison -> the criterion that must FAIL on the day alone for a ROLLBACK
ROLLBACK_CRITERIA = {
    "tool_call_success_rate": "tool_success",
    "turn_error_rate": "turn_error_rate",
    "latency_ms": "latency_p95",
}


class Confidence(TypedDict):
    """How sure a decision is: the error control of its tests, the criteria's interval level, enough data."""

    error_control: family.PlanJson | None
    interval_level: float
    data_sufficient: bool


class Delta(TypedDict):
    yesterday: float | None
    today: float | None
    change: float | None


class Changes(TypedDict):
    """What changed since yesterday: the recommendation and each snapshot metric (`_changes`)."""

    yesterday: date
    recommendation: dict[str, Any]  # yesterday, today, changed
    metrics: dict[str, Delta]


class DecisionJson(TypedDict):
    """A decision as strict JSON (Decision.to_json): what `launchkit decide --json`, the debrief and the
    decisions table read."""

    decision_id: str
    day: str
    decided_at: str
    recommendation: str
    ga_ready: bool
    data_sufficient: bool
    confidence: Confidence
    reasons: list[Reason]
    data_needed: list[DataNeeded]
    expansion_plan: dict[str, Any] | None
    comparisons: list[DayComparison]
    criteria: crit.ReadinessJson
    day_criteria: list[crit.CriterionJson]
    changes_since_yesterday: dict[str, Any]  # Changes, strict JSON
    data_quality: DataQuality
    baseline: dict[str, Any]
    day_metrics: dict[str, float | None]
    baseline_metrics: dict[str, float | None]
    thresholds: dict[str, Any]
    config_digest: str
    launchkit_version: str
    stored: bool


@dataclass
class Decision:
    """A day's recommendation with everything it was computed from."""

    day: date
    recommendation: str
    reasons: list[Reason]
    comparisons: list[DayComparison]
    criteria: crit.Readiness
    day_criteria: list[crit.CriterionJson]
    data_sufficient: bool
    data_needed: list[DataNeeded]
    changes: Changes
    data_quality: DataQuality
    baseline: dict[str, Any]
    day_metrics: dict[str, float | None]
    baseline_metrics: dict[str, float | None]
    thresholds: dict[str, Any]
    config_digest: str
    launchkit_version: str
    expansion_plan: dict[str, Any] | None = None  # EXPAND with [capacity.limits]: the next step (capacity.plan)
    decision_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    decided_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stored: bool = False

    @property
    def confidence(self) -> Confidence:
        return {
            "error_control": self.baseline.get("error_control"),
            "interval_level": self.criteria.confidence,
            "data_sufficient": self.data_sufficient,
        }

    def to_json(self) -> DecisionJson:
        return clean(
            {
                "decision_id": self.decision_id,
                "day": self.day,
                "decided_at": self.decided_at,
                "recommendation": self.recommendation,
                "ga_ready": self.criteria.ready,
                "data_sufficient": self.data_sufficient,
                "confidence": self.confidence,
                "reasons": self.reasons,
                "data_needed": self.data_needed,
                "expansion_plan": self.expansion_plan,
                "comparisons": self.comparisons,
                "criteria": self.criteria.to_json(),
                "day_criteria": self.day_criteria,
                "changes_since_yesterday": self.changes,
                "data_quality": self.data_quality,
                "baseline": self.baseline,
                "day_metrics": self.day_metrics,
                "baseline_metrics": self.baseline_metrics,
                "thresholds": self.thresholds,
                "config_digest": self.config_digest,
                "launchkit_version": self.launchkit_version,
                "stored": self.stored,
            }
        )


# ---------------------------------------------------------------------------------------------
# the decision


def _criteria_for_day(criteria: list[crit.Criterion]) -> list[crit.Criterion]:
    """The stability criteria re-windowed to the day alone, for the ROLLBACK confirmation."""
    names = set(ROLLBACK_CRITERIA.values())
    return [
        replace(c, window_days=1, held_days=1, min_sample=min(c.min_sample, 100)) for c in criteria if c.name in names
    ]


def _metric_snapshot(s: dict[str, Any]) -> dict[str, float | None]:
    """The figures of a summary row the decision keeps for the day and the baseline (None: no data)."""
    keys = (
        "active_sessions",
        "tool_calls",
        "tool_call_success_rate",
        "turns",
        "turn_error_rate",
        "latency_p50",
        "latency_p95",
        "ttft_p95",
        "total_cost_usd",
        "cost_per_session",
        "ratings",
        "csat",
        "thumbs",
        "thumbs_up_rate",
    )
    return {k: s.get(k) for k in keys}


def _changes(db: QueryRunner, day: date, today: dict[str, float | None], recommendation: str, tz: tzinfo) -> Changes:
    y = day - timedelta(days=1)
    s_y = _metric_snapshot(m.summary(db, Window.day(y, tz=tz)))
    deltas: dict[str, Delta] = {}
    for k, v in today.items():
        yv = s_y.get(k)
        deltas[k] = {"yesterday": yv, "today": v, "change": (v - yv) if (v is not None and yv is not None) else None}
    prev_rec = db.one("decision/latest_for_day", {"day": y}).get("recommendation")
    return {
        "yesterday": y,
        "recommendation": {
            "yesterday": prev_rec,
            "today": recommendation,
            "changed": prev_rec is not None and prev_rec != recommendation,
        },
        "metrics": deltas,
    }


@dataclass
class DayVsBaseline:
    """A day's metrics against its reference (launchkit.analytics.baseline): the windows, their summaries
    (metrics.summary rows) and the comparisons, of the whole pilot or of one drill-down scope."""

    day: Window
    baseline: Window
    s_day: dict[str, Any]
    s_base: dict[str, Any]
    comparisons: list[DayComparison]
    reference: Reference | None = None
    plan: family.Plan | None = None


def first_day(db: QueryRunner, tz: tzinfo) -> date | None:
    """The pilot's first day with data (of the report zone), or None without data."""
    first_at = db.one("metrics/activity_span")["first_at"]
    return local_day(first_at, tz) if first_at is not None else None


def reference(
    db: QueryRunner, day: date, config: Config, plan: family.Plan, memo: MutableMapping[Any, bool] | None = None
) -> Reference:
    """The day's reference (decision.baseline), judging earlier days from the data for last_good."""

    def judge(x: date, ref: Reference) -> bool:
        return _good(db, config, x, ref, plan)

    return baseline.reference(day, config.decision, first_day(db, config.report_zone), judge, memo, config.digest())


def _good(db: QueryRunner, config: Config, day: date, ref: Reference, plan: family.Plan) -> bool:
    """Whether a day passed every comparison against its own reference and no critical criterion FAILs on
    it (the stability criteria on the day alone, and the one-day criteria such as open major incidents)."""
    vs = day_vs_baseline(db, day, config, reference=ref, plan=plan)
    if any(c["status"] in ("regressed", "watch") for c in vs.comparisons):
        return False
    ctx = crit.Context(db, config, config.settings.criteria.confidence)
    crits = list(config.criteria)
    day_crits = [c for c in _criteria_for_day(crits) if c.criticality == "critical"]
    day_crits += [c for c in crits if c.criticality == "critical" and c.window_days == 1]
    return not any(crit.evaluate_one(ctx, c, day).verdict == crit.FAIL for c in day_crits)


def day_vs_baseline(
    db: QueryRunner,
    day: date,
    config: Config,
    scope: Scope | None = None,
    *,
    reference: Reference | None = None,
    plan: family.Plan | None = None,
) -> DayVsBaseline:
    """Compare a day with its reference, metric by metric (`compare`), counting only a scope's rows when given
    (launchkit.analytics.scope): the decision's comparisons, and the debrief's drill-down. Without a
    `reference` (a decision's, to reuse) it is chosen from the whole pilot's data, as the decision does.
    A metric whose day looks worse is also tested over the pooled window (yesterday, or the current run of
    days that were not good, with the day); every test of the evening is then classified together."""
    d = day
    opts = config.decision
    tz = config.report_zone
    plan = plan or family.plan(config, first_day(db, tz))
    ref = reference or globals()["reference"](db, d, config, plan)
    w_day, w_base, w_pool = Window.day(d, tz=tz), ref.window(tz), ref.pooled(tz)
    s_day, s_base = m.summary(db, w_day, scope), m.summary(db, w_base, scope)
    s_pool = m.summary(db, w_pool, scope) if w_pool is not None else None

    def one(c: Comparison, s: dict[str, Any], w: Window) -> DayComparison:
        test = (lambda: samples.compare(db, c.name, w, w_base, scope)) if c.kind == "distribution" else None
        return compare(c.name, c.kind, c.better, opts[c.min_key], opts, s, s_base, test)

    comparisons: list[DayComparison] = []
    for c in COMPARISONS:
        out = one(c, s_day, w_day)
        out["group"] = c.group
        if s_pool is not None and w_pool is not None and out.get("leans_worse"):
            pooled = one(c, s_pool, w_pool)
            if pooled["status"] != "insufficient data":
                out["pooled"] = pooled_of(pooled, w_pool.to_json())
        comparisons.append(out)
    quality_vs = judged.comparison(db, config, w_day, w_base, w_pool) if scope is None else None
    if quality_vs is not None:
        comparisons.append(quality_vs)
    family.classify(comparisons, plan)
    return DayVsBaseline(w_day, w_base, s_day, s_base, comparisons, ref, plan)


def mark_untrusted(comparisons: list[DayComparison], dq: DataQuality) -> None:
    """A comparison whose metric depends on a failed data-quality gate becomes UNTRUSTED DATA (in place)."""
    for c in comparisons:
        failed = quality.failed_gates_for(BY_NAME[c["metric"]].metric, dq)
        if failed and c["status"] != "insufficient data":
            c.update({"status": "untrusted data", "failed_gates": failed, "severe": False})


def decide(
    db: QueryRunner,
    day: date,
    config: Config,
    *,
    store: bool = True,
    history_days: int = 0,
    memo: MutableMapping[Any, bool] | None = None,
) -> Decision:
    """The end-of-day recommendation for `day`, stored in the decisions table unless store=False. `memo`
    (a dict the caller keeps) spares re-judging earlier days for the last-good baseline when the data have
    not changed between calls, e.g. deciding every evening of a finished pilot."""
    d = day
    opts = config.decision
    criteria = list(config.criteria)
    confidence = config.settings.criteria.confidence
    plan = family.plan(config, first_day(db, config.report_zone))
    ref = reference(db, d, config, plan, memo)
    vs = day_vs_baseline(db, d, config, reference=ref, plan=plan)
    w_day, w_base, s_day, s_base, comparisons = vs.day, vs.baseline, vs.s_day, vs.s_base, vs.comparisons

    ctx = crit.Context(db, config, confidence)
    readiness = crit.evaluate(db, d, config, history_days=history_days, criteria=criteria, context=ctx)
    day_results = [crit.evaluate_one(ctx, c, d) for c in _criteria_for_day(criteria)]
    day_verdicts = {r.criterion.name: r.verdict for r in day_results}
    incidents = m.incidents(db, w_day)
    dq = ctx.quality(w_day)
    mark_untrusted(comparisons, dq)

    reasons: list[Reason] = []
    rollback = False
    sev1 = int(incidents["open_by_severity"].get("SEV1", 0))
    if sev1:
        rollback = True
        reasons.append(
            {
                "code": "incident",
                "severity": "rollback",
                "metric": "open_major_incidents",
                "message": f"{sev1} SEV1 incident(s) open at the end of {d.isoformat()}",
            }
        )
    for c in comparisons:
        if c["status"] not in ("regressed", "watch"):
            continue
        day_crit = ROLLBACK_CRITERIA.get(c["metric"])
        confirmed = c["severe"] and day_crit is not None and day_verdicts.get(day_crit) == crit.FAIL
        rollback = rollback or confirmed
        reasons.append(
            {
                "code": "regression" if c["status"] == "regressed" else "watch",
                "severity": "rollback" if confirmed else "hold",
                "metric": c["metric"],
                "message": _regression_text(c, confirmed, day_crit, ref.ongoing_since),
                "ongoing_since": ref.ongoing_since,
                "decided_on": c.get("decided_on"),
                "effect": c["effect"],
                "effect_name": c.get("effect_name"),
                "p_value": c["p_value"],
                "test": c["test"],
                "n_day": c["n_day"],
                "n_baseline": c["n_baseline"],
                "day_value": c.get("day_value"),
                "baseline_value": c.get("baseline_value"),
            }
        )
    for r in readiness.results:
        cr = r.criterion
        if cr.criticality == "report-only" or not r.applies:
            continue
        if r.verdict == crit.FAIL or (cr.criticality == "critical" and r.verdict != crit.PASS):
            reasons.append(
                {
                    "code": "criterion",
                    "severity": "hold",
                    "metric": cr.metric,
                    "criterion": cr.name,
                    "verdict": r.verdict,
                    "value": r.value,
                    "interval": r.interval,
                    "n": r.n,
                    "pass": cr.pass_threshold,
                    "marginal": cr.marginal_threshold,
                    "message": f"{display_name(cr.metric)} is {r.verdict} over the {cr.window_days} day(s) to "
                    f"{d.isoformat()}"
                    + (f" ({r.note})" if r.note else "")
                    + needed_text(r.data_needed, cr.window_days, r.verdict == crit.INSUFFICIENT),
                }
            )
    for c in comparisons:
        if c["status"] == "untrusted data":
            reasons.append(
                {
                    "code": "data_quality",
                    "severity": "hold",
                    "metric": c["metric"],
                    "message": f"{display_name(c['metric'])} on {d.isoformat()} is UNTRUSTED DATA: coverage below "
                    f"quality.min_coverage ({', '.join(c['failed_gates'])})",
                }
            )
    insufficient = [c for c in comparisons if c["status"] == "insufficient data" and c["metric"] in REQUIRED]
    data_needed = [for_comparison(c, s_base, opts, plan) for c in comparisons if c["status"] == "insufficient data"]
    for r in readiness.results:
        if r.verdict == crit.INSUFFICIENT and r.applies and r.data_needed:
            data_needed.append(
                for_criterion(r.criterion.name, r.criterion.metric, r.data_needed, r.criterion.window_days)
            )
    for c in insufficient:
        reasons.append(
            {
                "code": "data",
                "severity": "hold",
                "metric": c["metric"],
                "message": f"INSUFFICIENT DATA to compare {c['metric']}: {c['n_day']} on the day, "
                f"{c['n_baseline']} in the baseline (need {c['min_n']} each)",
            }
        )
    data_sufficient = not insufficient
    explain.explain(db, config, reasons, w_day, w_base, s_base)  # each reason leads with its culprit and time

    expansion: dict[str, Any] | None = None
    if rollback:
        rec = ROLLBACK
    elif reasons:
        rec = HOLD
    else:
        rec = EXPAND
        expansion = _expansion(db, config, d)
        reasons.append(
            {
                "code": "ok",
                "severity": "expand",
                "metric": None,
                "message": "no regression against the baseline and every critical criterion passes"
                + _step_text(expansion),
            }
        )
    today = _metric_snapshot(s_day)
    decision = Decision(
        day=d,
        recommendation=rec,
        reasons=reasons,
        comparisons=comparisons,
        criteria=readiness,
        day_criteria=[r.to_json() for r in day_results],
        data_sufficient=data_sufficient,
        data_needed=data_needed,
        changes=_changes(db, d, today, rec, config.report_zone),
        data_quality=dq,
        baseline={**w_base.to_json(), "days": opts["baseline_days"], **ref.to_json(), "error_control": plan.to_json()},
        day_metrics=today,
        baseline_metrics=_metric_snapshot(s_base),
        thresholds={
            "decision": opts,
            "criteria": [c.to_json() for c in criteria],
            "quality.min_coverage": config.min_coverage,
            "confidence": confidence,
        },
        config_digest=config.digest(),
        launchkit_version=launchkit.__version__,
        expansion_plan=expansion,
    )
    if store:
        _store(db, decision)
    return decision


def _expansion(db: QueryRunner, config: Config, d: date) -> dict[str, Any] | None:
    """The expansion plan of an EXPAND day, or None without [capacity.limits] (nothing to plan against)."""
    if not config.capacity.limits:
        return None
    from launchkit.analytics.capacity.plan import expansion_plan  # numpy simulation: only when limits are set

    return expansion_plan(db, config, d)


def _step_text(p: dict[str, Any] | None) -> str:
    """The plan as the EXPAND reason's second clause: '; next step: up to +3 tenants (1,240 sessions a day, ...)'."""
    if p is None:
        return ""
    if p.get("verdict") != "PASS":
        return f"; no expansion step: {p.get('reason')}" if p.get("reason") else ""
    tenants = p.get("step_tenants")
    step = f"+{tenants} tenant{'s' if tenants != 1 else ''} of median traffic, " if tenants is not None else ""
    return (
        f"; next step: up to {step}{p['max_sessions_per_day']:,.0f} sessions a day "
        f"(now {p['current_sessions_per_day']:,.0f}); {p['binding']} binds first"
    )


def _regression_text(c: DayComparison, confirmed: bool, day_crit: str | None, since: date | None = None) -> str:
    name = c["metric"]
    if c["kind"] == "rate":
        eff = f"{c['baseline_value']:.2%} -> {c['day_value']:.2%}"
    else:
        eff = f"x{c['effect']:.2f} ({c.get('effect_name')})"
    t = c["pooled"] if c.get("decided_on") == "pooled" else c
    verb = "regressed" if c["status"] == "regressed" else "may have regressed by the minimum effect (watch)"
    text = f"{name} {verb}: {eff}, {c['test']} p={t['p_worse']:.2g} one-sided, n={t['n_day']} vs {c['n_baseline']}"
    if c.get("decided_on") == "pooled":
        text += f", pooled from {c['pooled']['window']['start'][:10]}"
    if c["status"] == "watch":
        floor = c["floor"]
        text += f"; the floor ({floor:.2%})" if c["kind"] == "rate" else f"; the floor (x{floor:.2f})"
        text += " is within the change's noise band"
    if since is not None:
        text += f"; ongoing since {since.isoformat()}"
    if confirmed:
        text += f"; severe and {day_crit} FAILs on the day alone"
    return text


def _store(db: QueryRunner, dec: Decision) -> None:
    j = dec.to_json()
    inputs = {
        k: j[k]
        for k in (
            "comparisons",
            "criteria",
            "day_criteria",
            "data_quality",
            "baseline",
            "day_metrics",
            "baseline_metrics",
            "data_needed",
            "changes_since_yesterday",
            "expansion_plan",
        )
    }
    db.write(
        "decision/insert",
        {
            "decision_id": dec.decision_id,
            "day": dec.day,
            "decided_at": dec.decided_at,
            "recommendation": dec.recommendation,
            "ga_ready": bool(dec.criteria.ready),
            "data_sufficient": bool(dec.data_sufficient),
            "reasons": json.dumps(j["reasons"], allow_nan=False),
            "inputs": json.dumps(inputs, allow_nan=False),
            "thresholds": json.dumps(j["thresholds"], allow_nan=False),
            "config_digest": dec.config_digest,
            "launchkit_version": dec.launchkit_version,
        },
    )
    dec.stored = True


def history(db: QueryRunner) -> pd.DataFrame:
    """Every stored decision, oldest first (reasons/inputs/thresholds as JSON text)."""
    return db.frame("decision/history")
