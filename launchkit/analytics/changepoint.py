"""Since when: the first bad hour of a regression, from the hourly series, with its uncertainty.

One change in level (a step), found by maximum likelihood over the hourly counts: for a rate, binomial counts
(k bad of n per hour; the rate before the change and the rate after it are each estimated from their hours);
for a mean (cost per session), hourly sums that are normal with a variance proportional to the hour's sample.
The first bad hour is the hour tau that maximises the log-likelihood of the two-level model, among hours with
data whose later level is worse; its interval is every such hour whose log-likelihood lies within
LIKELIHOOD_DROP (chi-square(1) 95 % / 2 = 1.92) of the best, a likelihood interval for the change's hour,
reaching back over the empty hours before its first (the change may have come in any of them).
`llr` = 2 x (best - one level), the evidence for a change at all.

A segment that appears in the series (no data before, e.g. a new release) and is worse from its first hour has
its first hour as the first bad hour (method "appeared"): no hour before it can tell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

import numpy as np

LIKELIHOOD_DROP = 1.92
MIN_LLR = 6.63  # chi-square(1) 99 %: below it the series shows no step


class ChangePointJson(TypedDict):
    """A change point as the decision's explanation keeps it (ChangePoint.to_json): instants, not yet strict JSON."""

    first_bad_hour: datetime
    interval: list[datetime]
    interval_level: float
    before: float | None
    after: float
    llr: float
    method: str
    rule: str


@dataclass
class ChangePoint:
    """The first bad hour (`at`, the bucket's start) with its interval [low, high] (bucket starts), the level
    before and after, and the evidence."""

    at: datetime
    low: datetime
    high: datetime
    before: float | None
    after: float
    llr: float
    method: str  # "step" | "appeared"
    level: float = 0.95

    def to_json(self) -> ChangePointJson:
        return {
            "first_bad_hour": self.at,
            "interval": [self.low, self.high],
            "interval_level": self.level,
            "before": self.before,
            "after": self.after,
            "llr": self.llr,
            "method": self.method,
            "rule": "one step in the hourly series by maximum likelihood; interval: the hours within "
            f"{LIKELIHOOD_DROP} of the best log-likelihood",
        }


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * np.log(np.where(y > 0, y, 1.0)), 0.0)


def _binom_ll(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Maximised binomial log-likelihood of k bad in n (arrays of sums), up to a constant."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / np.where(n > 0, n, 1), 0.0)
    return _xlogy(k, p) + _xlogy(n - k, 1 - p)


def _profile(bad: np.ndarray, n: np.ndarray, kind: str) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Log-likelihood of a step at each hour tau (the first after the change), of one level, and the levels
    before/after each tau (NaN when a side has no data)."""
    cb, cn = np.concatenate(([0.0], np.cumsum(bad))), np.concatenate(([0.0], np.cumsum(n)))
    kb, kn = cb[:-1], cn[:-1]  # before tau
    ka, na = cb[-1] - kb, cn[-1] - kn  # from tau on
    with np.errstate(divide="ignore", invalid="ignore"):
        lvl_b = np.where(kn > 0, kb / np.where(kn > 0, kn, 1), np.nan)
        lvl_a = np.where(na > 0, ka / np.where(na > 0, na, 1), np.nan)
    if kind == "rate":
        ll = _binom_ll(kb, kn) + _binom_ll(ka, na)
        return ll, float(_binom_ll(np.array([cb[-1]]), np.array([cn[-1]]))[0]), lvl_b, lvl_a
    # a mean: hourly sums a_t ~ N(mu n_t, s2 n_t); SSE of one level per side = sum a^2/n - (sum a)^2 / sum n
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(n > 0, bad**2 / np.where(n > 0, n, 1), 0.0)
        cq = np.concatenate(([0.0], np.cumsum(q)))
        sse = (
            cq[:-1]
            - np.where(kn > 0, kb**2 / np.where(kn > 0, kn, 1), 0.0)
            + (cq[-1] - cq[:-1])
            - np.where(na > 0, ka**2 / np.where(na > 0, na, 1), 0.0)
        )
        sse0 = cq[-1] - (cb[-1] ** 2 / cn[-1] if cn[-1] else 0.0)
    hours = int((n > 0).sum())
    s2 = max(float(np.nanmin(sse)) / max(hours - 2, 1), 1e-12)
    return -sse / (2 * s2), float(-sse0 / (2 * s2)), lvl_b, lvl_a


def find(
    starts: list[datetime],
    bad: list[float],
    n: list[float],
    better: str = "lower",
    kind: str = "rate",
    reference: float | None = None,
    new: bool = False,
) -> ChangePoint | None:
    """The first bad hour of a series (bucket starts, the bad count or amount, the sample per bucket): the step
    to a worse level, or None when the series shows none (llr below MIN_LLR) or has too little data. `better`
    says which way is worse for the counted quantity (bad counts: "lower"); `reference` (the whole baseline's
    level) judges a segment `new` in the day (without baseline data) that appears in the series."""
    b, m = np.asarray(bad, dtype=float), np.asarray(n, dtype=float)
    has = np.flatnonzero(m > 0)
    if len(has) < 2:
        return None
    ll, ll0, lvl_b, lvl_a = _profile(b, m, kind)

    def worse(after: float, before: float) -> bool:
        return after > before if better == "lower" else after < before

    first = int(has[0])
    if new and first > 0 and reference is not None:  # appeared within the series
        after_all = float(b[has].sum() / m[has].sum())
        if worse(after_all, reference):
            at = starts[first]
            return ChangePoint(at, at, at, None, after_all, math.inf, "appeared")
    cand = [int(t) for t in has[1:] if not math.isnan(lvl_b[t]) and worse(float(lvl_a[t]), float(lvl_b[t]))]
    if not cand:
        return None
    best = max(cand, key=lambda t: (ll[t], -t))
    llr = 2 * (float(ll[best]) - ll0)
    if llr < MIN_LLR:
        return None
    inside = [t for t in cand if ll[best] - ll[t] <= LIKELIHOOD_DROP]
    prior = has[has < min(inside)]  # the change may lie in the empty hours after the last hour with data
    return ChangePoint(
        at=starts[best],
        low=starts[int(prior[-1]) + 1 if len(prior) else min(inside)],
        high=starts[max(inside)],
        before=float(lvl_b[best]),
        after=float(lvl_a[best]),
        llr=llr,
        method="step",
    )
