"""GA success criteria judged on the data: each criterion's verdict, since when it has held, GA readiness.

The criteria themselves (the playbook's defaults and launchkit.toml's [criteria.*]) are
launchkit.config.criteria; the metrics they measure are the catalogue's (launchkit.catalogue).

Each criterion compares one metric over a trailing window of whole days (the report zone's calendar
days, [reports] timezone; launchkit.window) with a pass and a marginal threshold. The verdict comes from a confidence interval, never the point estimate:

- INSUFFICIENT DATA: fewer than min_sample observations (or no threshold / no data source);
- UNTRUSTED DATA: a data-quality gate the metric depends on is below quality.min_coverage;
- PASS: the whole interval is on the good side of the pass threshold;
- FAIL: the whole interval is on the bad side of the marginal threshold;
- MARGINAL: neither, the interval is no wider than the band between the two thresholds and the
  estimate is not beyond the pass threshold (a thin sample of a passing metric needs more data);
- INSUFFICIENT DATA otherwise (the interval is too wide to tell pass from marginal from fail).

A forecast (projected spend) is judged on its estimate and bound instead (forecast_verdict): FAIL
when its lower bound is beyond the marginal threshold, MARGINAL (watch) when the estimate is beyond
the pass threshold, PASS otherwise.

Intervals: Wilson for rates, distribution-free order statistics for percentiles, Student-t for
means (cost per session, mean rating), the forecast's t prediction interval for projected spend,
exact values for incident counts and reconciliation. docs/criteria.md has the table and examples.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from launchkit.analytics import metrics as m
from launchkit.analytics import quality, samples
from launchkit.catalogue import METRICS
from launchkit.config import Config
from launchkit.config.criteria import DEFAULT_CONFIDENCE, Criterion
from launchkit.jsonclean import clean
from launchkit.stats import Interval, mean_interval_from_stats, wilson
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, local_day

if TYPE_CHECKING:  # finance imports this module's verdicts: the burn's type only
    from launchkit.analytics.finance import Burn

PASS, MARGINAL, FAIL = "PASS", "MARGINAL", "FAIL"
INSUFFICIENT, UNTRUSTED = "INSUFFICIENT DATA", "UNTRUSTED DATA"
VERDICTS = (PASS, MARGINAL, FAIL, INSUFFICIENT, UNTRUSTED)
# a verdict as a sentence says it to a reader (the GA report, the go/no-go checklist's evidence)
VERDICT_WORDS = {
    PASS: "passes",
    MARGINAL: "marginal",
    FAIL: "fails",
    INSUFFICIENT: "not enough data yet",
    UNTRUSTED: "data not trusted",
}


def group_words(group: str) -> str:
    """A criteria group as a reader reads it: 'answer_quality' -> 'Answer quality'."""
    return group.replace("_", " ").capitalize()


__all__ = ["Criterion", "CriterionResult", "Readiness", "evaluate", "evaluate_one", "measure", "verdict"]


class Needed(TypedDict, total=False):
    """What a criterion left INSUFFICIENT DATA lacks (CriterionResult.data_needed): observations or passing days."""

    n: int | None
    need: int | None
    days: int
    need_days: int


# a criterion's verdict as strict JSON (CriterionResult.to_json); "pass" is a keyword: the functional form
CriterionJson = TypedDict(
    "CriterionJson",
    {
        "name": str,
        "group": str,
        "metric": str,
        "criticality": str,
        "direction": str,
        "verdict": str,
        "value": float | None,
        "interval": dict[str, Any] | None,
        "n": int | None,
        "min_sample": int,
        "pass": float | None,
        "marginal": float | None,
        "threshold_source": str,
        "window": dict[str, Any],
        "held_days": int,
        "held_since": str | None,
        "note": str,
        "data_needed": Needed | None,
        "applies": bool,
    },
)

# a criterion that keeps GA from being ready (Readiness.blockers)
Blocker = TypedDict(
    "Blocker",
    {"criterion": str, "criticality": str, "verdict": str, "value": float | None, "pass": float | None, "note": str},
)


class ReadinessJson(TypedDict):
    """GA readiness as strict JSON (Readiness.to_json)."""

    as_of: str
    ready: bool
    confidence: float
    verdict_counts: dict[str, int]
    blockers: list[Blocker]
    warnings: list[str]
    criteria: list[CriterionJson]


class JudgedCounts(TypedDict):
    """An evaluation's counts over a window (evaluations/judged): judged yes, judged, by whom, ever loaded."""

    yes: int
    judged: int
    by_llm_judge: int
    by_code: int
    by_human: int
    ever: int


