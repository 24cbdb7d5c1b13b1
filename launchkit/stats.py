"""Confidence intervals and tests behind every verdict, thin wrappers over scipy and statsmodels.

Why a module: criteria and decisions must be decided from confidence bounds, not point estimates,
with the method named in the output. Each function returns plain floats (never NaN: an undefined
value is None, an unbounded side is +/-inf) so results serialise to strict JSON via launchkit.jsonclean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from launchkit.jsonclean import clean

# scipy.stats and statsmodels are imported where used: together they cost ~0.5 s at import, which
# every report kernel would pay even when it computes no interval (the hourly run is latency-bound).


def _sps() -> Any:
    from scipy import stats

    return stats


def _proportion() -> Any:
    from statsmodels.stats import proportion

    return proportion


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval. low/high may be -inf/+inf (unbounded)."""

    estimate: float | None
    low: float | None
    high: float | None
    n: int
    method: str
    level: float

    def to_json(self) -> dict[str, Any]:
        return clean(asdict(self))


@dataclass(frozen=True)
class TestResult:
    """A two-sample comparison: p-value, effect size and which test produced them."""

    test: str
    p_value: float | None
    effect: float | None  # direction-free effect size, see effect_name
    effect_name: str
    n1: int
    n2: int
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return clean(asdict(self))


def t_quantile(p: float, df: int) -> float:
    """The p-quantile of Student's t with df degrees of freedom."""
    return float(_sps().t.ppf(p, df))


def _z(level: float) -> float:
    return float(_sps().norm.ppf(0.5 + level / 2))


def wilson(k: int, n: int, level: float = 0.95) -> Interval:
    """Wilson score interval for a proportion k/n; n = 0 gives no estimate (None, unbounded)."""
    if n <= 0:
        return Interval(None, 0.0, 1.0, 0, "wilson", level)
    lo, hi = _proportion().proportion_confint(k, n, alpha=1 - level, method="wilson")
    return Interval(k / n, float(lo), float(hi), int(n), "wilson", level)


def exact(k: int, n: int, level: float = 0.95) -> Interval:
    """Clopper-Pearson (exact binomial) interval for a proportion k/n."""
    if n <= 0:
        return Interval(None, 0.0, 1.0, 0, "clopper-pearson", level)
    lo, hi = _proportion().proportion_confint(k, n, alpha=1 - level, method="beta")
    lo = 0.0 if not math.isfinite(lo) else float(lo)
    hi = 1.0 if not math.isfinite(hi) else float(hi)
    return Interval(k / n, lo, hi, int(n), "clopper-pearson", level)


def quantile_interval(values: Sequence[float] | np.ndarray, q: float, level: float = 0.95) -> Interval:
    """Distribution-free interval for the q-quantile from order statistics (binomial ranks).

    The point estimate is the linear-interpolated quantile (same as SQL quantile_cont). A side whose
    rank falls outside 1..n is unbounded (inf): too few values to bound that side at this level.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return Interval(None, -math.inf, math.inf, 0, "order-statistic", level)
    alpha = 1 - level
    # ranks (1-based) l, u with P(X_(l) <= Q_q <= X_(u)) >= level, split evenly
    lo_rank = int(_sps().binom.ppf(alpha / 2, n, q))  # P(B < lo_rank) <= alpha/2 -> X_(lo_rank) is a lower bound
    hi_rank = int(_sps().binom.ppf(1 - alpha / 2, n, q)) + 1
    ranks = [r - 1 for r in (lo_rank, hi_rank) if 1 <= r <= n]
    part = np.partition(x, ranks) if ranks else x
    low = float(part[lo_rank - 1]) if 1 <= lo_rank <= n else -math.inf
    high = float(part[hi_rank - 1]) if 1 <= hi_rank <= n else math.inf
    est = float(np.quantile(x, q))
    return Interval(est, low, high, n, "order-statistic", level)


def bootstrap_quantile_interval(
    values: Sequence[float] | np.ndarray,
    q: float,
    level: float = 0.95,
    *,
    seed: int = 0,
    n_boot: int = 2000,
) -> Interval:
    """Seeded percentile-bootstrap interval for the q-quantile (an alternative to order statistics)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return Interval(None, -math.inf, math.inf, 0, "bootstrap", level)
    rng = np.random.default_rng(seed)
    res = _sps().bootstrap(
        (x,),
        lambda s, axis: np.quantile(s, q, axis=axis),
        n_resamples=n_boot,
        confidence_level=level,
        method="percentile",
        random_state=rng,
        vectorized=True,
    )
    ci = res.confidence_interval
    return Interval(float(np.quantile(x, q)), float(ci.low), float(ci.high), n, "bootstrap", level)


