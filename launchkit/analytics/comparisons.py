"""The day-vs-baseline comparisons of the end-of-day decision: what is compared, with which test, and
each comparison's one-sided p-values, effect and noise band (launchkit.analytics.family classifies them)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from launchkit.catalogue import METRICS
from launchkit.stats import TestResult, difference_interval, two_proportions


class Pooled(TypedDict, total=False):
    """A comparison over the pooled window (yesterday, or the run of not-good days, with the day), kept
    beside the day's when the day looks worse: the window and the fields of its comparison (`pooled_of`)."""

    window: dict[str, str]
    n_day: int | None
    test: str | None
    p_value: float | None
    p_worse: float | None
    day_value: float | None
    effect: float | None
    worse_by: float | None
    band: list[float] | None


class DayComparison(TypedDict, total=False):
    """One day-vs-baseline comparison (`compare`): the sample sizes, the test, its one-sided p-values, the
    effect and its noise band in worse-direction terms; the decision adds its group and pooled window,
    launchkit.analytics.family its status, level and the window it decided on, the data-quality gates an
    untrusted one failed."""

    metric: str
    kind: str
    better: str
    n_day: int
    n_baseline: int
    min_n: int
    status: str  # no change / regressed / watch / improved / insufficient data / untrusted data
    severe: bool
    test: str | None
    p_value: float | None
    p_worse: float | None
    p_better: float | None
    day_value: float | None
    baseline_value: float | None
    effect: float | None
    effect_name: str
    relative_risk: float | None
    worse_by: float | None
    better_by: float | None
    band: list[float] | None
    leans_worse: bool
    floor: float
    severe_floor: float
    median_ratio: float | None  # distributions other than cost
    p95_ratio: float | None
    probability_of_superiority: float | None
    group: str  # set by the decision (Comparison.group)
    judgement: str  # "model": a judge's verdicts (launchkit.analytics.judged)
    pooled: Pooled
    family_level: float  # set by family.classify
    decided_on: str  # "day" or "pooled"
    note: str
    failed_gates: list[str]  # decision.mark_untrusted


def pooled_of(c: DayComparison, window: dict[str, str]) -> Pooled:
    """The pooled window's comparison as kept beside the day's."""
    return Pooled(
        window=window,
        n_day=c.get("n_day"),
        test=c.get("test"),
        p_value=c.get("p_value"),
        p_worse=c.get("p_worse"),
        day_value=c.get("day_value"),
        effect=c.get("effect"),
        worse_by=c.get("worse_by"),
        band=c.get("band"),
    )


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
# Answers judged correct (evaluations, launchkit.analytics.judged): compared only when evaluations of its name
# were loaded, so a pilot without them compares exactly as before; its counts are JUDGED_COUNTS of its summary.
JUDGED = Comparison("judged_correct_rate", "judged_correct_rate", "rate", "answer_quality", "min_judged")
JUDGED_COUNTS = ("judged_yes", "judged")
BY_NAME = {c.name: c for c in (*COMPARISONS, JUDGED)}
SATISFACTION = frozenset(c.name for c in COMPARISONS if c.group == "satisfaction")
# comparisons whose lack of data makes the whole decision insufficient
REQUIRED = ("tool_call_success_rate", "turn_error_rate", "latency_ms", "cost_per_session")


def _counts(name: str) -> tuple[str, str]:
    if name == JUDGED.name:
        return JUDGED_COUNTS
    counts = METRICS[BY_NAME[name].metric].counts
    if counts is None:
        raise ValueError(f"{name} is not a rate")
    return counts


def _compare_rate(name: str, s_day: dict[str, Any], s_base: dict[str, Any]) -> TestResult:
    k, n = _counts(name)
    return two_proportions(int(s_day[k] or 0), int(s_day[n] or 0), int(s_base[k] or 0), int(s_base[n] or 0))


def _day_n(name: str, s: dict[str, Any]) -> int:
    if BY_NAME[name].kind == "rate":
        return int(s[_counts(name)[1]] or 0)
    if name in ("latency_ms", "ttft_ms"):
        return int(s["latency_n" if name == "latency_ms" else "ttft_n"] or 0)
    return int(s["active_sessions"] or 0)