class Agreement(TypedDict):
    """Judge and users on the sessions with both (evaluations/agreement)."""

    sessions: int
    agree: int


@dataclass
class CriterionResult:
    """A criterion's verdict as of a day, with the evidence."""

    criterion: Criterion
    verdict: str
    value: float | None
    interval: dict[str, Any] | None
    n: int | None
    window: dict[str, Any]
    note: str = ""
    held_since: date | None = None
    data_needed: Needed | None = None
    applies: bool = True  # False: the criterion has no threshold configured (e.g. no budget)

    def to_json(self) -> CriterionJson:
        c = self.criterion
        return clean(
            {
                "name": c.name,
                "group": c.group,
                "metric": c.metric,
                "criticality": c.criticality,
                "direction": c.direction,
                "verdict": self.verdict,
                "value": self.value,
                "interval": self.interval,
                "n": self.n,
                "min_sample": c.min_sample,
                "pass": c.pass_threshold,
                "marginal": c.marginal_threshold,
                "threshold_source": c.threshold_source,
                "window": self.window,
                "held_days": c.held_days,
                "held_since": self.held_since,
                "note": self.note,
                "data_needed": self.data_needed,
                "applies": self.applies,
            }
        )


@dataclass
class Readiness:
    """GA readiness as of a day: every critical criterion PASS and no criterion FAIL."""

    as_of: date
    ready: bool
    results: list[CriterionResult]
    blockers: list[Blocker]
    warnings: list[str] = field(default_factory=list)
    confidence: float = DEFAULT_CONFIDENCE

    def result(self, name: str) -> CriterionResult:
        for r in self.results:
            if r.criterion.name == name:
                return r
        raise KeyError(name)

    def to_json(self) -> ReadinessJson:
        counts = {v: sum(1 for r in self.results if r.verdict == v) for v in VERDICTS}
        return clean(
            {
                "as_of": self.as_of,
                "ready": self.ready,
                "confidence": self.confidence,
                "verdict_counts": counts,
                "blockers": self.blockers,
                "warnings": self.warnings,
                "criteria": [r.to_json() for r in self.results],
            }
        )


# ---------------------------------------------------------------------------------------------
# verdict rule


def verdict(
    low: float | None, high: float | None, pass_: float, marginal: float, direction: str, estimate: float | None = None
) -> str:
    """PASS / FAIL when the interval clears a threshold; else MARGINAL if the interval is no wider
    than the marginal band and the estimate (the interval's midpoint without one) is not beyond the pass
    threshold, else INSUFFICIENT DATA. `direction` says which way is better. A narrow interval around an
    estimate that passes but still reaching below the pass line is a thin sample of a passing metric, not
    a marginal one: it needs more data (n_to_decide says how much)."""
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    if direction == "lower":  # mirror so that higher is better
        lo, hi, pass_, marginal = -hi, -lo, -pass_, -marginal
        estimate = None if estimate is None else -estimate
    if lo >= pass_:
        return PASS
    if hi < marginal:
        return FAIL
    band = pass_ - marginal
    centre = (lo + hi) / 2 if estimate is None else estimate
    if hi - lo <= band and centre <= pass_:
        return MARGINAL
    return INSUFFICIENT


def n_to_decide(
    estimate: float, low: float | None, high: float | None, pass_: float, marginal: float, direction: str, n: int
) -> int | None:
    """Roughly how many observations an INSUFFICIENT DATA interval needs to reach a verdict, each side of
    the interval shrinking as 1/sqrt(n) around the estimate: to PASS when the estimate is beyond the pass
    line; else to MARGINAL (no wider than the band) or FAIL (below the marginal line), whichever comes
    first. Always more than n; None when no sample size decides (an unbounded interval, no band)."""
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    if direction == "lower":  # mirror so that higher is better
        lo, hi, pass_, marginal, estimate = -hi, -lo, -pass_, -marginal, -estimate
    if not (math.isfinite(lo) and math.isfinite(hi)) or n <= 0:
        return None
    scale: list[float] = []  # by how much each route's interval must shrink
    if estimate > pass_:
        scale.append((estimate - lo) / (estimate - pass_))
    else:
        if pass_ > marginal:
            scale.append((hi - lo) / (pass_ - marginal))
        if estimate < marginal:
            scale.append((hi - estimate) / (marginal - estimate))
    if not scale:
        return None
    return max(n + 1, math.ceil(n * min(scale) ** 2))


