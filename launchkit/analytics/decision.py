"""The end-of-day decision: EXPAND, HOLD (mitigate) or ROLLBACK, with its reasons, stored for audit.

For a day D (a calendar day of the report zone, [reports] timezone: local midnight to midnight) the
day's metrics are compared with a baseline (the previous decision.baseline_days days of the zone), direction-aware, with a test fit for the data: a two-proportion z-test, or Fisher's exact
test when counts are small or zero-inflated, for rates; Mann-Whitney U for latency, TTFT and
per-session cost. A change counts only when it is significant (p < decision.alpha) *and* at least
the minimum effect; the criteria (launchkit.criteria) are evaluated over their trailing windows
ending on D and, for the stability metrics, over D alone.

- ROLLBACK: a SEV1 open at the end of D, or a severe regression of a stability metric (tool-call
  success, turn errors, latency) that also FAILs its criterion on D alone.
- HOLD: any other regression, a criterion FAIL, a critical criterion not PASS (MARGINAL,
  INSUFFICIENT DATA, UNTRUSTED DATA), or too little data on D or in the baseline to compare.
  With too little data the decision says how much more it needs (data_needed).
- EXPAND: none of the above.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import pandas as pd

import launchkit
from launchkit.analytics import criteria as crit
from launchkit.analytics import explain, quality, samples
from launchkit.analytics import metrics as m
from launchkit.analytics.scope import Scope
from launchkit.catalogue import METRICS
from launchkit.config import Config
from launchkit.jsonclean import clean
from launchkit.stats import TestResult, n_for_two_proportions, two_proportions
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, day_start

EXPAND, HOLD, ROLLBACK = "EXPAND", "HOLD", "ROLLBACK"


@dataclass(frozen=True)
class Comparison:
    """One day-vs-baseline comparison: the figure compared, the catalogue metric behind it (its direction,
    counts and quality gates), the test family, the group, and the decision key of its minimum sample."""

    name: str
    metric: str
    kind: str  # "rate" (two proportions) or "distribution" (Mann-Whitney U)
    group: str
    min_key: str

    @property
    def better(self) -> str:
        return METRICS[self.metric].better


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("tool_call_success_rate", "tool_call_success_rate", "rate", "stability", "min_tool_calls"),
    Comparison("turn_error_rate", "turn_error_rate", "rate", "stability", "min_turns"),
    Comparison("latency_ms", "latency_p95_ms", "distribution", "stability", "min_turns"),
    Comparison("ttft_ms", "ttft_p95_ms", "distribution", "responsiveness", "min_turns"),
    Comparison("cost_per_session", "cost_per_session", "distribution", "cost", "min_sessions"),
    Comparison("csat", "csat", "rate", "satisfaction", "min_ratings"),
    Comparison("thumbs_up_rate", "thumbs_up_rate", "rate", "satisfaction", "min_ratings"),
)
BY_NAME = {c.name: c for c in COMPARISONS}
SATISFACTION = frozenset(c.name for c in COMPARISONS if c.group == "satisfaction")
# comparisons whose lack of data makes the whole decision insufficient
REQUIRED = ("tool_call_success_rate", "turn_error_rate", "latency_ms", "cost_per_session")
# comparison -> the criterion that must FAIL on the day alone for a ROLLBACK
ROLLBACK_CRITERIA = {
    "tool_call_success_rate": "tool_success",
    "turn_error_rate": "turn_error_rate",
    "latency_ms": "latency_p95",
}


def _counts(name: str) -> tuple[str, str]:
    counts = METRICS[BY_NAME[name].metric].counts
    if counts is None:
        raise ValueError(f"{name} is not a rate")
    return counts


@dataclass
class Decision:
    """A day's recommendation with everything it was computed from."""

    day: date
    recommendation: str
    reasons: list[dict[str, Any]]
    comparisons: list[dict[str, Any]]
    criteria: crit.Readiness
    day_criteria: list[dict[str, Any]]
    data_sufficient: bool
    data_needed: list[dict[str, Any]]
    changes: dict[str, Any]
    data_quality: dict[str, Any]
    baseline: dict[str, Any]
    day_metrics: dict[str, Any]
    baseline_metrics: dict[str, Any]
    thresholds: dict[str, Any]
    config_digest: str
    launchkit_version: str
    decision_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    decided_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stored: bool = False

    @property
    def confidence(self) -> dict[str, Any]:
        return {
            "alpha": self.thresholds["decision"]["alpha"],
            "interval_level": self.criteria.confidence,
            "data_sufficient": self.data_sufficient,
        }

    def to_json(self) -> dict[str, Any]:
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
# comparisons


