"""Exact statistics of the samples behind latency, TTFT and cost per session, computed where the data is.

The criteria need order-statistic intervals of latency and TTFT percentiles and the t-interval of the
mean cost per session; the decision compares the day's latency, TTFT and session costs with its
baseline's (Mann-Whitney U). None of them pulls a sample into Python (a million turns a day would
not fit through a driver, and is not needed): the engine returns the sample sizes, the values at the few
ranks asked for, exact sums, or the rank sum and tie term of the two samples together
(queries/metrics/turn_*, session_cost_*), and launchkit.stats finishes with the same arithmetic as its
array functions, which stay the reference: the same numbers as numpy and scipy on the full samples, on
DuckDB and Spark alike.

Samples (`MEASURES`): the latency_ms or ttft_ms of the ok turns that report it, and the cost of each
active session (its known turn costs summed exactly to the nano-dollar; 0 without a priced turn).
"""

from __future__ import annotations

import math
from datetime import datetime
from fractions import Fraction
from typing import Any

from launchkit.analytics.scope import Scope
from launchkit.errors import LaunchkitError
from launchkit.stats import (
    Interval,
    TestResult,
    linear_quantile_ranks,
    mann_whitney_from_ranks,
    mean_interval_from_sums,
    median_from_order_stats,
    median_ranks,
    quantile_from_order_stats,
    quantile_interval_from_order_stats,
    ranks_for_quantile_interval,
    shift_detail,
)
from launchkit.store.sql import identifier
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window

TURN_MEASURES = ("latency_ms", "ttft_ms")
MEASURES = (*TURN_MEASURES, "cost_per_session")


def _windows(first: Window, second: Window | None) -> dict[str, datetime]:
    """The two windows' parameters; no second window is the empty window [first.start, first.start)."""
    if second is None:
        return {"start1": first.start, "end1": first.end, "start2": first.start, "end2": first.start}
    return {"start1": first.start, "end1": first.end, "start2": second.start, "end2": second.end}


def _query(kind: str, measure: str, scope: Scope | None) -> tuple[str, dict[str, str] | None]:
    """The query (and its identifier slot) computing `kind` ('ranks' or 'order_stats') of a measure."""
    if measure in TURN_MEASURES:
        name, ids = f"metrics/turn_{kind}", {"column": identifier(measure, TURN_MEASURES)}
    elif measure == "cost_per_session":
        name, ids = f"metrics/session_cost_{kind}", None
    else:
        raise LaunchkitError(f"no sample for {measure!r} (one of {', '.join(MEASURES)})")
    return (name if scope is None else f"{name}_scoped"), ids


def _scoped(params: dict[str, Any], scope: Scope | None) -> dict[str, Any]:
    return params if scope is None else {**params, **scope.params}


def order_stats(
    db: QueryRunner,
    measure: str,
    first: Window,
    ranks1: list[int],
    second: Window | None = None,
    ranks2: list[int] | tuple[int, ...] = (),
    scope: Scope | None = None,
) -> tuple[dict[int, float], dict[int, float]]:
    """The values at 1-based `ranks1` of the measure's sample in `first` (and at `ranks2` in `second`), as
    {rank: value} per window; a rank beyond a sample is absent."""
    name, ids = _query("order_stats", measure, scope)
    params = _scoped(
        {
            **_windows(first, second),
            "ranks1": [int(r) for r in ranks1] or [0],  # rank 0 never exists: an empty list, typed
            "ranks2": [int(r) for r in ranks2] or [0],
        },
        scope,
    )
    out: tuple[dict[int, float], dict[int, float]] = ({}, {})
    for side, rank, value in db.rows(name, params, identifiers=ids):
        out[int(side) - 1][int(rank)] = float(value)
    return out


