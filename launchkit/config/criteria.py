"""[criteria]: the GA success criteria, the playbook's defaults merged with launchkit.toml, validated.

Each criterion compares one catalogue metric over a trailing window of whole days (of [reports] timezone) with a pass
and a marginal threshold (launchkit.analytics.criteria judges them). A default whose thresholds
come from another key (cost per session from budget.cost_per_session_usd, projected spend from
budget.total_usd, reconciliation from reconciliation.tolerance_pct) follows that key; so does the
projected spend's window (the recent burn's days, budget.burn_days).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from launchkit.catalogue import METRICS, Kind
from launchkit.config import schema
from launchkit.config.values import number, whole
from launchkit.errors import ConfigError
from launchkit.jsonclean import clean

CRITICALITIES = ("critical", "normal", "report-only")
DIRECTIONS = ("higher", "lower")
DEFAULT_CONFIDENCE = 0.95
DEFAULT_HISTORY_DAYS = 30
_KEYS = frozenset(
    {
        "metric",
        "direction",
        "pass",
        "marginal",
        "window_days",
        "min_sample",
        "criticality",
        "held_days",
        "enabled",
        "description",
        "group",
    }
)
_SCALARS = ("confidence", "history_days")

# The playbook's defaults. pass/marginal None: taken from another config key (see _derived).
DEFAULTS: dict[str, dict[str, Any]] = {
    "tool_success": {
        "group": "stability",
        "metric": "tool_call_success_rate",
        "direction": "higher",
        "pass": 0.97,
        "marginal": 0.95,
        "window_days": 7,
        "min_sample": 500,
        "criticality": "critical",
    },
    "latency_p95": {
        "group": "stability",
        "metric": "latency_p95_ms",
        "direction": "lower",
        "pass": 8000.0,
        "marginal": 10000.0,
        "window_days": 7,
        "min_sample": 500,
        "criticality": "critical",
    },
    "turn_error_rate": {
        "group": "stability",
        "metric": "turn_error_rate",
        "direction": "lower",
        "pass": 0.02,
        "marginal": 0.03,
        "window_days": 7,
        "min_sample": 500,
        "criticality": "critical",
    },
    "open_major_incidents": {
        "group": "stability",
        "metric": "open_major_incidents",
        "direction": "lower",
        "pass": 0,
        "marginal": 0,
        "window_days": 1,
        "min_sample": 0,
        "criticality": "critical",
    },
    "postmortems_24h": {
        "group": "stability",
        "metric": "late_postmortems",
        "direction": "lower",
        "pass": 0,
        "marginal": 0,
        "window_days": 30,
        "min_sample": 0,
        "criticality": "normal",
    },
    "csat": {
        "group": "satisfaction",
        "metric": "csat",
        "direction": "higher",
        "pass": 0.80,
        "marginal": 0.70,
        "window_days": 7,
        "min_sample": 30,
        "criticality": "critical",
    },
    "thumbs_up": {
        "group": "satisfaction",
        "metric": "thumbs_up_rate",
        "direction": "higher",
        "pass": 0.85,
        "marginal": 0.75,
        "window_days": 7,
        "min_sample": 30,
        "criticality": "normal",
    },
    "judged_correct": {
        "group": "answer_quality",
        "metric": "judged_correct_rate",
        "direction": "higher",
        "pass": 0.85,
        "marginal": 0.75,
        "window_days": 7,
        "min_sample": 100,
        "criticality": "normal",
    },
    "hallucination": {
        "group": "answer_quality",
        "metric": "hallucination_rate",
        "direction": "lower",
        "pass": 0.08,
        "marginal": 0.12,
        "window_days": 7,
        "min_sample": 100,
        "criticality": "normal",
    },
    "cost_per_session": {
        "group": "cost",
        "metric": "cost_per_session",
        "direction": "lower",
        "pass": None,
        "marginal": None,
        "window_days": 7,
        "min_sample": 100,
        "criticality": "critical",
    },
    "projected_spend": {
        "group": "cost",
        "metric": "projected_spend_usd",
        "direction": "lower",
        "pass": None,
        "marginal": None,
        "window_days": None,  # the recent burn's days: budget.burn_days
        "min_sample": 3,
        "criticality": "critical",
    },
    "reconciliation": {
        "group": "cost",
        "metric": "reconciliation_max_diff_pct",
        "direction": "lower",
        "pass": None,
        "marginal": None,
        "window_days": 7,
        "min_sample": 1,
        "criticality": "normal",
    },
}

# Defaults whose thresholds follow another key: metric -> that key.
DERIVED_FROM: dict[str, str] = {
    "cost_per_session": "budget.cost_per_session_usd",
    "projected_spend_usd": "budget.total_usd",
    "reconciliation_max_diff_pct": "reconciliation.tolerance_pct",
}


@dataclass(frozen=True)
class Criterion:
    """One GA criterion as configured."""

    name: str
    metric: str
    direction: str  # which way is better: "higher" or "lower"
    pass_threshold: float | None
    marginal_threshold: float | None
    window_days: int
    min_sample: int
    criticality: str
    held_days: int = 1
    group: str = "custom"
    description: str = ""
    threshold_source: str = "criteria"  # or the config key a derived threshold came from

    @property
    def kind(self) -> Kind:
        return METRICS[self.metric].kind

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["pass"], d["marginal"] = d.pop("pass_threshold"), d.pop("marginal_threshold")
        return clean(d)


@dataclass(frozen=True)
class CriteriaSettings:
    """[criteria] as validated: the criteria in order, the interval level, the held-since look-back."""

    criteria: tuple[Criterion, ...]
    confidence: float = DEFAULT_CONFIDENCE
    history_days: int = DEFAULT_HISTORY_DAYS


def _get(data: dict[str, Any], dotted: str) -> Any:
    section, _, key = dotted.partition(".")
    return (data.get(section) or {}).get(key)


def _derived(spec: dict[str, Any], data: dict[str, Any]) -> tuple[float | None, float | None, str]:
    """Thresholds the defaults take from budget / reconciliation settings when not set explicitly."""
    p, mg = spec.get("pass"), spec.get("marginal")
    source = "criteria"
    if p is None and spec["metric"] in DERIVED_FROM:
        source = DERIVED_FROM[spec["metric"]]
        p = _get(data, source)
        mg = mg if mg is not None else p
    if mg is None and p is not None:
        mg = p
    return p, mg, source


def _window_days(spec: dict[str, Any], metric: str, data: dict[str, Any]) -> Any:
    """A forecast's window defaults to the recent burn it is made from (budget.burn_days)."""
    days = spec.get("window_days")
    if days is None and METRICS[metric].kind == "forecast":
        days = _get(data, "budget.burn_days") or schema.DEFAULTS["budget"]["burn_days"]
    return days