def _compare_rate(name: str, s_day: dict[str, Any], s_base: dict[str, Any]) -> TestResult:
    k, n = _counts(name)
    return two_proportions(int(s_day[k] or 0), int(s_day[n] or 0), int(s_base[k] or 0), int(s_base[n] or 0))


def _day_n(name: str, s: dict[str, Any]) -> int:
    if BY_NAME[name].kind == "rate":
        return int(s[_counts(name)[1]] or 0)
    if name in ("latency_ms", "ttft_ms"):
        return int(s["latency_n" if name == "latency_ms" else "ttft_n"] or 0)
    return int(s["active_sessions"] or 0)


def compare(
    name: str,
    kind: str,
    direction: str,
    min_n: int,
    opts: dict[str, Any],
    s_day: dict[str, Any],
    s_base: dict[str, Any],
    distribution: TestResult | Callable[[], TestResult] | None = None,
) -> dict[str, Any]:
    """One day-vs-baseline comparison: test, effect, and status regressed / improved / no change /
    insufficient data. A distribution's test is the Mann-Whitney U of the day's sample against the
    baseline's (launchkit.analytics.samples.compare), or a function computing it, called only when
    both samples are large enough."""
    n_day, n_base = _day_n(name, s_day), _day_n(name, s_base)
    out: dict[str, Any] = {
        "metric": name,
        "kind": kind,
        "better": direction,
        "n_day": n_day,
        "n_baseline": n_base,
        "min_n": min_n,
    }
    if n_day < min_n or n_base < min_n:
        out.update({"status": "insufficient data", "test": None, "p_value": None, "effect": None, "severe": False})
        return out
    if kind == "rate":
        res = _compare_rate(name, s_day, s_base)
        p1, p2 = res.detail["p1"], res.detail["p2"]
        diff = p1 - p2
        worse_by = -diff if direction == "higher" else diff  # > 0: worse
        floor = opts["min_effect_satisfaction"] if name in SATISFACTION else opts["min_effect_rate"]
        severe_floor = opts["rollback_effect_rate"]
        out.update(
            {
                "day_value": p1,
                "baseline_value": p2,
                "effect": diff,
                "effect_name": "difference",
                "relative_risk": res.detail.get("relative_risk"),
            }
        )
        big = abs(diff) >= floor
        severe = worse_by >= severe_floor
    else:
        if distribution is None:
            raise ValueError(f"{name} is compared as a distribution: its Mann-Whitney test is needed")
        res = distribution() if callable(distribution) else distribution
        d = res.detail
        if name == "cost_per_session":
            ratio = d["mean_ratio"]
            out.update(
                {
                    "day_value": d["mean_day"],
                    "baseline_value": d["mean_baseline"],
                    "effect": ratio,
                    "effect_name": "ratio of means",
                }
            )
            floor, severe_floor = opts["min_effect_cost"], math.inf
        else:
            mr, pr = d["median_ratio"], d["p95_ratio"]
            ratio = max(r for r in (mr, pr) if r is not None) if (mr or pr) else None
            if ratio is not None and ratio < 1:  # improvement: the more improved of the two
                ratio = min(r for r in (mr, pr) if r is not None)
            out.update(
                {
                    "day_value": d["p95_day"],
                    "baseline_value": d["p95_baseline"],
                    "effect": ratio,
                    "effect_name": "ratio day/baseline (larger of median and p95)",
                    "median_ratio": mr,
                    "p95_ratio": pr,
                }
            )
            floor = opts["min_effect_latency"]
            severe_floor = opts["rollback_effect_latency"] if name == "latency_ms" else math.inf
        worse_by = (ratio - 1) if ratio is not None else 0.0
        big = ratio is not None and (ratio >= floor or ratio <= 1 / floor)
        severe = ratio is not None and ratio >= severe_floor
        out["probability_of_superiority"] = res.effect
    p = res.p_value
    significant = p is not None and p < opts["alpha"]
    if significant and big and worse_by > 0:
        status = "regressed"
    elif significant and big and worse_by < 0:
        status = "improved"
    else:
        status = "no change"
    out.update({"status": status, "test": res.test, "p_value": p, "severe": status == "regressed" and severe})
    return out