def mean_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> Interval:
    """Student-t interval for a mean; fewer than 2 values leave it unbounded."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    return mean_interval_from_stats(
        float(x.mean()) if x.size else None, float(x.std(ddof=1)) if x.size > 1 else None, int(x.size), level
    )


def mean_interval_from_stats(mean: float | None, sd: float | None, n: int, level: float = 0.95) -> Interval:
    """Student-t interval for a mean from its summary statistics (as SQL returns them)."""
    if n == 0 or mean is None:
        return Interval(None, -math.inf, math.inf, int(n), "student-t", level)
    if n < 2 or sd is None or not math.isfinite(sd):
        return Interval(float(mean), -math.inf, math.inf, int(n), "student-t", level)
    half = float(_sps().t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(float(mean), float(mean) - half, float(mean) + half, int(n), "student-t", level)


def ratio_interval(total: float | None, n: int, values: Sequence[float] | np.ndarray, level: float = 0.95) -> Interval:
    """Interval for a per-unit mean such as cost per session (t-interval over per-unit values)."""
    iv = mean_interval(values, level)
    if total is None:
        return Interval(None, iv.low, iv.high, n, iv.method, level)
    return Interval(total / n if n else None, iv.low, iv.high, n, iv.method, level)


def two_proportions(k1: int, n1: int, k2: int, n2: int, *, min_expected: float = 5.0) -> TestResult:
    """Compare rate k1/n1 (the day) with k2/n2 (the baseline), two-sided.

    A z-test (statsmodels) when every expected cell count is at least `min_expected`; otherwise,
    including zero-inflated rates such as an error rate with no errors in the baseline, Fisher's exact
    test (scipy). Effect: the difference p1 - p2; the relative risk is in detail when defined, and so
    are the one-sided p-values of the same test, p_larger (p1 > p2) and p_smaller (p1 < p2).
    """
    if n1 <= 0 or n2 <= 0:
        return TestResult("none", None, None, "difference", int(n1), int(n2), {"reason": "no data"})
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    expected = min(n * p for n in (n1, n2) for p in (pooled, 1 - pooled))
    detail: dict[str, Any] = {"p1": p1, "p2": p2, "relative_risk": (p1 / p2) if p2 > 0 else None}
    if k1 + k2 == 0 or k1 + k2 == n1 + n2:
        detail.update({"p_larger": 1.0, "p_smaller": 1.0})
        return TestResult("identical", 1.0, 0.0, "difference", int(n1), int(n2), detail)
    if expected >= min_expected:
        z, p = _proportion().proportions_ztest([k1, k2], [n1, n2], alternative="two-sided")
        test = "two-proportion z"
        larger, smaller = float(_sps().norm.sf(z)), float(_sps().norm.cdf(z))
    else:
        table = [[k1, n1 - k1], [k2, n2 - k2]]
        _, p = _sps().fisher_exact(table, alternative="two-sided")
        test = "fisher exact"
        larger = float(_sps().fisher_exact(table, alternative="greater")[1])
        smaller = float(_sps().fisher_exact(table, alternative="less")[1])
    detail.update({"p_larger": larger, "p_smaller": smaller})
    return TestResult(test, float(p), p1 - p2, "difference", int(n1), int(n2), detail)


def shift_detail(
    med_a: float, med_b: float, p95_a: float, p95_b: float, mean_a: float | None, mean_b: float | None
) -> dict[str, float | None]:
    """What a day-vs-baseline comparison reports beside its test: medians, p95s and means of the two
    samples and the day's ratio to the baseline (None where the baseline's value is not positive)."""
    return {
        "median_day": med_a,
        "median_baseline": med_b,
        "median_ratio": med_a / med_b if med_b > 0 else None,
        "p95_day": p95_a,
        "p95_baseline": p95_b,
        "p95_ratio": p95_a / p95_b if p95_b > 0 else None,
        "mean_day": mean_a,
        "mean_baseline": mean_b,
        "mean_ratio": mean_a / mean_b if mean_a is not None and mean_b is not None and mean_b > 0 else None,
    }


def mann_whitney(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> TestResult:
    """Mann-Whitney U (scipy), two-sided, of x (the day) against y (the baseline).

    Effect: the probability of superiority P(X > Y) + P(X = Y)/2 (0.5 = no shift); detail carries the
    medians, p95s and their ratios, and the one-sided p-values p_greater (day larger) and p_less.
    """
    a = np.asarray(x, dtype=float)
    b = np.asarray(y, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if a.size == 0 or b.size == 0:
        return TestResult("none", None, None, "P(day > baseline)", int(a.size), int(b.size), {"reason": "no data"})
    method = "asymptotic" if min(a.size, b.size) > 30 else "auto"
    res = _sps().mannwhitneyu(a, b, alternative="two-sided", method=method)
    one_sided = {
        f"p_{alt}": float(_sps().mannwhitneyu(a, b, alternative=alt, method=method).pvalue)
        for alt in ("greater", "less")
    }
    ps = float(res.statistic) / (a.size * b.size)
    med_a, med_b = float(np.median(a)), float(np.median(b))
    p95_a, p95_b = float(np.quantile(a, 0.95)), float(np.quantile(b, 0.95))
    mean_a, mean_b = float(a.mean()), float(b.mean())
    detail = {**shift_detail(med_a, med_b, p95_a, p95_b, mean_a, mean_b), **one_sided}
    p = float(res.pvalue)
    return TestResult(
        "mann-whitney u", p if math.isfinite(p) else None, ps, "P(day > baseline)", int(a.size), int(b.size), detail
    )


def n_for_two_proportions(
    p_base: float, p_alt: float, *, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0
) -> int | None:
    """Sample size of the day needed to tell rate p_alt from p_base (statsmodels power analysis)."""
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    if p_base == p_alt:
        return None
    es = abs(float(proportion_effectsize(p_alt, p_base)))
    n = NormalIndPower().solve_power(effect_size=es, alpha=alpha, power=power, ratio=ratio, alternative="two-sided")
    return int(math.ceil(float(n)))


# ---------------------------------------------------------------------------------------------
# The same intervals and test from aggregates: for samples that stay in the query engine.
#
# A sample of a million turn latencies need not cross to Python to get its exact order-statistic
# interval, t-interval or Mann-Whitney test: the engine returns the sample size, a few values at given
# ranks, exact sums, or the rank sum with its tie counts (queries/metrics/*_ranks, *_order_stats,
# session_cost_moments), and the functions below finish with the same arithmetic as the functions above,
# which stay the reference (tests/test_stats_aggregates.py holds the two to the same numbers).


def linear_quantile_ranks(n: int, q: float) -> tuple[int, int, float]:
    """The 1-based ranks of the two order statistics numpy's linear quantile (and SQL's quantile_cont)
    interpolates between for a sample of n, and the weight of the upper one (numpy's own arithmetic)."""
    virtual = (n - 1) * q
    if virtual >= n - 1:
        return n, n, 0.0
    if virtual < 0:
        return 1, 1, 0.0
    below = math.floor(virtual)
    return below + 1, below + 2, virtual - below


def _lerp(a: float, b: float, t: float) -> float:
    """numpy's linear interpolation (numpy.lib._function_base_impl._lerp) on two floats."""
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def quantile_from_order_stats(at: dict[int, float], n: int, q: float) -> float:
    """np.quantile(x, q) of a sample of n from its order statistics `at` {rank: value} (linear_quantile_ranks)."""
    r1, r2, t = linear_quantile_ranks(n, q)
    return float(at[r1]) if r1 == r2 else _lerp(float(at[r1]), float(at[r2]), t)


def median_ranks(n: int) -> tuple[int, ...]:
    """The 1-based ranks np.median averages: the middle one, or the two middle ones."""
    return ((n + 1) // 2,) if n % 2 else (n // 2, n // 2 + 1)


def median_from_order_stats(at: dict[int, float], n: int) -> float:
    """np.median of a sample of n from its order statistics at median_ranks(n)."""
    r = median_ranks(n)
    return float(at[r[0]]) if len(r) == 1 else (float(at[r[0]]) + float(at[r[1]])) / 2


def quantile_interval_ranks(n: int, q: float, level: float = 0.95) -> tuple[int, int]:
    """The ranks of quantile_interval's bounds (1-based; outside 1..n: that side is unbounded)."""
    alpha = 1 - level
    return int(_sps().binom.ppf(alpha / 2, n, q)), int(_sps().binom.ppf(1 - alpha / 2, n, q)) + 1


def ranks_for_quantile_interval(n: int, q: float, level: float = 0.95) -> list[int]:
    """Every rank quantile_interval_from_order_stats reads: its bounds and its estimate's two neighbours."""
    if n <= 0:
        return []
    lo, hi = quantile_interval_ranks(n, q, level)
    r1, r2, _ = linear_quantile_ranks(n, q)
    return sorted({r for r in (lo, hi, r1, r2) if 1 <= r <= n})


def quantile_interval_from_order_stats(n: int, q: float, level: float, at: dict[int, float]) -> Interval:
    """quantile_interval of a sample of n, from its order statistics at ranks_for_quantile_interval(n, q, level)."""
    if n <= 0:
        return Interval(None, -math.inf, math.inf, 0, "order-statistic", level)
    lo, hi = quantile_interval_ranks(n, q, level)
    low = float(at[lo]) if 1 <= lo <= n else -math.inf
    high = float(at[hi]) if 1 <= hi <= n else math.inf
    return Interval(quantile_from_order_stats(at, n, q), low, high, int(n), "order-statistic", level)


def mean_interval_from_sums(n: int, total: Any, total_sq: Any, level: float = 0.95) -> Interval:
    """mean_interval from n, the sum and the sum of squares of the values.

    Given exact sums (Decimal or int, as SQL's DECIMAL sums are), the mean and the variance are computed
    in exact rational arithmetic and rounded once, so every engine gets the same bits whatever order it
    added the values in; floats are accepted too (rounding then depends on the summation order).
    """
    from fractions import Fraction

    if n <= 0 or total is None:
        return mean_interval_from_stats(None, None, 0, level)
    s = Fraction(total)
    mean = float(s / n)
    if n < 2 or total_sq is None:
        return mean_interval_from_stats(mean, None, n, level)
    var = (n * Fraction(total_sq) - s * s) / (n * (n - 1))
    return mean_interval_from_stats(mean, math.sqrt(max(float(var), 0.0)), n, level)


def _tie_free_sample(n1: int, n2: int, rank_sum1: int) -> tuple[list[int], list[int]]:
    """Two tie-free samples of sizes n1, n2 whose first has rank sum `rank_sum1` (ranks 1..n1+n2)."""
    n = n1 + n2
    chosen = list(range(1, n1 + 1))
    extra = rank_sum1 - n1 * (n1 + 1) // 2
    for i in range(n1 - 1, -1, -1):  # raise the largest ranks first, each as far as it can go
        room = (n - (n1 - 1 - i)) - chosen[i]
        step = min(room, extra)
        chosen[i] += step
        extra -= step
    taken = set(chosen)
    return chosen, [r for r in range(1, n + 1) if r not in taken]


def mann_whitney_from_ranks(
    n1: int, n2: int, rank_sum1_x2: int, tie_term: Any, detail: dict[str, Any] | None = None
) -> TestResult:
    """mann_whitney from the sample sizes, twice the rank sum of x (average ranks for ties) and the tie
    term sum(t^3 - t) over groups of equal values: scipy's p-value with the same arithmetic, its
    exact distribution for small tie-free samples (scipy itself, on tie-free ranks with that rank sum).
    `detail` carries the medians, p95s and means computed from other aggregates."""
    if n1 <= 0 or n2 <= 0:
        return TestResult("none", None, None, "P(day > baseline)", int(n1), int(n2), {"reason": "no data"})
    u1 = rank_sum1_x2 / 2 - n1 * (n1 + 1) / 2
    ties = float(tie_term)
    method = "asymptotic" if min(n1, n2) > 30 or (n1 > 8 and n2 > 8) or ties > 0 else "exact"
    if method == "exact":
        x, y = _tie_free_sample(n1, n2, int(rank_sum1_x2) // 2)
        ps = {
            alt: float(_sps().mannwhitneyu(x, y, alternative=alt, method="exact").pvalue)
            for alt in ("two-sided", "greater", "less")
        }
    else:
        ps = {
            "two-sided": _mwu_normal_p(max(u1, n1 * n2 - u1), n1, n2, ties, 2),
            "greater": _mwu_normal_p(u1, n1, n2, ties, 1),
            "less": _mwu_normal_p(n1 * n2 - u1, n1, n2, ties, 1),
        }
    p = ps["two-sided"]
    one_sided = {f"p_{alt}": (ps[alt] if math.isfinite(ps[alt]) else None) for alt in ("greater", "less")}
    return TestResult(
        "mann-whitney u",
        p if math.isfinite(p) else None,
        u1 / (n1 * n2),
        "P(day > baseline)",
        int(n1),
        int(n2),
        {**(detail or {}), **one_sided},
    )


def _mwu_normal_p(u: float, n1: int, n2: int, ties: float, sides: int) -> float:
    """scipy's normal approximation of Mann-Whitney U (tie-corrected, continuity-corrected) for the
    statistic u of the side tested: P(U >= u), doubled for a two-sided test (sides=2), at most 1."""
    n = n1 + n2
    s = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    numerator = u - n1 * n2 / 2 - 0.5
    if s > 0:
        z = numerator / s
    else:  # every value tied: numpy's x / 0 (scipy divides so)
        z = math.copysign(math.inf, numerator) if numerator else math.nan
    from scipy import special

    p = float(special.ndtr(-z)) * sides
    return min(max(p, 0.0), 1.0) if math.isfinite(p) else p


# ---------------------------------------------------------------------------------------------
# Error control over a family of tests (launchkit.analytics.family plans the family's levels).


def holm(p_values: Sequence[float | None], alpha: float) -> list[bool]:
    """Holm's step-down procedure: which hypotheses are rejected, with the chance of rejecting any true one
    at most alpha whatever the dependence between the tests. The k-th smallest of m p-values (k from 0) is
    rejected while each so far is <= alpha / (m - k). A None (not tested) is never rejected and does not
    count in the family. (statsmodels' multipletests gives the same answer; it also runs the garbage
    collector on every call, a third of a second, which a decision judging every earlier day cannot pay.)"""
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    out = [False] * len(p_values)
    for k, (p, i) in enumerate(tested):
        if p > alpha / (len(tested) - k):
            break
        out[i] = True
    return out


def difference_interval(k1: int, n1: int, k2: int, n2: int, level: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid-score interval of the difference of two proportions k1/n1 - k2/n2 (statsmodels)."""
    lo, hi = _proportion().confint_proportions_2indep(k1, n1, k2, n2, compare="diff", method="newcomb", alpha=1 - level)
    return float(lo), float(hi)