def forecast_verdict(
    low: float | None, high: float | None, pass_: float, marginal: float, direction: str, estimate: float | None = None
) -> str:
    """A forecast is watched on its estimate and failed on its bound: FAIL when the whole prediction
    interval is beyond the marginal threshold (a spend forecast whose lower bound exceeds the budget),
    MARGINAL when the estimate is beyond the pass threshold, else PASS. Finance must hear of an
    expected overrun before it is certain; a forecast without an estimate is INSUFFICIENT DATA."""
    if estimate is None:
        return INSUFFICIENT
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    if direction == "lower":  # mirror so that higher is better
        lo, hi, pass_, marginal, estimate = -hi, -lo, -pass_, -marginal, -estimate
    if hi < marginal:
        return FAIL
    return PASS if estimate >= pass_ else MARGINAL


# ---------------------------------------------------------------------------------------------
# measurement


@dataclass
class Measurement:
    value: float | None
    interval: Interval | None
    n: int | None
    note: str = ""
    applies: bool = True  # False: nothing to judge at all (no evaluations of the name ever loaded)


class Context:
    """Caches the queries behind the criteria for one evaluation (several criteria share a window)."""

    def __init__(self, db: QueryRunner, config: Config, level: float) -> None:
        self.db, self.config, self.level = db, config, level
        self._cache: dict[tuple[Any, ...], Any] = {}

    def _get(self, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def summary(self, w: Window) -> dict[str, Any]:
        return self._get(("summary", w), lambda: m.summary(self.db, w))

    def quantile(self, w: Window, measure: str, q: float, n: int) -> Interval:
        """The order-statistic interval of a percentile of latency_ms or ttft_ms (n: the sample's size)."""
        key = ("quantile", w, measure, q)
        return self._get(key, lambda: samples.quantile_interval(self.db, measure, w, q, self.level, n))

    def cost_interval(self, w: Window) -> Interval:
        """The t-interval of the mean cost per active session."""
        return self._get(("cost", w), lambda: samples.mean_cost_interval(self.db, w, self.level))

    def incidents(self, w: Window) -> m.Incidents:
        return self._get(("incidents", w), lambda: m.incidents(self.db, w))

    def quality(self, w: Window) -> quality.DataQuality:
        return self._get(("quality", w), lambda: quality.assess(self.db, w, self.config))

    def burn(self, day: date, days: int) -> Burn:
        """finance.burn as of a day, its forecast made from the burn of the last `days` days."""
        from launchkit.analytics import finance

        fn = lambda: finance.burn(self.db, self.config, day, level=self.level, burn_days=days)  # noqa: E731
        return self._get(("burn", day, days), fn)

    def judged(self, w: Window, key: str) -> JudgedCounts:
        """The counts of the evaluations an [evaluations] key names over the window (evaluations/judged)."""
        params = {**w.params, "name": self.config.evaluation_name(key), "threshold": self.config.evaluation_threshold}
        return self._get(("judged", w, key), lambda: self.db.one("evaluations/judged", params))

    def agreement(self, w: Window) -> Agreement:
        """Judge and users on the sessions with both (evaluations/agreement)."""
        params = {
            **w.params,
            "name": self.config.evaluation_name("correct"),
            "threshold": self.config.evaluation_threshold,
        }
        return self._get(("agreement", w), lambda: self.db.one("evaluations/agreement", params))

    def reconciliation(self, w: Window) -> Any:
        return self._get(("reconcile", w), lambda: _reconcile(self.db, w, self.config))


def _reconcile(db: QueryRunner, w: Window, config: Config) -> Any:
    """Computed cost against the vendors' bills per vendor-day, over the window's calendar days.

    The bills are per UTC day (the vendors' billing day), so the window's local dates name the UTC days
    compared: a 7-day window of Berlin days reconciles the same 7 dates of bills."""
    from launchkit.analytics.reconcile import reconcile

    tz = config.report_zone
    return reconcile(db, local_day(w.start, tz), local_day(w.end, tz), config)


def measure(ctx: Context, metric: str, w: Window, as_of: date) -> Measurement:
    """A metric's value over the window with its confidence interval and sample size."""
    spec = METRICS[metric]
    kind = spec.kind
    level = ctx.level
    if kind == "rate" and spec.evaluation is not None:
        return _judged(ctx, spec.evaluation, w)
    if kind == "rate" and spec.counts is not None:
        s = ctx.summary(w)
        k, n = spec.counts
        iv = wilson(int(s[k] or 0), int(s[n] or 0), level)
        return Measurement(iv.estimate, iv, iv.n)
    if kind == "quantile" and spec.source is not None and spec.q is not None:
        size = int(ctx.summary(w)[f"{spec.source}_n"] or 0)
        iv = ctx.quantile(w, f"{spec.source}_ms", spec.q, size)
        return Measurement(iv.estimate, iv, iv.n)
    if kind == "mean":
        if metric == "mean_rating":
            s = ctx.summary(w)
            iv = mean_interval_from_stats(s["mean_rating"], s["rating_sd"], int(s["ratings"] or 0), level)
            return Measurement(iv.estimate, iv, iv.n)
        s = ctx.summary(w)
        if s["total_cost_usd"] is None:
            return Measurement(None, None, int(s["active_sessions"] or 0), "no priced turns in the window")
        iv = ctx.cost_interval(w)
        return Measurement(s["cost_per_session"], iv, iv.n)
    if kind == "count":
        inc = ctx.incidents(w)
        if metric == "open_major_incidents":
            v = float(inc["open_major"])
            return Measurement(v, Interval(v, v, v, 0, "exact count", level), None)
        v = float(inc["major_postmortems_late"])
        return Measurement(
            v,
            Interval(v, v, v, inc["major_postmortems_due"], "exact count", level),
            None,
            f"{inc['major_postmortems_due']} SEV1/SEV2 postmortems due",
        )
    if kind == "forecast":
        days = max(1, (as_of - local_day(w.start, ctx.config.report_zone)).days + 1)  # the window's days
        fc = ctx.burn(as_of, days)["forecast_total_usd"]
        iv = Interval(fc["estimate"], fc["low"], fc["high"], int(fc["days_used"]), "t prediction", level)
        return Measurement(fc["estimate"], iv, iv.n, f"{fc['basis']}: {fc['method']}")
    if kind == "reconciliation":
        df = ctx.reconciliation(w)
        if len(df) == 0:
            return Measurement(None, None, 0, "no vendor bill lines in the window")
        pct = np.abs(df["diff_pct"].astype(float).to_numpy())
        pct = pct[np.isfinite(pct)]
        if pct.size == 0:
            return Measurement(None, None, int(len(df)), "no comparable vendor-days")
        v = float(pct.max())
        return Measurement(
            v,
            Interval(v, v, v, int(pct.size), "exact", level),
            int(pct.size),
            f"{int(df['within_tolerance'].eq(False).fillna(False).sum())} vendor-days outside tolerance",
        )
    raise ValueError(f"metric {metric!r} of kind {kind!r} has no measurement")


def _judged(ctx: Context, key: str, w: Window) -> Measurement:
    """A rate over evaluations (Wilson), labelled as a model's judgement with who judged; on the judged-correct
    rate, how often the judge and the users agree on the sessions that have both."""
    name = ctx.config.evaluation_name(key)
    j = ctx.judged(w, key)
    if not j["ever"]:
        return Measurement(None, None, 0, f"no evaluations named {name!r} loaded", applies=False)
    if not j["judged"]:
        return Measurement(None, None, 0, f"no evaluations named {name!r} in the window")
    iv = wilson(int(j["yes"]), int(j["judged"]), ctx.level)
    sources = {"llm judge": j["by_llm_judge"], "code": j["by_code"], "human": j["by_human"]}
    by = ", ".join(f"{n} by {s}" for s, n in sources.items() if n)
    note = f"model judgement: {j['judged']} answers judged ({by})"
    if key == "correct":
        a = ctx.agreement(w)
        if a["sessions"]:
            note += f"; judge and users agree on {a['agree']} of {a['sessions']} sessions with both"
    return Measurement(iv.estimate, iv, iv.n, note)


def evaluate_one(ctx: Context, c: Criterion, as_of: date) -> CriterionResult:
    """One criterion's verdict as of a day (its window: the window_days days ending with as_of)."""
    w = Window.days_ending(as_of, c.window_days, ctx.config.report_zone)
    wj = {**w.to_json(), "days": c.window_days}
    if c.pass_threshold is None or c.marginal_threshold is None:
        return CriterionResult(
            c, INSUFFICIENT, None, None, None, wj, note=f"no threshold: {c.threshold_source} is not set", applies=False
        )
    meas = measure(ctx, c.metric, w, as_of)
    iv = meas.interval
    ivj = None if iv is None else {"low": iv.low, "high": iv.high, "method": iv.method, "level": iv.level}
    res = CriterionResult(c, INSUFFICIENT, meas.value, ivj, meas.n, wj, note=meas.note, applies=meas.applies)
    if not meas.applies:
        return res
    if meas.value is None or iv is None:
        res.note = res.note or "no data in the window"
        # rows that give no value (e.g. no comparable vendor-days) are not helped by more of them
        if (meas.n or 0) < max(c.min_sample, 1):
            res.data_needed = {"n": meas.n or 0, "need": max(c.min_sample, 1)}
        return res
    if meas.n is not None and meas.n < c.min_sample:
        res.note = _keep_label(f"{meas.n} < min_sample {c.min_sample}", c, meas)
        res.data_needed = {"n": meas.n, "need": c.min_sample}
        return res
    failed = quality.failed_gates_for(c.metric, ctx.quality(w)) if METRICS[c.metric].telemetry else []
    if failed:
        res.verdict = UNTRUSTED
        res.note = "coverage below quality.min_coverage: " + ", ".join(failed)
        return res
    rule = forecast_verdict if c.kind == "forecast" else verdict
    res.verdict = rule(iv.low, iv.high, c.pass_threshold, c.marginal_threshold, c.direction, meas.value)
    if res.verdict == INSUFFICIENT and meas.n:
        need = n_to_decide(
            meas.value, iv.low, iv.high, c.pass_threshold, c.marginal_threshold, c.direction, int(meas.n)
        )
        res.note = _keep_label("interval too wide to decide", c, meas)
        res.data_needed = {"n": meas.n, "need": need}
    return res


def _keep_label(note: str, c: Criterion, meas: Measurement) -> str:
    """A verdict's note, still saying a rate over evaluations is a model's judgement (and who judged)."""
    return f"{note}; {meas.note}" if METRICS[c.metric].evaluation is not None and meas.note else note


def _history_verdicts(ctx: Context, c: Criterion, as_of: date, days: int) -> list[tuple[date, str]]:
    out = []
    for k in range(1, days + 1):
        d = as_of - timedelta(days=k)
        out.append((d, evaluate_one(ctx, c, d).verdict))
    return out


def evaluate(
    db: QueryRunner,
    as_of: date,
    config: Config,
    *,
    history_days: int | None = None,
    criteria: list[Criterion] | None = None,
    context: Context | None = None,
) -> Readiness:
    """Every criterion's verdict as of a day, since when it has held, and GA readiness.

    history_days (default criteria.history_days, 30) bounds how far back `held_since` is searched;
    0 skips the search (criteria with held_days > 1 still look back held_days - 1 days).
    """
    day = as_of
    opts = config.settings.criteria
    crits = list(criteria) if criteria is not None else list(config.criteria)
    look = opts.history_days if history_days is None else history_days
    ctx = context or Context(db, config, opts.confidence)
    # A criterion cannot have held before the pilot's first day of data.
    first_at = db.one("metrics/activity_span")["first_at"]
    first_day = local_day(first_at, config.report_zone) if first_at is not None else None
    results: list[CriterionResult] = []
    for c in crits:
        r = evaluate_one(ctx, c, day)
        back = max(look, c.held_days - 1)
        if back and r.verdict == PASS:
            since = day
            run = 1
            days_back = back if first_day is None else max(0, min(back, (day - first_day).days))
            for d, v in _history_verdicts(ctx, c, day, days_back):
                if v != PASS:
                    break
                since, run = d, run + 1
            r.held_since = since
            if run < c.held_days:
                r.verdict = INSUFFICIENT
                r.note = f"passing since {since.isoformat()}; must hold {c.held_days} consecutive days"
                r.data_needed = {"days": run, "need_days": c.held_days}
        elif r.verdict == PASS:
            r.held_since = None
        results.append(r)
    blockers: list[Blocker] = []
    warnings = []
    for r in results:
        c = r.criterion
        if c.criticality == "report-only":
            continue
        if not r.applies:
            warnings.append(f"{c.name} not evaluated: {r.note}")
            continue
        if (c.criticality == "critical" and r.verdict != PASS) or r.verdict == FAIL:
            blockers.append(
                {
                    "criterion": c.name,
                    "criticality": c.criticality,
                    "verdict": r.verdict,
                    "value": r.value,
                    "pass": c.pass_threshold,
                    "note": r.note,
                }
            )
    return Readiness(
        as_of=day, ready=not blockers, results=results, blockers=blockers, warnings=warnings, confidence=opts.confidence
    )