# ---------------------------------------------------------------------------------------------
# the decision


def _criteria_for_day(criteria: list[crit.Criterion]) -> list[crit.Criterion]:
    """The stability criteria re-windowed to the day alone, for the ROLLBACK confirmation."""
    names = set(ROLLBACK_CRITERIA.values())
    return [
        replace(c, window_days=1, held_days=1, min_sample=min(c.min_sample, 100)) for c in criteria if c.name in names
    ]


def _metric_snapshot(s: dict[str, Any]) -> dict[str, Any]:
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


def _changes(db: QueryRunner, day: date, today: dict[str, Any], recommendation: str, tz: tzinfo) -> dict[str, Any]:
    y = day - timedelta(days=1)
    s_y = _metric_snapshot(m.summary(db, Window.day(y, tz=tz)))
    deltas = {}
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


def _data_needed(
    comp: dict[str, Any], s_base: dict[str, Any], opts: dict[str, Any], baseline_days: int
) -> dict[str, Any]:
    have, need = comp["n_day"], comp["min_n"]
    per_day_base = comp["n_baseline"] / baseline_days if baseline_days else 0
    out: dict[str, Any] = {
        "metric": comp["metric"],
        "have": have,
        "need": need,
        "more": max(0, need - have),
        "days_to_pool": math.ceil(need / have) if have else None,
        "baseline_have": comp["n_baseline"],
        "baseline_per_day": per_day_base,
    }
    if BY_NAME[comp["metric"]].kind == "rate":
        k, n = _counts(comp["metric"])
        if s_base[n]:
            p = s_base[k] / s_base[n]
            floor = opts["min_effect_satisfaction"] if comp["metric"] in SATISFACTION else opts["min_effect_rate"]
            alt = min(max(p - floor if comp["better"] == "higher" else p + floor, 1e-6), 1 - 1e-6)
            out["n_to_detect_min_effect"] = n_for_two_proportions(p, alt, alpha=opts["alpha"], power=0.8)
    return out


@dataclass
class DayVsBaseline:
    """A day's metrics against its baseline (the decision.baseline_days days before): the windows, their
    summaries (metrics.summary rows) and the comparisons, of the whole pilot or of one drill-down scope."""

    day: Window
    baseline: Window
    s_day: dict[str, Any]
    s_base: dict[str, Any]
    comparisons: list[dict[str, Any]]


def day_vs_baseline(db: QueryRunner, day: date, config: Config, scope: Scope | None = None) -> DayVsBaseline:
    """Compare a day with its baseline, metric by metric (`compare`), counting only a scope's rows when given
    (launchkit.analytics.scope): the decision's comparisons, and the debrief's drill-down."""
    d = day
    opts = config.decision
    tz = config.report_zone
    w_day = Window.day(d, tz=tz)
    w_base = Window(day_start(d - timedelta(days=opts["baseline_days"]), tz), w_day.start)
    s_day, s_base = m.summary(db, w_day, scope), m.summary(db, w_base, scope)

    def test(name: str) -> Callable[[], TestResult]:
        return lambda: samples.compare(db, name, w_day, w_base, scope)

    comparisons = [
        compare(
            c.name,
            c.kind,
            c.better,
            opts[c.min_key],
            opts,
            s_day,
            s_base,
            test(c.name) if c.kind == "distribution" else None,
        )
        for c in COMPARISONS
    ]
    for c in comparisons:
        c["group"] = BY_NAME[c["metric"]].group
    return DayVsBaseline(w_day, w_base, s_day, s_base, comparisons)