def quantile_interval(db: QueryRunner, measure: str, window: Window, q: float, level: float, n: int) -> Interval:
    """launchkit.stats.quantile_interval of the measure's sample in the window, whose size n the caller has
    (metrics.summary's latency_n / ttft_n / active_sessions): order statistics at computed ranks."""
    if n <= 0:
        return quantile_interval_from_order_stats(0, q, level, {})
    at, _ = order_stats(db, measure, window, ranks_for_quantile_interval(n, q, level))
    return quantile_interval_from_order_stats(n, q, level, at)


def mean_cost_interval(db: QueryRunner, window: Window, level: float) -> Interval:
    """launchkit.stats.mean_interval of the cost per active session in the window, from exact sums."""
    for side, n, total, total_sq in db.rows("metrics/session_cost_moments", _windows(window, None)):
        if int(side) == 1:
            return mean_interval_from_sums(int(n), total, total_sq, level)
    return mean_interval_from_sums(0, None, None, level)


def _mean(total: Any, n: int) -> float | None:
    return float(Fraction(total) / n) if n and total is not None else None


def _ratio_bounds(day: Interval, base: Interval) -> list[float] | None:
    """The range of day / baseline when each lies in its interval (both positive), else None."""
    if day.low is None or day.high is None or base.low is None or base.high is None or base.high <= 0:
        return None
    low = day.low / base.high if math.isfinite(base.high) else 0.0
    high = day.high / base.low if base.low > 0 else math.inf
    return [max(low, 0.0), high]


def compare(
    db: QueryRunner, measure: str, day: Window, baseline: Window, scope: Scope | None = None, level: float = 0.95
) -> TestResult:
    """launchkit.stats.mann_whitney(day's sample, baseline's sample) of a measure, from aggregates: the
    rank sums and tie counts for the test, order statistics for the medians and p95s, sums for the means.

    detail also carries the noise band of each ratio the decision weighs against its floor: the range of
    the ratio when the day's and the baseline's statistic each lie in its `level` interval (order-statistic
    intervals for the median and p95; t-intervals for the mean cost per session, whole pilot only)."""
    name, ids = _query("ranks", measure, scope)
    row = db.rows(name, _scoped(_windows(day, baseline), scope), identifiers=ids)[0]
    n1, n2, rank_sum1_x2, tie_term, sum1, sum2 = row
    n1, n2 = int(n1), int(n2)
    if n1 == 0 or n2 == 0:
        return mann_whitney_from_ranks(n1, n2, 0, 0)

    def wanted(n: int) -> list[int]:
        bands = (*ranks_for_quantile_interval(n, 0.5, level), *ranks_for_quantile_interval(n, 0.95, level))
        return sorted({*median_ranks(n), *linear_quantile_ranks(n, 0.95)[:2], *bands})

    at1, at2 = order_stats(db, measure, day, wanted(n1), baseline, wanted(n2), scope)
    med_a, med_b = median_from_order_stats(at1, n1), median_from_order_stats(at2, n2)
    p95_a, p95_b = quantile_from_order_stats(at1, n1, 0.95), quantile_from_order_stats(at2, n2, 0.95)
    mean_a, mean_b = _mean(sum1, n1), _mean(sum2, n2)
    detail: dict[str, Any] = shift_detail(med_a, med_b, p95_a, p95_b, mean_a, mean_b)
    for q, key in ((0.5, "median_ratio_band"), (0.95, "p95_ratio_band")):
        detail[key] = _ratio_bounds(
            quantile_interval_from_order_stats(n1, q, level, at1), quantile_interval_from_order_stats(n2, q, level, at2)
        )
    if measure == "cost_per_session" and scope is None:
        means = {
            int(side): mean_interval_from_sums(int(n), total, total_sq, level)
            for side, n, total, total_sq in db.rows("metrics/session_cost_moments", _windows(day, baseline))
        }
        if 1 in means and 2 in means:
            detail["mean_ratio_band"] = _ratio_bounds(means[1], means[2])
    return mann_whitney_from_ranks(n1, n2, int(rank_sum1_x2), tie_term, detail)
