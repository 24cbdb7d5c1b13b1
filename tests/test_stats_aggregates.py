"""Intervals and tests from aggregates (issue 10, item 3) give the numbers numpy and scipy give on the raw values.

Two layers, each against an independent oracle:
- launchkit.stats' *_from_* functions, fed aggregates the test computes itself (np.sort, scipy's rankdata,
  np.unique tie counts, exact Fractions), against np.quantile / scipy.stats.mannwhitneyu / scipy's t on the
  arrays: small exact-branch samples, ties, all-equal samples, one value, none;
- launchkit.analytics.samples on a synthetic pilot in DuckDB (the SQL computes the ranks, order statistics and
  sums), against the same libraries on the raw values pulled with pandas from the frames.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from _tables import load_frames
from scipy import stats as sps

from launchkit import stats, synth
from launchkit.analytics import samples
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window, day_start

# ---------------------------------------------------------------------------------------------------------
# the arithmetic, on aggregates computed here


def rank_aggregates(x: np.ndarray, y: np.ndarray) -> tuple[int, int, int, int]:
    """n1, n2, twice x's rank sum (average ranks) and sum(t^3 - t), with scipy's rankdata and np.unique."""
    both = np.concatenate([x, y])
    ranks = sps.rankdata(both)  # average ranks for ties
    _, t = np.unique(both, return_counts=True)
    return len(x), len(y), int(round(2 * ranks[: len(x)].sum())), int((t.astype(object) ** 3 - t).sum())


def scipy_mwu(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    method = "asymptotic" if min(len(x), len(y)) > 30 else "auto"
    res = sps.mannwhitneyu(x, y, alternative="two-sided", method=method)
    return float(res.pvalue), float(res.statistic) / (len(x) * len(y))


rng = np.random.default_rng(20260302)
PAIRS = {
    "continuous": (rng.lognormal(7, 0.5, 400), rng.lognormal(7.05, 0.5, 900)),
    "ties": (rng.integers(0, 12, 300).astype(float), rng.integers(1, 13, 500).astype(float)),
    "exact-small": (np.array([3.0, 9.5, 1.25, 7.0, 4.0]), np.array([2.0, 8.0, 10.0, 6.5, 11.0, 12.5, 0.5])),
    "exact-one-small": (np.array([5.0, 1.0, 3.0]), rng.normal(2.0, 1.0, 40)),
    "small-with-ties": (np.array([1.0, 2.0, 2.0, 5.0]), np.array([2.0, 3.0, 5.0, 5.0, 7.0])),
    "all-equal": (np.full(12, 4.0), np.full(20, 4.0)),
    "one-each": (np.array([2.0]), np.array([1.0])),
}


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_mann_whitney_from_ranks_is_scipy(pair):
    x, y = PAIRS[pair]
    n1, n2, r2, ties = rank_aggregates(x, y)
    got = stats.mann_whitney_from_ranks(n1, n2, r2, Decimal(ties))
    p, effect = scipy_mwu(x, y)
    assert (got.n1, got.n2) == (len(x), len(y))
    assert got.effect == pytest.approx(effect, rel=1e-15)
    if math.isnan(p):  # every value tied: scipy's z is 0/0
        assert got.p_value is None
    else:
        assert got.p_value == pytest.approx(p, rel=1e-13, abs=1e-300)


def test_mann_whitney_from_ranks_without_data():
    assert stats.mann_whitney_from_ranks(0, 5, 0, 0).p_value is None
    assert stats.mann_whitney_from_ranks(0, 5, 0, 0).detail == {"reason": "no data"}


@pytest.mark.parametrize("n", [1, 2, 3, 7, 20, 101, 1000, 4321])
@pytest.mark.parametrize("q", [0.0, 0.5, 0.9, 0.95, 0.99, 1.0])
def test_quantile_interval_from_order_statistics_is_numpys(n, q):
    x = np.round(rng.lognormal(6, 0.8, n), 1)  # rounded: ties too
    xs = np.sort(x)
    at = {r: float(xs[r - 1]) for r in stats.ranks_for_quantile_interval(n, q, 0.95)}
    assert len(at) <= 4  # only a few values cross
    got = stats.quantile_interval_from_order_stats(n, q, 0.95, at)
    assert got.estimate == float(np.quantile(x, q))  # the same bits as numpy's interpolation
    lo = int(sps.binom.ppf(0.025, n, q))
    hi = int(sps.binom.ppf(0.975, n, q)) + 1
    assert got.low == (xs[lo - 1] if 1 <= lo <= n else -math.inf)
    assert got.high == (xs[hi - 1] if 1 <= hi <= n else math.inf)
    assert got.n == n


@pytest.mark.parametrize("n", [1, 2, 4, 5, 10, 11])
def test_median_from_order_statistics_is_numpys(n):
    x = rng.normal(0, 1, n)
    xs = np.sort(x)
    at = {r: float(xs[r - 1]) for r in stats.median_ranks(n)}
    assert stats.median_from_order_stats(at, n) == float(np.median(x))


def test_mean_interval_from_exact_sums_is_scipys_t_interval():
    cents = rng.integers(0, 10**9, 2500)  # nano-dollar costs, as the SQL sums them
    v = [Decimal(int(c)) / Decimal(10**9) for c in cents]
    total, total_sq = sum(v), sum(d * d for d in v)
    got = stats.mean_interval_from_sums(len(v), total, total_sq, 0.9)
    arr = np.array([float(d) for d in v])
    lo, hi = sps.t.interval(0.9, len(arr) - 1, loc=arr.mean(), scale=arr.std(ddof=1) / math.sqrt(len(arr)))
    assert got.estimate == pytest.approx(arr.mean(), rel=1e-15)
    assert (got.low, got.high) == (pytest.approx(lo, rel=1e-13), pytest.approx(hi, rel=1e-13))
    # exact: the order of the sums does not matter
    assert stats.mean_interval_from_sums(len(v), sum(reversed(v)), total_sq, 0.9) == got


def test_mean_interval_from_sums_with_too_few_values():
    one = stats.mean_interval_from_sums(1, Decimal("2.5"), Decimal("6.25"))
    assert one.estimate == 2.5 and one.low == -math.inf and one.high == math.inf
    assert stats.mean_interval_from_sums(0, None, None).estimate is None


# ---------------------------------------------------------------------------------------------------------
# the SQL on a pilot, against the raw values

START = date(2026, 3, 2)
DAY = START + timedelta(days=5)
W_DAY = Window.day(DAY, tz=UTC)
W_BASE = Window(day_start(DAY - timedelta(days=5), tz=UTC), day_start(DAY, tz=UTC))


@pytest.fixture(scope="module")
def pilot():
    p = synth.generate_frames(days=6, tenants=4, seed=5, start=START, sessions_per_hour=12)
    frames = dict(p.frames)
    t = frames["turns"].copy()
    ok = t.index[t.status == "ok"]
    t.loc[ok[::37], "latency_ms"] = None  # ok turns without a latency: left out, never counted as 0 ms
    t.loc[ok[5::41], "ttft_ms"] = None
    t.loc[ok[7::23], "latency_ms"] = 1000.0  # ties across the day and its baseline
    frames["turns"] = t
    con = Warehouse.memory()
    load_frames(con, frames)
    priced = con.execute("SELECT turn_id, cost_usd AS priced FROM turns_priced").df()
    yield con, frames, priced
    con.close()


def _in(s: pd.Series, w: Window) -> pd.Series:
    return (s >= pd.Timestamp(w.start)) & (s < pd.Timestamp(w.end))


def raw_turns(frames: dict[str, pd.DataFrame], w: Window, measure: str) -> np.ndarray:
    t = frames["turns"]
    return t[_in(t.started_at, w) & (t.status == "ok")][measure].dropna().to_numpy(dtype=float)


def raw_session_costs(frames: dict[str, pd.DataFrame], priced: pd.DataFrame, w: Window) -> np.ndarray:
    """Each active session's cost (its priced turns' costs in the window, to the nano-dollar; 0 without one)."""
    s, t, c = frames["sessions"], frames["turns"].merge(priced, on="turn_id", how="left"), frames["tool_calls"]
    tw = t[_in(t.started_at, w)]
    active = set(tw.session_id) | set(c[_in(c.started_at, w)].session_id) | set(s[_in(s.started_at, w)].session_id)
    cost = {sid: Fraction(0) for sid in active}
    for sid, v in zip(tw.session_id, tw.priced):
        if not pd.isna(v):
            cost[sid] += Fraction(round(Decimal(v), 9))
    return np.array([float(v) for v in cost.values()])


@pytest.mark.parametrize("measure", ["latency_ms", "ttft_ms"])
@pytest.mark.parametrize("q", [0.5, 0.95, 0.99])
def test_sql_quantile_interval_is_numpys_on_the_raw_values(pilot, measure, q):
    con, frames, _ = pilot
    for w in (W_DAY, W_BASE, Window.hour(datetime.combine(DAY, time(14), UTC), tz=UTC)):
        x = raw_turns(frames, w, measure)
        assert len(x) >= 5  # the hour is small: one bound unbounded, still numpy's numbers
        got = samples.quantile_interval(con, measure, w, q, 0.9, len(x))
        want = stats.quantile_interval(x, q, 0.9)  # numpy's quantile and partition on the array
        assert got == want, (measure, q, w)


def test_sql_sample_sizes_leave_missing_values_out(pilot):
    con, frames, _ = pilot
    x = raw_turns(frames, W_DAY, "latency_ms")
    t = frames["turns"]
    day_ok = t[_in(t.started_at, W_DAY) & (t.status == "ok")]
    assert day_ok.latency_ms.isna().any() and len(x) < len(day_ok)
    at, _ = samples.order_stats(con, "latency_ms", W_DAY, [1, len(x), len(x) + 1])
    assert at == {1: float(x.min()), len(x): float(x.max())}  # no 0.0 for the missing ones, nothing beyond n


def test_sql_mean_cost_interval_is_the_t_interval_of_the_session_costs(pilot):
    con, frames, priced = pilot
    for w in (W_DAY, W_BASE):
        v = raw_session_costs(frames, priced, w)
        got = samples.mean_cost_interval(con, w, 0.95)
        half = sps.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v))
        assert got.n == len(v)
        assert got.estimate == pytest.approx(v.mean(), rel=1e-12)
        assert got.low == pytest.approx(v.mean() - half, rel=1e-12)
        assert got.high == pytest.approx(v.mean() + half, rel=1e-12)


@pytest.mark.parametrize("measure", samples.MEASURES)
def test_sql_mann_whitney_is_scipys_on_the_raw_values(pilot, measure):
    con, frames, priced = pilot
    if measure == "cost_per_session":
        x, y = raw_session_costs(frames, priced, W_DAY), raw_session_costs(frames, priced, W_BASE)
    else:
        x, y = raw_turns(frames, W_DAY, measure), raw_turns(frames, W_BASE, measure)
    got = samples.compare(con, measure, W_DAY, W_BASE)
    p, effect = scipy_mwu(x, y)
    assert (got.n1, got.n2) == (len(x), len(y))
    assert got.p_value == pytest.approx(p, rel=1e-12)
    assert got.effect == pytest.approx(effect, rel=1e-12)
    d = got.detail
    assert d["median_day"] == pytest.approx(np.median(x), rel=1e-15)
    assert d["median_baseline"] == pytest.approx(np.median(y), rel=1e-15)
    assert d["p95_day"] == pytest.approx(np.quantile(x, 0.95), rel=1e-15)
    assert d["p95_baseline"] == pytest.approx(np.quantile(y, 0.95), rel=1e-15)
    assert d["mean_day"] == pytest.approx(x.mean(), rel=1e-12)
    assert d["mean_ratio"] == pytest.approx(x.mean() / y.mean(), rel=1e-12)


def test_sql_mann_whitney_with_an_empty_side(pilot):
    con, _, _ = pilot
    got = samples.compare(con, "latency_ms", W_DAY, Window.day(date(2025, 1, 1), tz=UTC))
    assert got.p_value is None and got.n2 == 0 and got.n1 > 0
