"""The pilot's per-minute load projected to a target traffic by superposing pilot minutes.

A target of S sessions a day is k = S / (the pilot's sessions a day) copies of the pilot's traffic.
Each projected minute at a weekday and hour is the sum of k independent pilot minutes of the same
weekday and hour (floor(k) of them, and one more with probability k - floor(k)): the burstiness of
the pilot's minutes is kept, and the variance of a sum grows k-fold as the mean does, never k^2-fold
as it would for one minute's count multiplied by k. Past 64 copies a sum is drawn from the normal law
with the pool's mean and variance times k (the central limit; stated in the result).

The uncertainty is that of the pilot and of the period itself: each replicate resamples the pilot's
days within their weekday (a day bootstrap, which keeps a day's own minute-to-minute correlation),
then draws `horizon_days` days of projected minutes; the p99 and p99.9 minute of each replicate form
the interval (2.5 % and 97.5 % of the replicates at level 0.95) and their median the estimate. So the
interval is a prediction interval for the p99 minute of a period of that length at the target.
Independent copies cannot move together: a day's traffic level shared by every copy (a tenant paused,
a quiet Friday) is left out. `day_levels=True` multiplies each projected day by a level of mean 1 and
the pilot's day-level variance, from the covariance between hours of the same day (so the hours' own
noise is not scaled k^2-fold) over the steps from one day to the next comparable day (so a ramp-up is
read as a trend, not as day-to-day variance); off by default (docs/capacity.md: what it costs).

Profile: the hour of the week once the pilot holds four of each weekday; before that the hour of a
weekday or of a weekend day (two weeks hold only two Mondays, too few to resample), else the hour of
the day.
Assumed: the model mix, the tokens per session and the daily and weekly shape of the pilot hold at
the target; sessions are independent of one another.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from launchkit.analytics.capacity.load import MEASURES

REPLICATES = 200
NORMAL_FROM = 64  # copies from which a minute's sum is drawn from the normal law
MIN_WEEKS = 4  # days of each weekday before each weekday is its own class


@dataclass(frozen=True)
class Quantity:
    """A projected figure: the median over replicates and its interval."""

    estimate: float
    low: float
    high: float


@dataclass(frozen=True)
class MeasureProjection:
    measure: str
    p99: Quantity
    p999: Quantity
    # share of projected minutes above each threshold given to `project` (per threshold: its Quantity)
    exceed: dict[float, Quantity]


@dataclass(frozen=True)
class Projection:
    copies: float  # k
    horizon_days: int
    profile: str  # "hour-of-week" | "hour-of-day"
    method: str  # "resampled minutes" | "normal approximation (k > 64)"
    replicates: int
    level: float
    measures: dict[str, MeasureProjection]


@dataclass(frozen=True)
class _Pilot:
    """The pilot's minutes as arrays: values per measure, and where each (day, hour) block starts."""

    values: dict[str, np.ndarray]
    block_start: np.ndarray  # (days, 24): first row of that day's hour
    block_len: np.ndarray  # (days, 24): rows in it (0: the hour did not exist, a DST spring day)
    day_class: np.ndarray  # (days,): weekday (hour-of-week) or 0 (hour-of-day)
    profile: str
    hour_sums: dict[str, np.ndarray]  # per measure, (days, 24): the hour's total (the day level's evidence)


def _pilot(frame: pd.DataFrame) -> _Pilot:
    frame = frame.sort_values("minute", kind="stable").reset_index(drop=True)
    days = sorted(frame["day"].unique())
    day_idx = frame["day"].map({d: i for i, d in enumerate(days)}).to_numpy()
    hour = frame["hour"].to_numpy()
    block_start = np.zeros((len(days), 24), dtype=np.int64)
    block_len = np.zeros((len(days), 24), dtype=np.int64)
    keys = day_idx * 24 + hour
    # rows of one (day, hour) are contiguous but for a DST fall-back hour, whose two halves are apart:
    # sort by (day, hour) so each block is one slice
    order = np.argsort(keys, kind="stable")
    keys_sorted = keys[order]
    uniq, first, counts = np.unique(keys_sorted, return_index=True, return_counts=True)
    block_start.ravel()[uniq] = first
    block_len.ravel()[uniq] = counts
    values = {m: frame[m].to_numpy(dtype=float)[order] for m in MEASURES}
    sums = {
        m: np.bincount(keys, weights=frame[m].to_numpy(dtype=float), minlength=len(days) * 24).reshape(-1, 24)
        for m in MEASURES
    }
    weekdays = np.array([pd.Timestamp(d).weekday() for d in days])
    profile = _profile(weekdays)
    return _Pilot(values, block_start, block_len, _classes(weekdays, profile), profile, sums)


