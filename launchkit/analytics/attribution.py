"""Where a change happened: the values of a dimension (tool, release, tenant, cohort, model, provider) ranked by
their share of a metric's change from the baseline to the day, a segment that got worse told from a mix shift.

Every metric compared is a ratio of sums, R = sum(x) / sum(n) (a rate: failed calls / calls; a mean: cost /
sessions; latency: the share of ok turns slower than the baseline's p95, the stated rule for a percentile; answer
quality: the share of judged answers a model or program judged incorrect, or hallucinated). Per
segment j with baseline and day counts, r0_j = x0_j / n0_j, w0_j = n0_j / N0 (and r1_j, w1_j on the day), the
change R1 - R0 splits exactly into (the standard rate decomposition, Kitagawa / Oaxaca-Blinder with the day's
mix as weights):

    rate_j = w1_j * (r1_j - r0_j)          the segment itself changed (got worse or better)
    mix_j  = (r0_j - R0) * (w1_j - w0_j)   traffic moved to (or from) a segment already unlike the whole

sum_j (rate_j + mix_j) = R1 - R0. A segment without baseline data (a new release) is compared with the whole
baseline (r0_j = R0: all of its difference is its own); one absent on the day contributes only mix. A segment's
share of the change (Adtributor's explanatory power, Bhagwan et al., NSDI 2014) is (rate_j + mix_j) / (R1 - R0).

The finding of a dimension, in the spirit of Adtributor (a small set of values with most of the explanatory
power, and surprising): the fewest values (1 to MAX_SET), each with at least MIN_SHARE of the change, that
together carry at least EXPLAINS of it *and* changed much more than the rest (the pooled change of the other
values is at most SPECIFIC times theirs, and theirs passes a two-proportion test at SIGNIFICANT), so a regression spread over every tenant is "no single segment
explains it" however the tenants are grouped (and no finding at all unless the whole change passes that test), and a release that carries all the day's traffic explains
nothing by itself (the timeline says when it shipped). When the mix terms carry at least EXPLAINS of the change,
the finding is a mix shift toward the value that gained most of it. Values that carry more than MAX_TRAFFIC
of the day's sample explain nothing by themselves (cohort "pilot" when only a few rows lack one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypedDict

from launchkit.config import Config
from launchkit.jsonclean import clean
from launchkit.stats import two_proportions
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window

DIMENSIONS = ("tool", "release", "tenant", "cohort", "model", "provider")
EXPLAINS = 0.6  # share of the change a finding must carry
MIN_SHARE = 0.1  # share each value of a finding carries at least
MAX_SET = 3
SPECIFIC = 0.5  # the rest changed at most this share of the finding's own change (same direction)
TOP = 5  # segments shown per dimension
MAX_TRAFFIC = 0.9  # values carrying more of the day's sample than this explain nothing by themselves
CLOSE = 0.15  # findings whose shares of the change differ by less are told apart by their traffic
STANDS_OUT = 2.0  # a value that stands out on the day alone: at least this many times the rest's bad share
SIGNIFICANT = 0.01  # a finding's own change must pass a two-proportion test at this level (rates)


@dataclass(frozen=True)
class Measure:
    """How a compared metric is counted per segment: the level of attribution/segments.sql's rows, its sample
    (n column), its numerator (a column, or n minus `bad` for a good share), and what is better."""

    level: str
    n: str
    x: str
    good_share: bool  # x = n - bad (a success rate, CSAT, thumbs up) rather than the column itself
    better: str  # "higher" | "lower"
    unit: str  # "share" | "usd"
    label: str  # what R is, in words
    dimensions: tuple[str, ...]


_SESSION_DIMS = ("tenant", "cohort", "release")
_TURN_DIMS = ("release", "tenant", "cohort", "model", "provider")
MEASURES: dict[str, Measure] = {
    "tool_call_success_rate": Measure(
        "calls", "n", "bad", True, "higher", "share", "tool-call success", ("tool", *_TURN_DIMS)
    ),
    "turn_error_rate": Measure("turns", "n", "bad", False, "lower", "share", "turn errors", _TURN_DIMS),
    "latency_ms": Measure(
        "turns", "n2", "bad2", False, "lower", "share", "turns slower than the baseline's p95 latency", _TURN_DIMS
    ),
    "ttft_ms": Measure(
        "turns", "n3", "bad3", False, "lower", "share", "turns slower than the baseline's p95 TTFT", _TURN_DIMS
    ),
    "cost_per_session": Measure("sessions", "n", "amount", False, "lower", "usd", "cost per session", _SESSION_DIMS),
    "csat": Measure("feedback", "n", "bad", True, "higher", "share", "CSAT (ratings 4-5)", _SESSION_DIMS),
    "thumbs_up_rate": Measure("feedback", "n2", "bad2", True, "higher", "share", "thumbs up", _SESSION_DIMS),
    "judged_correct_rate": Measure(
        "evaluations", "n", "bad", True, "higher", "share", "answers judged correct (a model's judgement)", _TURN_DIMS
    ),
    "hallucination_rate": Measure(
        "evaluations",
        "n2",
        "bad2",
        False,
        "lower",
        "share",
        "answers judged hallucinated (a model's judgement)",
        _TURN_DIMS,
    ),
}


@dataclass(frozen=True)
class Judged:
    """Which evaluations the answer-quality measures count: the names of the correctness and hallucination
    judgements and the value from which one says yes ([evaluations] in the config)."""

    correct: str
    hallucination: str
    threshold: float

    @classmethod
    def of(cls, config: Config) -> Judged:
        return cls(
            config.evaluation_name("correct"), config.evaluation_name("hallucination"), config.evaluation_threshold
        )

    @property
    def params(self) -> dict[str, str | float]:
        """The bound parameters of attribution/segments.sql and fragments/hourly_counts.sql."""
        return {
            "eval_correct": self.correct,
            "eval_hallucination": self.hallucination,
            "eval_threshold": self.threshold,
        }


@dataclass(frozen=True)
class Counts:
    """One segment's sample and numerator in the baseline (0) and on the day (1)."""

    value: str
    n0: float
    x0: float
    n1: float
    x1: float