def mark_untrusted(comparisons: list[dict[str, Any]], dq: dict[str, Any]) -> None:
    """A comparison whose metric depends on a failed data-quality gate becomes UNTRUSTED DATA (in place)."""
    for c in comparisons:
        failed = quality.failed_gates_for(BY_NAME[c["metric"]].metric, dq)
        if failed and c["status"] != "insufficient data":
            c.update({"status": "untrusted data", "failed_gates": failed, "severe": False})


def decide(db: QueryRunner, day: date, config: Config, *, store: bool = True, history_days: int = 0) -> Decision:
    """The end-of-day recommendation for `day`, stored in the decisions table unless store=False."""
    d = day
    opts = config.decision
    criteria = list(config.criteria)
    confidence = config.settings.criteria.confidence
    base_days = opts["baseline_days"]
    vs = day_vs_baseline(db, d, config)
    w_day, w_base, s_day, s_base, comparisons = vs.day, vs.baseline, vs.s_day, vs.s_base, vs.comparisons

    ctx = crit.Context(db, config, confidence)
    readiness = crit.evaluate(db, d, config, history_days=history_days, criteria=criteria, context=ctx)
    day_results = [crit.evaluate_one(ctx, c, d) for c in _criteria_for_day(criteria)]
    day_verdicts = {r.criterion.name: r.verdict for r in day_results}
    incidents = m.incidents(db, w_day)
    dq = ctx.quality(w_day)
    mark_untrusted(comparisons, dq)

    reasons: list[dict[str, Any]] = []
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
        if c["status"] != "regressed":
            continue
        day_crit = ROLLBACK_CRITERIA.get(c["metric"])
        confirmed = c["severe"] and day_crit is not None and day_verdicts.get(day_crit) == crit.FAIL
        rollback = rollback or confirmed
        reasons.append(
            {
                "code": "regression",
                "severity": "rollback" if confirmed else "hold",
                "metric": c["metric"],
                "message": _regression_text(c, confirmed, day_crit),
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
                    "message": f"{cr.name} is {r.verdict} over the {cr.window_days} day(s) to {d.isoformat()}"
                    + (f" ({r.note})" if r.note else ""),
                }
            )
    for c in comparisons:
        if c["status"] == "untrusted data":
            reasons.append(
                {
                    "code": "data_quality",
                    "severity": "hold",
                    "metric": c["metric"],
                    "message": f"{c['metric']} on {d.isoformat()} is UNTRUSTED DATA: coverage below "
                    f"quality.min_coverage ({', '.join(c['failed_gates'])})",
                }
            )
    insufficient = [c for c in comparisons if c["status"] == "insufficient data" and c["metric"] in REQUIRED]
    data_needed = [_data_needed(c, s_base, opts, base_days) for c in comparisons if c["status"] == "insufficient data"]
    for r in readiness.results:
        if r.verdict == crit.INSUFFICIENT and r.applies and r.data_needed:
            data_needed.append({"criterion": r.criterion.name, "metric": r.criterion.metric, **r.data_needed})
    for c in insufficient:
        reasons.append(
            {
                "code": "data",
                "severity": "hold",
                "metric": c["metric"],
                "message": f"too little data to compare {c['metric']}: {c['n_day']} on the day, "
                f"{c['n_baseline']} in the baseline (need {c['min_n']} each)",
            }
        )
    data_sufficient = not insufficient
    explain.explain(db, config, reasons, w_day, w_base, s_base)  # each reason leads with its culprit and time

    if rollback:
        rec = ROLLBACK
    elif reasons:
        rec = HOLD
    else:
        rec = EXPAND
        reasons.append(
            {
                "code": "ok",
                "severity": "expand",
                "metric": None,
                "message": "no regression against the baseline and every critical criterion passes",
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
        baseline={**w_base.to_json(), "days": base_days},
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
    )
    if store:
        _store(db, decision)
    return decision


def _regression_text(c: dict[str, Any], confirmed: bool, day_crit: str | None) -> str:
    name = c["metric"]
    if c["kind"] == "rate":
        eff = f"{c['baseline_value']:.2%} -> {c['day_value']:.2%}"
    else:
        eff = f"x{c['effect']:.2f} ({c.get('effect_name')})"
    text = f"{name} regressed: {eff}, {c['test']} p={c['p_value']:.2g}, n={c['n_day']} vs {c['n_baseline']}"
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