def parse(data: dict[str, Any], where: str | None = None) -> CriteriaSettings:
    """The effective criteria: defaults merged with [criteria.<name>] tables; errors name the key."""
    section = data.get("criteria") or {}
    if not isinstance(section, dict):
        raise ConfigError("criteria", "must be a table", where)
    conf = number("criteria.confidence", section.get("confidence", DEFAULT_CONFIDENCE), where=where)
    if conf is None or not 0.5 <= conf < 1:
        raise ConfigError("criteria.confidence", f"must be between 0.5 and 1, got {conf!r}", where)
    hist = whole("criteria.history_days", section.get("history_days", DEFAULT_HISTORY_DAYS), 0, where)
    merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in DEFAULTS.items()}
    for name, body in section.items():
        if name in _SCALARS:
            continue
        key = f"criteria.{name}"
        if not isinstance(body, dict):
            raise ConfigError(key, "must be a table ([criteria.NAME]) or one of confidence, history_days", where)
        unknown = set(body) - _KEYS
        if unknown:
            raise ConfigError(f"{key}.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(sorted(_KEYS))})", where)
        if name not in merged:
            if "metric" not in body:
                raise ConfigError(f"{key}.metric", "is required for a new criterion", where)
            merged[name] = {
                "group": "custom",
                "window_days": 7,
                "min_sample": 30,
                "criticality": "normal",
                "direction": None,
                "pass": None,
                "marginal": None,
            }
        elif "metric" in body and body["metric"] != merged[name]["metric"]:
            merged[name].update({"pass": None, "marginal": None})  # a new metric invalidates the defaults
        merged[name].update(body)
    out = [_criterion(name, spec, data, where) for name, spec in merged.items()]
    return CriteriaSettings(tuple(c for c in out if c is not None), conf, hist)


def _criterion(name: str, spec: dict[str, Any], data: dict[str, Any], where: str | None) -> Criterion | None:
    key = f"criteria.{name}"
    enabled = spec.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{key}.enabled", "must be true or false", where)
    if not enabled:
        return None
    metric = spec.get("metric")
    if not isinstance(metric, str) or metric not in METRICS:
        raise ConfigError(f"{key}.metric", f"unknown metric {metric!r} (known: {', '.join(sorted(METRICS))})", where)
    direction = spec.get("direction") or METRICS[metric].better
    if direction not in DIRECTIONS:
        raise ConfigError(
            f"{key}.direction", f"must be 'higher' or 'lower' (which way is better), got {direction!r}", where
        )
    p = number(f"{key}.pass", spec.get("pass"), allow_none=True, where=where)
    mg = number(f"{key}.marginal", spec.get("marginal"), allow_none=True, where=where)
    p, mg, source = _derived({**spec, "pass": p, "marginal": mg}, data)
    if p is None and source == "criteria":
        raise ConfigError(f"{key}.pass", "must be a number", where)
    if METRICS[metric].unit == "%":
        for k, v in (("pass", p), ("marginal", mg)):
            if v is not None and not 0 <= v <= 1:
                raise ConfigError(f"{key}.{k}", f"is a rate: must be between 0 and 1, got {v!r}", where)
    if p is not None and mg is not None:
        if direction == "higher" and mg > p:
            raise ConfigError(f"{key}.marginal", f"must be <= pass ({p:g}) when higher is better", where)
        if direction == "lower" and mg < p:
            raise ConfigError(f"{key}.marginal", f"must be >= pass ({p:g}) when lower is better", where)
    crit = spec.get("criticality")
    if crit not in CRITICALITIES:
        raise ConfigError(f"{key}.criticality", f"must be one of {', '.join(CRITICALITIES)}, got {crit!r}", where)
    desc = spec.get("description", "")
    if not isinstance(desc, str):
        raise ConfigError(f"{key}.description", "must be a string", where)
    return Criterion(
        name=name,
        metric=metric,
        direction=direction,
        pass_threshold=p,
        marginal_threshold=mg,
        window_days=whole(f"{key}.window_days", _window_days(spec, metric, data), 1, where),
        min_sample=whole(f"{key}.min_sample", spec.get("min_sample"), 0, where),
        criticality=crit,
        held_days=whole(f"{key}.held_days", spec.get("held_days", 1), 1, where),
        group=str(spec.get("group", "custom")),
        description=desc or METRICS[metric].description,
        threshold_source=source,
    )