def _profile(weekdays: np.ndarray) -> str:
    """The finest day classes the pilot can fill: each weekday apart once it holds MIN_WEEKS of each,
    else weekdays and weekend days apart when it has both, else every day alike."""
    counts = np.bincount(weekdays, minlength=7)
    if counts.min() >= MIN_WEEKS:
        return "hour-of-week"
    if counts[:5].sum() and counts[5:].sum():
        return "hour of a weekday or weekend day"
    return "hour-of-day"


def _classes(weekdays: np.ndarray, profile: str) -> np.ndarray:
    if profile == "hour-of-week":
        return weekdays
    if profile == "hour-of-day":
        return np.zeros(len(weekdays), dtype=np.int64)
    return (weekdays >= 5).astype(np.int64)


def _target_minutes(p: _Pilot, first_weekday: int, horizon_days: int) -> tuple[np.ndarray, np.ndarray]:
    """The day class and hour of every projected minute of the horizon."""
    cls = _classes((first_weekday + np.arange(horizon_days)) % 7, p.profile)
    per_day_hours = np.repeat(np.arange(24), 60)
    return np.repeat(cls, 24 * 60), np.tile(per_day_hours, horizon_days)


def _resample_days(p: _Pilot, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A day bootstrap within each class: (class -> its resampled days as a padded table, class sizes)."""
    classes = int(p.day_class.max()) + 1 if len(p.day_class) else 1
    sizes = np.array([(p.day_class == c).sum() for c in range(classes)])
    table = np.zeros((classes, max(1, sizes.max())), dtype=np.int64)
    for c in range(classes):
        members = np.flatnonzero(p.day_class == c)
        if len(members):
            table[c, : len(members)] = rng.choice(members, size=len(members), replace=True)
    return table, sizes


def _draw_rows(
    p: _Pilot, rng: np.random.Generator, table: np.ndarray, sizes: np.ndarray, cls: np.ndarray, hour: np.ndarray, n: int
) -> np.ndarray:
    """Rows of n pilot minutes drawn for each projected minute (same class and hour, resampled days)."""
    slot = (rng.random((len(cls), n)) * sizes[cls][:, None]).astype(np.int64)
    block = table[cls[:, None], slot] * 24 + hour[:, None]  # (day, hour) as one index into the block arrays
    length = p.block_len.ravel()[block]
    missing = length == 0  # an hour a DST spring day lacks: take the hour before it (that day has its rows)
    if missing.any():
        block = np.where(missing & (block % 24 > 0), block - 1, block)
        length = p.block_len.ravel()[block]
    return p.block_start.ravel()[block] + (rng.random(block.shape) * np.maximum(length, 1)).astype(np.int64)


def day_steps(day_class: np.ndarray) -> np.ndarray:
    """Pairs (i, j) of days in the pilot's order where j is the next day of i's class (a weekday to the
    next weekday, a Monday to the next Monday): the comparable days whose difference is a day-level step."""
    pairs = [np.flatnonzero(day_class == c) for c in np.unique(day_class)]
    out = [np.column_stack([d[:-1], d[1:]]) for d in pairs if len(d) > 1]
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)


def day_level_variance(sums: np.ndarray, day_class: np.ndarray, steps: np.ndarray | None = None) -> float:
    """The variance of the level a day shares across its hours (relative to the mean), from the
    covariance between hours of the same day, taken over the differences between consecutive
    comparable days (`steps`, by default day_steps: the von Neumann form, half the mean squared step)
    so a ramp or a step in the traffic (a trend) counts as its steps, not as spread about one mean.
    For a step d (24 hours): ((sum of d)^2 - sum of d^2) / 2 is the sum over pairs of distinct hours of
    d_h x d_h' / 2, whose mean a level c shared by each day (independent from day to day) makes
    var(c) x mu_h x mu_h', and the hours' own (Poisson-like) noise leaves at zero. Pooled over the day
    classes (mu_h: the class's hour means); at least zero."""
    steps = day_steps(day_class) if steps is None else steps
    num = den = 0.0
    for c in np.unique(day_class):
        mine = steps[day_class[steps[:, 0]] == c] if len(steps) else steps
        if not len(mine):
            continue
        d = sums[mine[:, 1]] - sums[mine[:, 0]]
        mu = sums[day_class == c].mean(axis=0)
        num += float((d.sum(axis=1) ** 2 - (d**2).sum(axis=1)).mean()) / 2
        den += mu.sum() ** 2 - (mu**2).sum()
    return max(0.0, num / den) if den > 0 else 0.0


def _day_levels(p: _Pilot, rng: np.random.Generator, days: int) -> dict[str, np.ndarray]:
    """Per measure, a level for each projected day (mean 1, lognormal with the day-level variance of
    the pilot's steps resampled within their class; one normal draw per day shared by the measures,
    as traffic moves them together)."""
    steps = day_steps(p.day_class)
    if len(steps):  # a bootstrap of the steps within each class, for the estimate's own uncertainty
        cls = p.day_class[steps[:, 0]]
        mine = [steps[cls == c] for c in np.unique(cls)]
        steps = np.concatenate([s[rng.integers(0, len(s), len(s))] for s in mine])
    z = rng.standard_normal(days)
    out = {}
    for m in MEASURES:
        s2 = np.log1p(day_level_variance(p.hour_sums[m], p.day_class, steps))
        out[m] = np.exp(np.sqrt(s2) * z - s2 / 2)
    return out


def _replicate(
    p: _Pilot, rng: np.random.Generator, k: float, cls: np.ndarray, hour: np.ndarray, day_levels: bool
) -> dict[str, np.ndarray]:
    """One replicate's projected minutes, per measure: sums of k pilot minutes (times the day's level)."""
    table, sizes = _resample_days(p, rng)
    out = _superposed(p, rng, table, sizes, k, cls, hour)
    if day_levels:
        levels = _day_levels(p, rng, len(cls) // (24 * 60))
        for m in MEASURES:
            out[m] *= np.repeat(levels[m], 24 * 60)
    return out


def _superposed(
    p: _Pilot,
    rng: np.random.Generator,
    table: np.ndarray,
    sizes: np.ndarray,
    k: float,
    cls: np.ndarray,
    hour: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each projected minute as the sum of k independent pilot minutes of its class and hour."""
    n, frac = int(np.floor(k)), k - np.floor(k)
    out = {m: np.zeros(len(cls)) for m in MEASURES}
    if n > NORMAL_FROM:
        _normal(p, rng, table, sizes, cls, hour, k, out)
        return out
    if n:
        rows = _draw_rows(p, rng, table, sizes, cls, hour, n)
        for m in MEASURES:
            out[m] += p.values[m][rows].sum(axis=1)
    if frac > 0:
        rows = _draw_rows(p, rng, table, sizes, cls, hour, 1)[:, 0]
        extra = rng.random(len(cls)) < frac
        for m in MEASURES:
            out[m] += np.where(extra, p.values[m][rows], 0.0)
    return out


def _normal(
    p: _Pilot,
    rng: np.random.Generator,
    table: np.ndarray,
    sizes: np.ndarray,
    cls: np.ndarray,
    hour: np.ndarray,
    k: float,
    out: dict[str, np.ndarray],
) -> None:
    """k copies by the central limit: per (class, hour), the resampled pool's mean and variance times k."""
    z = rng.standard_normal(len(cls))
    for c in np.unique(cls):
        days = table[c, : sizes[c]]
        for h in range(24):
            where = (cls == c) & (hour == h)
            if not where.any():
                continue
            pool_rows = np.concatenate(
                [np.arange(p.block_start[d, h], p.block_start[d, h] + p.block_len[d, h]) for d in days]
            )
            for m in MEASURES:
                pool = p.values[m][pool_rows] if len(pool_rows) else np.zeros(1)
                out[m][where] = np.maximum(0.0, k * pool.mean() + np.sqrt(k * pool.var()) * z[where])


def project(
    minutes: pd.DataFrame,
    copies: float,
    *,
    thresholds: dict[str, list[float]] | None = None,
    horizon_days: int = 7,
    first_weekday: int = 0,
    replicates: int = REPLICATES,
    level: float = 0.95,
    seed: int = 0,
    day_levels: bool = False,
) -> Projection:
    """Project one provider/model's pilot minutes (a PilotLoad.minutes frame) to `copies` times its traffic.

    `thresholds`: per measure, the per-minute values whose exceedance share is wanted (the limits).
    `day_levels`: also give each projected day a level shared by its minutes (day_level_variance), the
    traffic level's own day-to-day movement that k independent copies cannot show (off by default).
    """
    p = _pilot(minutes)
    cls, hour = _target_minutes(p, first_weekday, horizon_days)
    rng = np.random.default_rng(seed)
    thresholds = thresholds or {}
    p99 = {m: np.empty(replicates) for m in MEASURES}
    p999 = {m: np.empty(replicates) for m in MEASURES}
    above = {m: {t: np.empty(replicates) for t in thresholds.get(m, [])} for m in MEASURES}
    for r in range(replicates):
        sim = _replicate(p, rng, copies, cls, hour, day_levels)
        for m in MEASURES:
            p99[m][r], p999[m][r] = np.quantile(sim[m], [0.99, 0.999])
            for t in above[m]:
                above[m][t][r] = float((sim[m] > t).mean())
    tail = (1 - level) / 2

    def q(a: np.ndarray) -> Quantity:
        lo, mid, hi = np.quantile(a, [tail, 0.5, 1 - tail])
        return Quantity(float(mid), float(lo), float(hi))

    measures = {
        m: MeasureProjection(m, q(p99[m]), q(p999[m]), {t: q(a) for t, a in above[m].items()}) for m in MEASURES
    }
    method = "normal approximation (k > 64)" if np.floor(copies) > NORMAL_FROM else "resampled minutes"
    method += ", times a level per day" if day_levels else ""
    return Projection(copies, horizon_days, p.profile, method, replicates, level, measures)


def largest_scale(
    minutes: pd.DataFrame,
    measure: str,
    threshold: float,
    share: float,
    *,
    horizon_days: int = 7,
    first_weekday: int = 0,
    upper: float = 1000.0,
) -> float:
    """The largest scale k at which at most `share` of a period's projected minutes exceed `threshold`,
    by the normal approximation of each (class, hour)'s sum of k pilot minutes (mean k*mu, variance
    k*sigma^2): a fast guide for a search that the simulation (`project`) then confirms."""
    p = _pilot(minutes)
    cls, hour = _target_minutes(p, first_weekday, horizon_days)
    values = p.values[measure]
    groups = np.unique(cls * 24 + hour, return_counts=True)
    mus, sds, weights = [], [], []
    for g, count in zip(*groups):
        c, h = divmod(int(g), 24)
        days = np.flatnonzero(p.day_class == c)
        rows = np.concatenate([np.arange(p.block_start[d, h], p.block_start[d, h] + p.block_len[d, h]) for d in days])
        pool = values[rows] if len(rows) else np.zeros(1)
        mus.append(pool.mean())
        sds.append(pool.std())
        weights.append(count / len(cls))
    mu, sd, w = np.array(mus), np.array(sds), np.array(weights)

    def over(k: float) -> float:
        scale = np.sqrt(k) * sd
        z = np.where(
            scale > 0,
            (threshold - k * mu) / np.where(scale > 0, scale, 1),
            np.where(k * mu > threshold, -np.inf, np.inf),
        )
        return float((w * _normal_sf(z)).sum())

    if over(upper) <= share:
        return upper
    lo, hi = 0.0, upper
    for _ in range(60):
        mid = (lo + hi) / 2
        if over(mid) <= share:
            lo = mid
        else:
            hi = mid
    return lo


def _normal_sf(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return 1.0 - ndtr(z)
