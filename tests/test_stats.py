"""Interval and test helpers: known textbook values, and agreement with scipy/statsmodels called directly."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats as sps

from launchkit import stats


def test_wilson_known_values():
    iv = stats.wilson(8, 10)
    # Wilson score interval for 8/10 at 95% (Newcombe 1998, table I)
    assert (iv.low, iv.high) == pytest.approx((0.4902, 0.9433), abs=5e-5)
    assert iv.estimate == 0.8 and iv.n == 10 and iv.method == "wilson"
    z = sps.norm.ppf(0.975)
    k, n = 30, 40
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    iv = stats.wilson(k, n)
    assert (iv.low, iv.high) == pytest.approx((centre - half, centre + half))


def test_wilson_zero_and_empty():
    iv = stats.wilson(0, 200)
    assert iv.low == pytest.approx(0.0, abs=1e-12) and iv.high == pytest.approx(3.8415 / (200 + 3.8415), rel=1e-3)
    empty = stats.wilson(0, 0)
    assert empty.estimate is None and empty.n == 0


def test_exact_interval_rule_of_three():
    iv = stats.exact(0, 10)
    assert iv.low == 0.0 and iv.high == pytest.approx(1 - 0.025 ** (1 / 10))
    iv = stats.exact(10, 10)
    assert iv.high == 1.0 and iv.low == pytest.approx(0.025 ** (1 / 10))


def test_quantile_interval_order_statistics():
    x = np.arange(1, 101, dtype=float)  # x_(i) = i
    iv = stats.quantile_interval(x, 0.5)
    lo_rank = int(sps.binom.ppf(0.025, 100, 0.5))
    hi_rank = int(sps.binom.ppf(0.975, 100, 0.5)) + 1
    assert (iv.low, iv.high) == (float(lo_rank), float(hi_rank)) == (40.0, 61.0)
    assert iv.estimate == pytest.approx(50.5)
    small = stats.quantile_interval(np.arange(10.0), 0.95)
    assert small.high == math.inf  # too few values to bound p95 from above
    assert stats.quantile_interval([], 0.95).estimate is None


def test_quantile_interval_coverage():
    rng = np.random.default_rng(1)
    true_p95 = math.exp(sps.norm.ppf(0.95))
    hits = 0
    for _ in range(400):
        iv = stats.quantile_interval(rng.lognormal(size=300), 0.95)
        assert iv.low is not None and iv.high is not None
        hits += iv.low <= true_p95 <= iv.high
    assert hits / 400 >= 0.93


def test_bootstrap_is_seeded():
    x = np.random.default_rng(2).lognormal(size=500)
    a = stats.bootstrap_quantile_interval(x, 0.95, seed=3, n_boot=500)
    b = stats.bootstrap_quantile_interval(x, 0.95, seed=3, n_boot=500)
    assert a.low is not None and a.estimate is not None and a.high is not None
    assert a == b and a.low < a.estimate < a.high


def test_mean_interval_matches_scipy():
    x = np.array([1.0, 2.0, 4.0, 7.0, 11.0])
    lo, hi = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
    iv = stats.mean_interval(x)
    assert (iv.low, iv.high) == pytest.approx((lo, hi)) and iv.estimate == 5.0
    one = stats.mean_interval([3.0])
    assert one.estimate == 3.0 and one.high == math.inf


def test_two_proportions_z_and_fisher():
    from statsmodels.stats.proportion import proportions_ztest

    r = stats.two_proportions(90, 1000, 60, 1000)
    assert r.test == "two-proportion z"
    assert r.p_value == pytest.approx(proportions_ztest([90, 60], [1000, 1000])[1])
    assert r.effect == pytest.approx(0.03)
    # zero-inflated: no errors in the baseline -> Fisher's exact test
    r = stats.two_proportions(4, 100, 0, 700)
    assert r.test == "fisher exact"
    assert r.p_value == pytest.approx(sps.fisher_exact([[4, 96], [0, 700]])[1])
    assert r.detail["relative_risk"] is None
    same = stats.two_proportions(0, 100, 0, 700)
    assert same.test == "identical" and same.p_value == 1.0
    assert stats.two_proportions(1, 0, 1, 10).p_value is None


def test_mann_whitney_matches_scipy_and_detects_a_shift():
    rng = np.random.default_rng(4)
    base = rng.lognormal(8, 0.5, 2000)
    slow = rng.lognormal(8, 0.5, 500) * 1.3
    r = stats.mann_whitney(slow, base)
    assert r.p_value == pytest.approx(sps.mannwhitneyu(slow, base, alternative="two-sided", method="asymptotic").pvalue)
    assert r.p_value is not None and r.effect is not None
    assert r.p_value < 1e-6 and r.effect > 0.5
    assert r.detail["median_ratio"] == pytest.approx(np.median(slow) / np.median(base))
    same = stats.mann_whitney(rng.lognormal(8, 0.5, 500), base)
    assert same.p_value is not None and same.p_value > 0.001


def test_sample_size_for_two_proportions():
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    n = stats.n_for_two_proportions(0.98, 0.97, alpha=0.01)
    want = NormalIndPower().solve_power(abs(proportion_effectsize(0.97, 0.98)), alpha=0.01, power=0.8)
    assert n == math.ceil(want)
    assert stats.n_for_two_proportions(0.5, 0.5) is None


def test_clean_is_strict_json():
    out = stats.clean({"a": float("nan"), "b": [np.float64(1.5), np.int64(2), float("inf")], "c": np.bool_(True)})
    assert out == {"a": None, "b": [1.5, 2, None], "c": True}
    json.dumps(out, allow_nan=False)
    json.dumps(stats.quantile_interval(np.arange(5.0), 0.99).to_json(), allow_nan=False)