@dataclass
class Segment:
    value: str
    n_baseline: int
    n_day: int
    before: float | None  # r0 (None: no baseline data)
    after: float | None  # r1 (None: no data on the day)
    share_baseline: float
    share_day: float
    rate_effect: float
    mix_effect: float
    share_of_change: float | None
    kind: str  # "worse" | "better" | "new" | "gone" | "mix shift" | "unchanged"
    p_value: float | None = None

    @property
    def contribution(self) -> float:
        return self.rate_effect + self.mix_effect


class SegmentJson(TypedDict):
    """A segment as an attribution's JSON shows it (Segment's fields and its contribution)."""

    value: str
    n_baseline: int
    n_day: int
    before: float | None
    after: float | None
    share_baseline: float
    share_day: float
    rate_effect: float
    mix_effect: float
    share_of_change: float | None
    kind: str
    p_value: float | None
    contribution: float


class AttributionJson(TypedDict):
    """An attribution as strict JSON (Attribution.to_json): the whole, the finding, the top segments."""

    metric: str
    by: str
    before: float | None
    after: float | None
    change: float | None
    finding: str
    culprits: list[str]
    share: float | None
    traffic_share: float | None
    rest_change: float | None
    segments: list[SegmentJson]
    segments_total: int


@dataclass
class Attribution:
    """A metric's change over one dimension: the whole, every segment (largest share first) and the finding."""

    metric: str
    by: str
    before: float | None
    after: float | None
    change: float | None
    segments: list[Segment]
    finding: str  # "explained" | "mix shift" | "no single segment" | "no change" | "no data"
    culprits: list[str] = field(default_factory=list)
    share: float | None = None  # of the change, carried by the culprits
    traffic_share: float | None = None  # of the day's sample, the culprits'
    rest_change: float | None = None  # the pooled change of the other values

    def to_json(self, top: int = TOP) -> AttributionJson:
        return clean(
            {
                "metric": self.metric,
                "by": self.by,
                "before": self.before,
                "after": self.after,
                "change": self.change,
                "finding": self.finding,
                "culprits": self.culprits,
                "share": self.share,
                "traffic_share": self.traffic_share,
                "rest_change": self.rest_change,
                "segments": [{**s.__dict__, "contribution": s.contribution} for s in self.segments[:top]],
                "segments_total": len(self.segments),
            }
        )