def _rate_side(
    name: str, opts: dict[str, Any], direction: str, s_day: dict[str, Any], s_base: dict[str, Any]
) -> DayComparison:
    """A rate's test, effect and noise band (the Newcombe interval of the difference), in worse-direction terms."""
    k, n = _counts(name)
    res = _compare_rate(name, s_day, s_base)
    p1, p2 = res.detail["p1"], res.detail["p2"]
    diff = p1 - p2
    sign = -1.0 if direction == "higher" else 1.0  # worse_by > 0: worse
    lo, hi = difference_interval(int(s_day[k] or 0), int(s_day[n] or 0), int(s_base[k] or 0), int(s_base[n] or 0))
    return {
        "test": res.test,
        "p_value": res.p_value,
        "p_worse": res.detail["p_smaller" if direction == "higher" else "p_larger"],
        "p_better": res.detail["p_larger" if direction == "higher" else "p_smaller"],
        "day_value": p1,
        "baseline_value": p2,
        "effect": diff,
        "effect_name": "difference",
        "relative_risk": res.detail.get("relative_risk"),
        "worse_by": sign * diff,
        "better_by": -sign * diff,
        "band": sorted([sign * lo, sign * hi]),
        "leans_worse": sign * diff > 0,
        "floor": _rate_floor(name, opts),
        "severe_floor": opts["rollback_effect_rate"],
    }


def _rate_floor(name: str, opts: dict[str, Any]) -> float:
    """The minimum change in a rate that matters: satisfaction's, answer quality's or the stability rates'."""
    if name == JUDGED.name:
        return float(opts["min_effect_quality"])
    return float(opts["min_effect_satisfaction"] if name in SATISFACTION else opts["min_effect_rate"])


def _max_band(*bands: list[float] | None) -> list[float] | None:
    """The band of the larger of several ratios, each within its band."""
    got = [b for b in bands if b]
    return [max(b[0] for b in got), max(b[1] for b in got)] if got else None


def _distribution_side(name: str, opts: dict[str, Any], direction: str, res: TestResult) -> DayComparison:
    """A distribution's test, ratio and its noise band (launchkit.analytics.samples.compare's detail)."""
    d = res.detail
    if name == "cost_per_session":
        ratio, band = d.get("mean_ratio"), d.get("mean_ratio_band")
        out: DayComparison = {
            "day_value": d.get("mean_day"),
            "baseline_value": d.get("mean_baseline"),
            "effect_name": "ratio of means",
        }
        floor, severe_floor = opts["min_effect_cost"], math.inf
    else:
        mr, pr = d.get("median_ratio"), d.get("p95_ratio")
        ratio = max(r for r in (mr, pr) if r is not None) if (mr or pr) else None
        band = _max_band(d.get("median_ratio_band"), d.get("p95_ratio_band"))
        if ratio is not None and ratio < 1:  # improvement: the more improved of the two
            ratio = min(r for r in (mr, pr) if r is not None)
        out = {
            "day_value": d.get("p95_day"),
            "baseline_value": d.get("p95_baseline"),
            "effect_name": "ratio day/baseline (larger of median and p95)",
            "median_ratio": mr,
            "p95_ratio": pr,
        }
        floor = opts["min_effect_latency"]
        severe_floor = opts["rollback_effect_latency"] if name == "latency_ms" else math.inf
    worse, better = ("p_greater", "p_less") if direction == "lower" else ("p_less", "p_greater")
    return {
        **out,
        "test": res.test,
        "p_value": res.p_value,
        "p_worse": d.get(worse),
        "p_better": d.get(better),
        "effect": ratio,
        "worse_by": ratio,
        "better_by": (1 / ratio) if ratio else None,
        "band": band,
        "leans_worse": ratio is not None and ratio > 1,
        "floor": floor,
        "severe_floor": severe_floor,
        "probability_of_superiority": res.effect,
    }


def compare(
    name: str,
    kind: str,
    direction: str,
    min_n: int,
    opts: dict[str, Any],
    s_day: dict[str, Any],
    s_base: dict[str, Any],
    distribution: TestResult | Callable[[], TestResult] | None = None,
) -> DayComparison:
    """One day-vs-baseline comparison: its one-sided p-values, effect and noise band (in worse-direction
    terms: a rate difference made positive when worse, a ratio day / baseline), or insufficient data.
    A distribution's test is the Mann-Whitney U of the day's sample against the baseline's
    (launchkit.analytics.samples.compare), or a function computing it, called only when both samples are
    large enough. Its status (regressed / watch / improved / no change) is set with every other test of
    the evening by launchkit.analytics.family.classify."""
    n_day, n_base = _day_n(name, s_day), _day_n(name, s_base)
    out: DayComparison = {
        "metric": name,
        "kind": kind,
        "better": direction,
        "n_day": n_day,
        "n_baseline": n_base,
        "min_n": min_n,
        "status": "no change",
        "severe": False,
    }
    if n_day < min_n or n_base < min_n:
        out.update({"status": "insufficient data", "test": None, "p_value": None, "effect": None})
        return out
    if kind == "rate":
        out.update(_rate_side(name, opts, direction, s_day, s_base))
    else:
        if distribution is None:
            raise ValueError(f"{name} is compared as a distribution: its Mann-Whitney test is needed")
        res = distribution() if callable(distribution) else distribution
        out.update(_distribution_side(name, opts, direction, res))
    return out
