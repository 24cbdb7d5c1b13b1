"""Error control over a whole pilot: the level each evening's day-vs-baseline tests are held to.

A team decides every evening, so the error it lives with is per pilot. The pilot's chance of at least one
false HOLD is bounded by decision.pilot_false_hold, and of a false ROLLBACK by
decision.pilot_false_rollback, by spending each evenly over the planned evenings (an alpha-spending plan:
alpha / K an evening, Bonferroni over the evenings) and, within an evening, Holm's step-down procedure
over every test of that evening (each metric's day alone and its pooled window). Holm and Bonferroni
hold under any dependence between the tests, so overlapping windows and correlated metrics are fine.
The tests are one-sided, in the worse direction: only a regression moves the recommendation.

`classify` then weighs each significant change against its minimum effect with the change's noise
band, not its point estimate: beyond the floor: regressed; the floor within the band: watch (a HOLD);
the whole band short of the floor: no change (significant, but smaller than what matters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypedDict

from launchkit.config import Config
from launchkit.stats import holm

if TYPE_CHECKING:  # comparisons' types only: launchkit.analytics.comparisons needs no family
    from launchkit.analytics.comparisons import DayComparison, Pooled

# the comparisons a ROLLBACK can come from (the stability metrics)
ROLLBACK_METRICS = ("tool_call_success_rate", "turn_error_rate", "latency_ms")


class PlanJson(TypedDict):
    """The error control of a pilot's tests (Plan.to_json): the decision's confidence.error_control."""

    method: str
    planned_evenings: int
    planned_from: str
    pilot_false_hold: float
    pilot_false_rollback: float
    evening_hold_level: float
    evening_rollback_level: float


@dataclass(frozen=True)
class Plan:
    """The pilot's error budget and its share for one evening."""

    evenings: int
    source: str
    pilot_false_hold: float
    pilot_false_rollback: float

    @property
    def hold(self) -> float:
        """The family-wise level of one evening's HOLD tests."""
        return self.pilot_false_hold / self.evenings

    @property
    def rollback(self) -> float:
        """The family-wise level of one evening's ROLLBACK tests."""
        return self.pilot_false_rollback / self.evenings

    def to_json(self) -> PlanJson:
        return {
            "method": "Holm over an evening's tests, the pilot's rate spent evenly over its planned evenings",
            "planned_evenings": self.evenings,
            "planned_from": self.source,
            "pilot_false_hold": self.pilot_false_hold,
            "pilot_false_rollback": self.pilot_false_rollback,
            "evening_hold_level": self.hold,
            "evening_rollback_level": self.rollback,
        }


def plan(config: Config, first_day: date | None = None) -> Plan:
    """The plan of a pilot: its planned evenings from pilot.start (else its first day of data) to
    pilot.end, else decision.planned_days."""
    opts = config.decision
    start = config.pilot_start or first_day
    end = config.pilot_end
    if end is not None and start is not None and end >= start:
        k, source = (end - start).days + 1, f"pilot {start.isoformat()} to {end.isoformat()}"
    else:
        k, source = int(opts["planned_days"]), "decision.planned_days"
    return Plan(k, source, float(opts["pilot_false_hold"]), float(opts["pilot_false_rollback"]))


def _beyond(value: float | None, floor: float) -> bool:
    """Whether a change in the worse direction (a rate difference made positive, or a ratio) reaches the floor."""
    return value is not None and value >= floor


def _tested(c: DayComparison) -> list[DayComparison | Pooled]:
    """A comparison's tests: the day alone, and the pooled window when the day itself looks worse."""
    out: list[DayComparison | Pooled] = [c] if c.get("p_worse") is not None else []
    pooled = c.get("pooled")
    if pooled and pooled.get("p_worse") is not None and c.get("leans_worse"):
        out.append(pooled)
    return out


def classify(comparisons: list[DayComparison], p: Plan) -> None:
    """Set each comparison's status (in place): regressed / watch / improved / no change, its `severe`
    flag, and which window decided it (`decided_on`: day or pooled)."""
    tests = [(c, t) for c in comparisons if c["status"] != "insufficient data" for t in _tested(c)]
    rejected = holm([t["p_worse"] for _, t in tests], p.hold)
    stab = [(c, t) for c, t in tests if t is c and c["metric"] in ROLLBACK_METRICS]
    severe_ok = {id(c) for (c, _), r in zip(stab, holm([t["p_worse"] for _, t in stab], p.rollback)) if r}
    hit: dict[int, DayComparison | Pooled] = {}
    for (c, t), r in zip(tests, rejected):
        if r and id(c) not in hit:  # the day alone comes first
            hit[id(c)] = t
    for c in comparisons:
        if c["status"] == "insufficient data":
            continue
        c["family_level"] = p.hold
        won = hit.get(id(c))
        if won is not None:
            c["decided_on"] = "day" if won is c else "pooled"
            if _beyond(won["worse_by"], c["floor"]):
                c["status"] = "regressed"
            elif _beyond(band[1] if (band := won.get("band")) else None, c["floor"]):
                c["status"] = "watch"
            else:
                c["status"] = "no change"
                c["note"] = "significant, but the whole noise band is short of the minimum effect"
        elif (c.get("p_better") or 1.0) < p.hold and _beyond(c.get("better_by"), c["floor"]):
            c["status"] = "improved"
        else:
            c["status"] = "no change"
        severe = c["status"] == "regressed" and id(c) in severe_ok
        c["severe"] = severe and _beyond(c.get("worse_by"), c["severe_floor"])