def _pooled(rows: Iterable[Counts], r0_all: float) -> tuple[float, float | None]:
    """The pooled before and after value of some segments (before: the whole baseline's when none has any)."""
    rows = list(rows)
    n0, x0 = sum(c.n0 for c in rows), sum(c.x0 for c in rows)
    n1, x1 = sum(c.n1 for c in rows), sum(c.x1 for c in rows)
    return (x0 / n0 if n0 else r0_all), (x1 / n1 if n1 else None)


def decompose(metric: str, by: str, rows: list[Counts], better: str = "lower", unit: str = "share") -> Attribution:
    """The change of R = sum(x) / sum(n) from the baseline to the day over the segments `rows` (see the module)."""
    n0, x0 = sum(c.n0 for c in rows), sum(c.x0 for c in rows)
    n1, x1 = sum(c.n1 for c in rows), sum(c.x1 for c in rows)
    if not n0 or not n1:
        return Attribution(metric, by, x0 / n0 if n0 else None, x1 / n1 if n1 else None, None, [], "no data")
    big_r0, big_r1 = x0 / n0, x1 / n1
    change = big_r1 - big_r0
    segs = []
    for c in rows:
        w0, w1 = c.n0 / n0, c.n1 / n1
        r0 = c.x0 / c.n0 if c.n0 else None
        r1 = c.x1 / c.n1 if c.n1 else None
        ref = big_r0 if r0 is None else r0
        rate = w1 * ((r1 if r1 is not None else ref) - ref)
        mix = (ref - big_r0) * (w1 - w0)
        p = None
        if unit == "share" and c.n0 and c.n1:
            p = two_proportions(int(round(c.x1)), int(c.n1), int(round(c.x0)), int(c.n0)).p_value
        segs.append(
            Segment(
                value=c.value,
                n_baseline=int(c.n0),
                n_day=int(c.n1),
                before=r0,
                after=r1,
                share_baseline=w0,
                share_day=w1,
                rate_effect=rate,
                mix_effect=mix,
                share_of_change=(rate + mix) / change if change else None,
                kind=_kind(r0, r1, rate, mix, better),
                p_value=p,
            )
        )
    segs.sort(key=lambda s: (-(s.share_of_change or 0.0), s.value))
    out = Attribution(metric, by, big_r0, big_r1, change, segs, "no change" if not change else "no single segment")
    if change and (unit != "share" or _significant(rows, {c.value for c in rows}, unit)):
        _find(out, rows, big_r0, unit)
    return out


def _kind(r0: float | None, r1: float | None, rate: float, mix: float, better: str) -> str:
    if r0 is None:
        return "new"
    if r1 is None:
        return "gone"
    if rate == 0 and mix == 0:
        return "unchanged"
    if abs(mix) > abs(rate):
        return "mix shift"
    worse = rate > 0 if better == "lower" else rate < 0
    return "worse" if worse else "better"


