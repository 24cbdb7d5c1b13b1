"""Which days a decided day is compared with: the last known-good period, the days before, or fixed dates.

A problem that persists must not become its own baseline. With decision.baseline = "last_good" (the
default) the reference is the most recent run of decision.baseline_days consecutive *good* days: days
that passed every day-vs-baseline comparison and every critical criterion judged on the day alone,
recomputed from the data (each earlier day judged against its own reference, oldest first), never read
from stored decisions. Fewer good days than that: the rolling window, and the reference says so.

The day before the decided day is never in the reference: the decision pools it with the decided day
(two days' evidence against a sustained effect), and while earlier days are not good the pooled window
starts at the first of them ("ongoing since").
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any, TypedDict

from launchkit.window import Window, day_start

# How far back a decision judges earlier days (each judged once per decision, or once per memo).
SEARCH_DAYS = 28


class ReferenceJson(TypedDict):
    """A reference as the decision's baseline object shows it (Reference.to_json), ISO dates."""

    mode: str
    asked: str
    first_day: str
    last_day: str
    why: str
    pooled_from: str | None
    ongoing_since: str | None
    not_good_days: list[str]


@dataclass(frozen=True)
class Reference:
    """The baseline of a decided day (its first and last day, inclusive), why those days, and the window
    pooled with the decided day (from `pooled_from`; None: the day is tested alone)."""

    day: date
    mode: str  # what was used: last_good | rolling | fixed
    asked: str  # decision.baseline
    first: date
    last: date
    pooled_from: date | None
    ongoing_since: date | None
    why: str
    not_good: tuple[date, ...] = ()

    def window(self, tz: tzinfo) -> Window:
        return Window(day_start(self.first, tz), day_start(self.last + timedelta(days=1), tz))

    def pooled(self, tz: tzinfo) -> Window | None:
        if self.pooled_from is None:
            return None
        return Window(day_start(self.pooled_from, tz), day_start(self.day + timedelta(days=1), tz))

    def to_json(self) -> ReferenceJson:
        return {
            "mode": self.mode,
            "asked": self.asked,
            "first_day": self.first.isoformat(),
            "last_day": self.last.isoformat(),
            "why": self.why,
            "pooled_from": self.pooled_from.isoformat() if self.pooled_from else None,
            "ongoing_since": self.ongoing_since.isoformat() if self.ongoing_since else None,
            "not_good_days": [d.isoformat() for d in self.not_good],
        }


def _rolling(day: date, n: int, pooled_from: date, asked: str, why: str, ongoing: date | None) -> Reference:
    return Reference(day, "rolling", asked, pooled_from - timedelta(days=n), pooled_from - timedelta(days=1),
                     pooled_from, ongoing, why)  # fmt: skip


def choose(day: date, opts: dict[str, Any], first_day: date | None, good: dict[date, bool]) -> Reference:
    """The reference of `day` given which earlier days were good (a day absent from `good` counts as good:
    the pilot's first baseline_days days, which have no baseline to be judged against, and days beyond
    the search)."""
    n, asked = int(opts["baseline_days"]), str(opts.get("baseline", "last_good"))
    yesterday = day - timedelta(days=1)
    ongoing = None
    x = yesterday
    while good.get(x) is False:
        ongoing, x = x, x - timedelta(days=1)
    pooled_from = ongoing or yesterday
    if asked == "fixed":
        a, b = opts["baseline_from"], opts["baseline_to"]
        if b < yesterday:
            return Reference(day, "fixed", asked, a, b, max(pooled_from, b + timedelta(days=1)), ongoing,
                             f"decision.baseline = fixed: {a.isoformat()} to {b.isoformat()}")  # fmt: skip
        if b < day:
            return Reference(day, "fixed", asked, a, b, None, None, f"decision.baseline = fixed: {a} to {b}")
        why = f"the fixed baseline ({a} to {b}) does not end before {day}: the {n} days before yesterday instead"
        return _rolling(day, n, yesterday, asked, why, None)
    if asked == "rolling":
        return _rolling(day, n, yesterday, asked, f"decision.baseline = rolling: the {n} days before yesterday", None)
    not_good = tuple(sorted(d for d, ok in good.items() if not ok and d < pooled_from))
    end = pooled_from - timedelta(days=1)
    floor = max(first_day or end, day - timedelta(days=SEARCH_DAYS + n))
    while end - timedelta(days=n - 1) >= floor:
        block = [end - timedelta(days=k) for k in range(n)]
        bad = [d for d in block if good.get(d) is False]
        if not bad:
            skipped = (pooled_from - timedelta(days=1) - end).days
            why = f"the latest {n} consecutive days that passed every comparison and critical criterion"
            if skipped:
                why += f" (the {skipped} day(s) after them did not)"
            return Reference(day, "last_good", asked, block[-1], end, pooled_from, ongoing, why, not_good)
        end = min(bad) - timedelta(days=1)
    why = f"fewer than {n} consecutive good days in the {SEARCH_DAYS} days searched: the {n} days before"
    return _rolling(day, n, pooled_from, asked, why + (" the current run" if ongoing else " yesterday"), ongoing)


def reference(
    day: date,
    opts: dict[str, Any],
    first_day: date | None,
    judge: Callable[[date, Reference], bool],
    memo: MutableMapping[Any, bool] | None = None,
    key: Any = None,
) -> Reference:
    """The reference of `day`: for last_good, each earlier day within SEARCH_DAYS judged (oldest first)
    against its own reference by `judge` (True: good). `memo` keeps the judgements between calls on
    unchanged data (keyed by (key, day)); without it every decision judges afresh."""
    n = int(opts["baseline_days"])
    good: dict[date, bool] = {}
    if opts.get("baseline", "last_good") == "last_good" and first_day is not None:
        x = max(first_day + timedelta(days=n), day - timedelta(days=SEARCH_DAYS))
        while x < day:
            k = (key, x)
            if memo is not None and k in memo:
                good[x] = memo[k]
            else:
                good[x] = judge(x, choose(x, opts, first_day, good))
                if memo is not None:
                    memo[k] = good[x]
            x += timedelta(days=1)
    return choose(day, opts, first_day, good)
