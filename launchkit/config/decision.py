"""[decision]: the end-of-day decision's settings (docs/criteria.md documents each), validated."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from launchkit.errors import ConfigError

DEFAULTS: dict[str, Any] = {
    "baseline_days": 7,
    "baseline": "last_good",  # last_good | rolling | fixed (baseline_from..baseline_to)
    "baseline_from": None,
    "baseline_to": None,
    # error control over the whole pilot (docs/criteria.md, "Error control")
    "pilot_false_hold": 0.05,  # P(at least one false HOLD over the planned evenings)
    "pilot_false_rollback": 0.01,  # P(at least one false ROLLBACK over the planned evenings)
    "planned_days": 30,  # planned evenings when pilot.start/pilot.end do not say
    "min_tool_calls": 100,
    "min_turns": 100,
    "min_sessions": 30,
    "min_ratings": 30,
    "min_judged": 30,  # answers judged (evaluations named [evaluations] correct) on the day and in the baseline
    "min_effect_rate": 0.01,  # stability rates: absolute change (1 percentage point)
    "min_effect_satisfaction": 0.05,  # CSAT / thumbs-up: absolute change (5 points)
    "min_effect_quality": 0.05,  # answers judged correct: absolute change (5 points)
    "min_effect_latency": 1.15,  # latency / TTFT: ratio of median or p95, day / baseline
    "min_effect_cost": 1.20,  # cost per session: ratio of means, day / baseline
    "rollback_effect_rate": 0.05,  # a stability rate this much worse is severe
    "rollback_effect_latency": 1.5,  # latency p95 this many times the baseline is severe
    "gap_min_expected": 5.0,  # quality: expected sessions in an hour that make it expected
}
_WHOLE = (
    "baseline_days",
    "planned_days",
    "min_tool_calls",
    "min_turns",
    "min_sessions",
    "min_ratings",
    "min_judged",
)
BASELINES = ("last_good", "rolling", "fixed")
_DATES = ("baseline_from", "baseline_to")
_RETIRED = {
    "alpha": "retired: the day-vs-baseline tests are controlled over the whole pilot; set "
    "decision.pilot_false_hold (and decision.pilot_false_rollback) instead",
}


def _day(dotted: str, value: Any, where: str | None) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(dotted, f"must be a date YYYY-MM-DD, got {value!r}", where)


def _value(key: str, value: Any, where: str | None) -> Any:
    """One [decision] value checked for its kind: a choice, a date or a finite number."""
    dotted = f"decision.{key}"
    if key == "baseline":
        if value not in BASELINES:
            raise ConfigError(dotted, f"must be one of {', '.join(BASELINES)}, got {value!r}", where)
        return value
    if key in _DATES:
        return _day(dotted, value, where)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(dotted, f"must be a number, got {value!r}", where)
    if not math.isfinite(value):
        raise ConfigError(dotted, f"must be a finite number, got {value!r}", where)
    return value


def parse(data: dict[str, Any], where: str | None = None) -> dict[str, Any]:
    """decision.* merged over DEFAULTS and validated (ConfigError names the key)."""
    section = data.get("decision") or {}
    if not isinstance(section, dict):
        raise ConfigError("decision", "must be a table", where)
    out = dict(DEFAULTS)
    for key, value in section.items():
        dotted = f"decision.{key}"
        if key in _RETIRED:
            raise ConfigError(dotted, _RETIRED[key], where)
        if key not in DEFAULTS:
            raise ConfigError(dotted, f"unknown key (known: {', '.join(sorted(DEFAULTS))})", where)
        out[key] = _value(key, value, where)
    for key in _WHOLE:
        v, low = out[key], (1 if key in ("baseline_days", "planned_days") else 0)
        if not float(v).is_integer() or v < low:
            raise ConfigError(f"decision.{key}", f"must be a whole number >= {low}, got {v!r}", where)
        out[key] = int(v)
    for key in ("pilot_false_hold", "pilot_false_rollback"):
        if not 0 < out[key] < 0.5:
            raise ConfigError(f"decision.{key}", f"must be between 0 and 0.5, got {out[key]!r}", where)
    _check_fixed(out, where)
    for key in ("min_effect_latency", "min_effect_cost", "rollback_effect_latency"):
        if out[key] < 1:
            raise ConfigError(f"decision.{key}", f"must be a ratio >= 1, got {out[key]!r}", where)
    for key in ("min_effect_rate", "min_effect_satisfaction", "min_effect_quality", "rollback_effect_rate"):
        if not 0 <= out[key] <= 1:
            raise ConfigError(
                f"decision.{key}", f"is a change in a rate: must be between 0 and 1, got {out[key]!r}", where
            )
    if out["gap_min_expected"] < 0:
        raise ConfigError("decision.gap_min_expected", f"must be >= 0, got {out['gap_min_expected']!r}", where)
    return out


def _check_fixed(out: dict[str, Any], where: str | None) -> None:
    """baseline = "fixed" takes both dates, the first not after the last; the dates mean nothing otherwise."""
    a, b = out["baseline_from"], out["baseline_to"]
    if out["baseline"] == "fixed":
        for key, v in (("baseline_from", a), ("baseline_to", b)):
            if v is None:
                raise ConfigError(f"decision.{key}", 'must be set when decision.baseline = "fixed"', where)
        if b < a:
            raise ConfigError("decision.baseline_to", f"is before decision.baseline_from ({b} < {a})", where)
    elif a is not None or b is not None:
        key = "baseline_from" if a is not None else "baseline_to"
        raise ConfigError(f"decision.{key}", 'is used only with decision.baseline = "fixed"', where)