def _significant(rows: list[Counts], names: set[str], unit: str) -> bool:
    """Whether the values' pooled change is more than noise: a two-proportion test at SIGNIFICANT (a value new
    on the day against the whole baseline); a mean (unit usd) is not tested here."""
    if unit != "share":
        return True
    inside = [c for c in rows if c.value in names]
    n1, x1 = sum(c.n1 for c in inside), sum(c.x1 for c in inside)
    n0, x0 = sum(c.n0 for c in inside), sum(c.x0 for c in inside)
    if not n0:
        n0, x0 = sum(c.n0 for c in rows), sum(c.x0 for c in rows)
    p = two_proportions(int(round(x1)), int(n1), int(round(x0)), int(n0)).p_value
    return p is not None and p < SIGNIFICANT


def _find(out: Attribution, rows: list[Counts], big_r0: float, unit: str) -> None:
    """Set the dimension's finding (see the module): a mix shift, the fewest specific values, or none."""
    change = out.change or 0.0
    by_value = {c.value: c for c in rows}
    mix_share = sum(s.mix_effect for s in out.segments) / change
    if mix_share >= EXPLAINS:
        gainers = [s for s in out.segments if s.share_day > s.share_baseline and s.mix_effect / change > 0]
        if not gainers:
            return
        gainer = max(gainers, key=lambda s: s.mix_effect / change)
        out.finding, out.culprits, out.share = "mix shift", [gainer.value], mix_share
        out.traffic_share = gainer.share_day
        return
    chosen: list[Segment] = []
    for s in out.segments[:MAX_SET]:
        if (s.share_of_change or 0.0) < MIN_SHARE:
            break
        chosen.append(s)
        share = sum(c.share_of_change or 0.0 for c in chosen)
        if share < EXPLAINS:
            continue
        names = {c.value for c in chosen}
        b_in, a_in = _pooled((by_value[v] for v in names), big_r0)
        b_out, a_out = _pooled((c for c in rows if c.value not in names), big_r0)
        own = (a_in - b_in) if a_in is not None else 0.0
        rest = (a_out - b_out) if a_out is not None else None
        if rest is None or own == 0 or rest / own > SPECIFIC or not _significant(rows, names, unit):
            continue
        if sum(c.share_day for c in chosen) > MAX_TRAFFIC:
            continue
        out.finding, out.culprits, out.share = "explained", [c.value for c in chosen], share
        out.traffic_share, out.rest_change = sum(c.share_day for c in chosen), rest
        return


def _num(v: Any) -> float:
    """A count or sum from a query row: NULL / NaN (no rows, or nothing priced) is 0 here, where it is summed."""
    return 0.0 if v is None or v != v else float(v)


def counts(rows: list[dict[str, Any]], metric: str) -> list[Counts]:
    """The segments of one metric from attribution/segments.sql's rows (any level; the metric's are picked)."""
    m = MEASURES[metric]
    acc: dict[str, list[float]] = {}
    for r in rows:
        if r["level"] != m.level:
            continue
        n, x = _num(r[m.n]), _num(r[m.x])
        if m.good_share:
            x = n - x
        a = acc.setdefault(str(r["value"]), [0.0, 0.0, 0.0, 0.0])
        k = 0 if r["period"] == "baseline" else 2
        a[k] += n
        a[k + 1] += x
    return [Counts(v, *a) for v, a in sorted(acc.items())]


def segment_rows(
    db: QueryRunner,
    by: str,
    day: Window,
    baseline: Window,
    latency_cut: float | None,
    ttft_cut: float | None,
    judged: Judged,
) -> list[dict[str, Any]]:
    """One pass of attribution/segments.sql over a dimension: every level's counts per value and period."""
    params = {
        **judged.params,
        "by": by,
        "start1": day.start,
        "end1": day.end,
        "start2": baseline.start,
        "end2": baseline.end,
        "latency_cut": latency_cut,
        "ttft_cut": ttft_cut,
    }
    return [dict(r) for r in db.frame("attribution/segments", params).to_dict("records")]


