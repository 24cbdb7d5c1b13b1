"""The shapes of a decision's reasons and of the data it still needs, and how much more data a verdict wants.

launchkit.analytics.decision writes the reasons, launchkit.analytics.explain leads each with its culprit
(`explanation`, `detail`); the reports, the alert and `launchkit decide` read them by these keys.
"""

from __future__ import annotations

import math
from typing import Any, Required, TypedDict

from launchkit.analytics import family
from launchkit.analytics.attribution import AttributionJson
from launchkit.analytics.comparisons import BY_NAME, COMPARISONS, DayComparison, _counts, _rate_floor
from launchkit.analytics.criteria import Needed
from launchkit.stats import n_for_two_proportions


class Explanation(TypedDict):
    """What a reason's lead rests on (launchkit.analytics.explain), strict JSON."""

    finding: AttributionJson | None
    first_bad_hour: dict[str, Any] | None  # changepoint.ChangePoint.to_json, strict JSON
    candidate_causes: list[dict[str, Any]]  # explain.timeline's events, strict JSON
    tenants_affected: list[int] | None  # [affected, active]


# "pass" is a keyword: the functional form
Reason = TypedDict(
    "Reason",
    {
        "code": Required[str],  # incident / regression / watch / criterion / data_quality / data / ok
        "severity": Required[str],  # rollback / hold / expand
        "metric": Required[str | None],
        "message": Required[str],
        # a regression or watch: the comparison's figures
        "ongoing_since": Any,
        "decided_on": str | None,
        "effect": float | None,
        "effect_name": str | None,
        "p_value": float | None,
        "test": str | None,
        "n_day": int,
        "n_baseline": int,
        "day_value": float | None,
        "baseline_value": float | None,
        # a criterion: its verdict
        "criterion": str,
        "verdict": str,
        "value": float | None,
        "interval": Any,
        "n": int | None,
        "pass": Any,
        "marginal": Any,
        # launchkit.analytics.explain: the former message and what the lead rests on
        "detail": str,
        "explanation": Explanation,
    },
    total=False,
)


class More(TypedDict, total=False):
    """How many more observations a criterion needs, and about how many days of its window's traffic."""

    more: int
    days_more: int | None


class DataNeeded(TypedDict, total=False):
    """One entry of a decision's data_needed: a comparison short of its minimum sample (have / need, the
    baseline's, the sample that would detect the minimum effect) or a criterion's Needed and More."""

    metric: str
    criterion: str
    have: int
    need: int | None
    more: int
    days_to_pool: int | None
    baseline_have: int
    baseline_per_day: float
    n_to_detect_min_effect: int | None
    n: int | None
    days: int
    need_days: int
    days_more: int | None


def more(needed: Needed, window_days: int) -> More:
    """How many more observations a criterion needs, and roughly how many days of the window's traffic."""
    n, need = needed.get("n"), needed.get("need")
    if n is None or need is None:
        return {}
    extra = max(0, int(need) - int(n))
    per_day = n / window_days if window_days else 0
    return {"more": extra, "days_more": math.ceil(extra / per_day) if per_day > 0 else None}


def needed_text(needed: Needed | None, window_days: int, insufficient: bool) -> str:
    """'; needs 120 more observations, about 3 more day(s) at this traffic' for a criterion left
    INSUFFICIENT DATA (`insufficient`), else ''."""
    if not insufficient or not needed:
        return ""
    if "need_days" in needed:
        return f"; needs {needed['need_days'] - needed['days']} more passing day(s)"
    m = more(needed, window_days)
    if not m:
        return ""
    days = f", about {m['days_more']} more day(s) at this traffic" if m["days_more"] is not None else ""
    return f"; needs {m['more']} more observations{days}"


def for_criterion(criterion: str, metric: str, needed: Needed, window_days: int) -> DataNeeded:
    """A criterion's data_needed entry: what it lacks and how much more."""
    out = DataNeeded(criterion=criterion, metric=metric)
    out.update(needed)
    out.update(more(needed, window_days))
    return out


def for_comparison(comp: DayComparison, s_base: dict[str, Any], opts: dict[str, Any], plan: family.Plan) -> DataNeeded:
    """A comparison's data_needed entry: its samples against the minimum, and for a rate the sample that
    would detect the minimum effect at the evening's level."""
    have, need = comp["n_day"], comp["min_n"]
    baseline_days = opts["baseline_days"]
    per_day_base = comp["n_baseline"] / baseline_days if baseline_days else 0
    out: DataNeeded = {
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
        if s_base.get(n):
            p = s_base[k] / s_base[n]
            floor = _rate_floor(comp["metric"], opts)
            alt = min(max(p - floor if comp["better"] == "higher" else p + floor, 1e-6), 1 - 1e-6)
            # at the evening's level for one of its tests (Bonferroni, one-sided: twice that two-sided)
            level = 2 * plan.hold / (2 * len(COMPARISONS))
            out["n_to_detect_min_effect"] = n_for_two_proportions(p, alt, alpha=level, power=0.8)
    return out
