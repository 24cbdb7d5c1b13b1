"""[decision]: the end-of-day decision's settings (docs/criteria.md documents each), validated."""

from __future__ import annotations

import math
from typing import Any

from launchkit.errors import ConfigError

DEFAULTS: dict[str, Any] = {
    "baseline_days": 7,
    "alpha": 0.01,
    "min_tool_calls": 100,
    "min_turns": 100,
    "min_sessions": 30,
    "min_ratings": 30,
    "min_effect_rate": 0.01,  # stability rates: absolute change (1 percentage point)
    "min_effect_satisfaction": 0.05,  # CSAT / thumbs-up: absolute change (5 points)
    "min_effect_latency": 1.15,  # latency / TTFT: ratio of median or p95, day / baseline
    "min_effect_cost": 1.20,  # cost per session: ratio of means, day / baseline
    "rollback_effect_rate": 0.05,  # a stability rate this much worse is severe
    "rollback_effect_latency": 1.5,  # latency p95 this many times the baseline is severe
    "gap_min_expected": 5.0,  # quality: expected sessions in an hour that make it expected
}
_WHOLE = ("baseline_days", "min_tool_calls", "min_turns", "min_sessions", "min_ratings")


def parse(data: dict[str, Any], where: str | None = None) -> dict[str, Any]:
    """decision.* merged over DEFAULTS and validated (ConfigError names the key)."""
    section = data.get("decision") or {}
    if not isinstance(section, dict):
        raise ConfigError("decision", "must be a table", where)
    out = dict(DEFAULTS)
    for key, value in section.items():
        dotted = f"decision.{key}"
        if key not in DEFAULTS:
            raise ConfigError(dotted, f"unknown key (known: {', '.join(sorted(DEFAULTS))})", where)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(dotted, f"must be a number, got {value!r}", where)
        if not math.isfinite(value):
            raise ConfigError(dotted, f"must be a finite number, got {value!r}", where)
        out[key] = value
    for key in _WHOLE:
        v, low = out[key], (1 if key == "baseline_days" else 0)
        if not float(v).is_integer() or v < low:
            raise ConfigError(f"decision.{key}", f"must be a whole number >= {low}, got {v!r}", where)
        out[key] = int(v)
    if not 0 < out["alpha"] < 0.5:
        raise ConfigError("decision.alpha", f"must be between 0 and 0.5, got {out['alpha']!r}", where)
    for key in ("min_effect_latency", "min_effect_cost", "rollback_effect_latency"):
        if out[key] < 1:
            raise ConfigError(f"decision.{key}", f"must be a ratio >= 1, got {out[key]!r}", where)
    for key in ("min_effect_rate", "min_effect_satisfaction", "rollback_effect_rate"):
        if not 0 <= out[key] <= 1:
            raise ConfigError(
                f"decision.{key}", f"is a change in a rate: must be between 0 and 1, got {out[key]!r}", where
            )
    if out["gap_min_expected"] < 0:
        raise ConfigError("decision.gap_min_expected", f"must be >= 0, got {out['gap_min_expected']!r}", where)
    return out