def attribute(
    db: QueryRunner,
    metrics: list[str],
    day: Window,
    baseline: Window,
    judged: Judged,
    cuts: dict[str, float | None] | None = None,
    dimensions: tuple[str, ...] = DIMENSIONS,
) -> dict[str, list[Attribution]]:
    """Per metric, its attribution over every dimension that splits it (one query per dimension, shared by the
    metrics). `cuts` holds the baseline's p95 latency and TTFT ("latency_ms", "ttft_ms") for the latency rule;
    `judged` names the evaluations the answer-quality measures count."""
    cuts = cuts or {}
    wanted = [m for m in metrics if m in MEASURES]
    out: dict[str, list[Attribution]] = {m: [] for m in wanted}
    for by in dimensions:
        users = [m for m in wanted if by in MEASURES[m].dimensions]
        if not users:
            continue
        rows = segment_rows(db, by, day, baseline, cuts.get("latency_ms"), cuts.get("ttft_ms"), judged)
        for m in users:
            segs = counts(rows, m)
            if len({c.value for c in segs}) < 2:
                continue  # one value explains nothing
            found = decompose(m, by, segs, MEASURES[m].better, MEASURES[m].unit)
            out[m].append(found)
            if found.finding != "explained" and MEASURES[m].unit == "share":
                alone = stands_out(m, by, segs, MEASURES[m].better)
                if alone.finding == "stands out":
                    out[m].append(alone)
    return out


def stands_out(metric: str, by: str, rows: list[Counts], better: str = "lower") -> Attribution:
    """The day alone: the value whose level is furthest from the rest of the day's, for a problem that persists
    (its baseline may already hold it, so the change explains nothing). A value stands out when it is worse
    than the pooled rest by at least STANDS_OUT times (in the bad share: 1 - r for a good share) and the
    two-proportion test of it against the rest passes at SIGNIFICANT; the finding is "stands out" with that
    value, its before = the rest's level. Rates only."""
    n1, x1 = sum(c.n1 for c in rows), sum(c.x1 for c in rows)
    out = Attribution(metric, by, None, x1 / n1 if n1 else None, None, [], "no single segment")
    good = better == "higher"
    picks = []
    for c in rows:
        rn, rx = n1 - c.n1, x1 - c.x1
        if not c.n1 or not rn:
            continue
        r, rest = c.x1 / c.n1, rx / rn
        bad, bad_rest = (1 - r, 1 - rest) if good else (r, rest)
        p = two_proportions(int(round(c.x1)), int(c.n1), int(round(rx)), int(rn)).p_value
        if bad >= STANDS_OUT * bad_rest and bad > bad_rest and p is not None and p < SIGNIFICANT:
            excess = c.n1 * (bad - bad_rest)
            picks.append((excess, c.value, rest, r, c, p))
    if picks:
        excess, value, rest, r, c, p = max(picks)
        out.finding, out.culprits, out.before = "stands out", [value], rest
        out.traffic_share = c.n1 / n1
        out.segments = [Segment(value, int(c.n0), int(c.n1), rest, r, 0.0, c.n1 / n1, 0.0, 0.0, None, "worse", p)]
    return out


def best(found: list[Attribution]) -> Attribution | None:
    """The most telling finding over the dimensions: an explained one with the fewest values, and of those
    within CLOSE of the largest share of the change the one with the smallest share of the traffic (the most
    specific: model gpt-4o rather than its provider); else a value that stands
    out on the day (the smallest); else a mix shift; else None."""
    explained = [a for a in found if a.finding == "explained"]
    if explained:
        fewest = min(len(a.culprits) for a in explained)
        explained = [a for a in explained if len(a.culprits) == fewest]
        top = max(a.share or 0.0 for a in explained)
        close = [a for a in explained if (a.share or 0.0) >= top - CLOSE]
        return min(close, key=lambda a: (a.traffic_share or 1.0, -(a.share or 0.0), a.by))
    alone = [a for a in found if a.finding == "stands out"]
    if alone:
        return min(alone, key=lambda a: (a.traffic_share or 1.0, a.by))
    mixes = [a for a in found if a.finding == "mix shift"]
    return max(mixes, key=lambda a: a.share or 0.0) if mixes else None
