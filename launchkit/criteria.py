"""GA success criteria: defaults from the launch playbook, overridable in launchkit.toml [criteria.*].

Each criterion compares one metric over a trailing window of whole UTC days with a pass and a
marginal threshold. The verdict comes from a confidence interval, never the point estimate:

- INSUFFICIENT DATA: fewer than min_sample observations (or no threshold / no data source);
- UNTRUSTED DATA: a data-quality gate the metric depends on is below quality.min_coverage;
- PASS: the whole interval is on the good side of the pass threshold;
- FAIL: the whole interval is on the bad side of the marginal threshold;
- MARGINAL: neither, and the interval is no wider than the band between the two thresholds;
- INSUFFICIENT DATA otherwise (the interval is too wide to tell pass from marginal from fail).

Intervals: Wilson for rates, distribution-free order statistics for percentiles, Student-t for
means (cost per session, mean rating), the forecast's t prediction interval for projected spend,
exact values for incident counts and reconciliation. docs/criteria.md has the table and examples.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta, timezone
from typing import Any, Callable, Literal

import duckdb
import numpy as np

from launchkit import metrics as m
from launchkit import quality
from launchkit.config import Config
from launchkit.errors import ConfigError
from launchkit.stats import Interval, clean, mean_interval, mean_interval_from_stats, n_to_exclude, quantile_interval, wilson

PASS, MARGINAL, FAIL = "PASS", "MARGINAL", "FAIL"
INSUFFICIENT, UNTRUSTED = "INSUFFICIENT DATA", "UNTRUSTED DATA"
VERDICTS = (PASS, MARGINAL, FAIL, INSUFFICIENT, UNTRUSTED)
CRITICALITIES = ("critical", "normal", "report-only")
DIRECTIONS = ("higher", "lower")
DEFAULT_CONFIDENCE = 0.95
DEFAULT_HISTORY_DAYS = 30

Kind = Literal["rate", "quantile", "mean", "count", "forecast", "reconciliation"]

_QUANTILE = re.compile(r"^(latency|ttft)_p(50|90|95|99)_ms$")
# metric -> (kind, human description)
METRICS: dict[str, tuple[Kind, str]] = {
    "tool_call_success_rate": ("rate", "share of tool calls with status ok"),
    "turn_error_rate": ("rate", "share of turns with status error"),
    "csat": ("rate", "share of ratings that are 4 or 5"),
    "thumbs_up_rate": ("rate", "share of thumbs that are up"),
    "response_rate": ("rate", "share of active sessions that left feedback"),
    "mean_rating": ("mean", "mean rating 1-5"),
    "cost_per_session": ("mean", "window cost / active sessions (USD)"),
    "projected_spend_usd": ("forecast", "forecast total spend at the pilot's end (USD)"),
    "open_major_incidents": ("count", "SEV1/SEV2 incidents open at the end of the window"),
    "late_postmortems": ("count", "SEV1/SEV2 incidents resolved in the window without a postmortem within 24 h"),
    "reconciliation_max_diff_pct": ("reconciliation", "largest |computed - billed| / billed per vendor-day, %"),
}
for _src in ("latency", "ttft"):
    for _p in ("50", "90", "95", "99"):
        METRICS[f"{_src}_p{_p}_ms"] = ("quantile", f"p{_p} of {_src}_ms over ok turns")

_KEYS = {"metric", "direction", "pass", "marginal", "window_days", "min_sample", "criticality", "held_days",
         "enabled", "description", "group"}
_SCALARS = {"confidence": (0.5, 0.999), "history_days": (0, 366)}

# The playbook's defaults. pass/marginal None: taken from another config key (see _derived).
DEFAULTS: dict[str, dict[str, Any]] = {
    "tool_success": {"group": "stability", "metric": "tool_call_success_rate", "direction": "higher",
                     "pass": 0.97, "marginal": 0.95, "window_days": 7, "min_sample": 500,
                     "criticality": "critical"},
    "latency_p95": {"group": "stability", "metric": "latency_p95_ms", "direction": "lower",
                    "pass": 8000.0, "marginal": 10000.0, "window_days": 7, "min_sample": 500,
                    "criticality": "critical"},
    "turn_error_rate": {"group": "stability", "metric": "turn_error_rate", "direction": "lower",
                        "pass": 0.02, "marginal": 0.03, "window_days": 7, "min_sample": 500,
                        "criticality": "critical"},
    "open_major_incidents": {"group": "stability", "metric": "open_major_incidents", "direction": "lower",
                             "pass": 0, "marginal": 0, "window_days": 1, "min_sample": 0,
                             "criticality": "critical"},
    "postmortems_24h": {"group": "stability", "metric": "late_postmortems", "direction": "lower",
                        "pass": 0, "marginal": 0, "window_days": 30, "min_sample": 0,
                        "criticality": "normal"},
    "csat": {"group": "satisfaction", "metric": "csat", "direction": "higher", "pass": 0.80,
             "marginal": 0.70, "window_days": 7, "min_sample": 30, "criticality": "critical"},
    "thumbs_up": {"group": "satisfaction", "metric": "thumbs_up_rate", "direction": "higher", "pass": 0.85,
                  "marginal": 0.75, "window_days": 7, "min_sample": 30, "criticality": "normal"},
    "cost_per_session": {"group": "cost", "metric": "cost_per_session", "direction": "lower", "pass": None,
                         "marginal": None, "window_days": 7, "min_sample": 100, "criticality": "critical"},
    "projected_spend": {"group": "cost", "metric": "projected_spend_usd", "direction": "lower", "pass": None,
                        "marginal": None, "window_days": 7, "min_sample": 3, "criticality": "critical"},
    "reconciliation": {"group": "cost", "metric": "reconciliation_max_diff_pct", "direction": "lower",
                       "pass": None, "marginal": None, "window_days": 7, "min_sample": 1,
                       "criticality": "normal"},
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
        return METRICS[self.metric][0]

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["pass"], d["marginal"] = d.pop("pass_threshold"), d.pop("marginal_threshold")
        return clean(d)


@dataclass
class CriterionResult:
    """A criterion's verdict as of a day, with the evidence."""

    criterion: Criterion
    verdict: str
    value: float | None
    interval: dict[str, Any] | None
    n: int | None
    window: dict[str, Any]
    note: str = ""
    held_since: date | None = None
    data_needed: dict[str, Any] | None = None
    applies: bool = True  # False: the criterion has no threshold configured (e.g. no budget)

    def to_json(self) -> dict[str, Any]:
        c = self.criterion
        return clean({
            "name": c.name, "group": c.group, "metric": c.metric, "criticality": c.criticality,
            "direction": c.direction, "verdict": self.verdict, "value": self.value, "interval": self.interval,
            "n": self.n, "min_sample": c.min_sample, "pass": c.pass_threshold, "marginal": c.marginal_threshold,
            "threshold_source": c.threshold_source, "window": self.window, "held_days": c.held_days,
            "held_since": self.held_since, "note": self.note, "data_needed": self.data_needed,
            "applies": self.applies,
        })


@dataclass
class Readiness:
    """GA readiness as of a day: every critical criterion PASS and no criterion FAIL."""

    as_of: date
    ready: bool
    results: list[CriterionResult]
    blockers: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    confidence: float = DEFAULT_CONFIDENCE

    def result(self, name: str) -> CriterionResult:
        for r in self.results:
            if r.criterion.name == name:
                return r
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        counts = {v: sum(1 for r in self.results if r.verdict == v) for v in VERDICTS}
        return clean({
            "as_of": self.as_of, "ready": self.ready, "confidence": self.confidence, "verdict_counts": counts,
            "blockers": self.blockers, "warnings": self.warnings,
            "criteria": [r.to_json() for r in self.results],
        })


# ---------------------------------------------------------------------------------------------
# configuration


def _number(key: str, value: Any, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(key, "must be a number")
    return float(value)


def _whole(key: str, value: Any, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ConfigError(key, f"must be a whole number >= {lo}, got {value!r}")
    return int(value)


def settings(config: Config) -> dict[str, Any]:
    """The scalar keys of [criteria]: confidence (default 0.95) and history_days (default 30)."""
    section = config.get("criteria", {}) or {}
    conf = section.get("confidence", DEFAULT_CONFIDENCE)
    conf = _number("criteria.confidence", conf)
    if not 0.5 <= conf < 1:
        raise ConfigError("criteria.confidence", f"must be between 0.5 and 1, got {conf!r}")
    hist = _whole("criteria.history_days", section.get("history_days", DEFAULT_HISTORY_DAYS), 0)
    return {"confidence": conf, "history_days": hist}


def _derived(name: str, spec: dict[str, Any], config: Config) -> tuple[float | None, float | None, str]:
    """Thresholds the defaults take from budget / reconciliation settings when not set explicitly."""
    metric = spec["metric"]
    p, mg = spec.get("pass"), spec.get("marginal")
    source = "criteria"
    if p is None:
        if metric == "cost_per_session":
            p, source = config.get("budget.cost_per_session_usd"), "budget.cost_per_session_usd"
            mg = mg if mg is not None else p
        elif metric == "projected_spend_usd":
            p, source = config.get("budget.total_usd"), "budget.total_usd"
            mg = mg if mg is not None else p
        elif metric == "reconciliation_max_diff_pct":
            p, source = config.get("reconciliation.tolerance_pct"), "reconciliation.tolerance_pct"
            mg = mg if mg is not None else p
    if mg is None and p is not None:
        mg = p
    return p, mg, source


def load_criteria(config: Config) -> list[Criterion]:
    """The effective criteria: defaults merged with [criteria.<name>] tables; errors name the key."""
    section = config.get("criteria", {}) or {}
    if not isinstance(section, dict):
        raise ConfigError("criteria", "must be a table")
    settings(config)
    merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in DEFAULTS.items()}
    for name, body in section.items():
        if name in _SCALARS:
            continue
        key = f"criteria.{name}"
        if not isinstance(body, dict):
            raise ConfigError(key, "must be a table ([criteria.NAME]) or one of confidence, history_days")
        unknown = set(body) - _KEYS
        if unknown:
            raise ConfigError(f"{key}.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(sorted(_KEYS))})")
        if name not in merged:
            if "metric" not in body:
                raise ConfigError(f"{key}.metric", "is required for a new criterion")
            merged[name] = {"group": "custom", "window_days": 7, "min_sample": 30, "criticality": "normal",
                            "direction": None, "pass": None, "marginal": None}
        elif "metric" in body and body["metric"] != merged[name]["metric"]:
            # a new metric invalidates the default thresholds
            merged[name].update({"pass": None, "marginal": None})
        merged[name].update(body)
    out: list[Criterion] = []
    for name, spec in merged.items():
        key = f"criteria.{name}"
        enabled = spec.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{key}.enabled", "must be true or false")
        if not enabled:
            continue
        metric = spec.get("metric")
        if not isinstance(metric, str) or metric not in METRICS:
            raise ConfigError(f"{key}.metric", f"unknown metric {metric!r} (known: {', '.join(sorted(METRICS))})")
        direction = spec.get("direction")
        if direction not in DIRECTIONS:
            raise ConfigError(f"{key}.direction", f"must be 'higher' or 'lower' (which way is better), got {direction!r}")
        p = _number(f"{key}.pass", spec.get("pass"), allow_none=True)
        mg = _number(f"{key}.marginal", spec.get("marginal"), allow_none=True)
        spec = {**spec, "pass": p, "marginal": mg}
        p, mg, source = _derived(name, spec, config)
        if p is None and source == "criteria":
            raise ConfigError(f"{key}.pass", "must be a number")
        if p is not None and mg is not None:
            if direction == "higher" and mg > p:
                raise ConfigError(f"{key}.marginal", f"must be <= pass ({p:g}) when higher is better")
            if direction == "lower" and mg < p:
                raise ConfigError(f"{key}.marginal", f"must be >= pass ({p:g}) when lower is better")
        crit = spec.get("criticality")
        if crit not in CRITICALITIES:
            raise ConfigError(f"{key}.criticality", f"must be one of {', '.join(CRITICALITIES)}, got {crit!r}")
        desc = spec.get("description", "")
        if not isinstance(desc, str):
            raise ConfigError(f"{key}.description", "must be a string")
        out.append(Criterion(
            name=name, metric=metric, direction=direction,
            pass_threshold=p, marginal_threshold=mg,
            window_days=_whole(f"{key}.window_days", spec.get("window_days"), 1),
            min_sample=_whole(f"{key}.min_sample", spec.get("min_sample"), 0),
            criticality=crit,
            held_days=_whole(f"{key}.held_days", spec.get("held_days", 1), 1),
            group=str(spec.get("group", "custom")),
            description=desc or METRICS[metric][1],
            threshold_source=source,
        ))
    return out


# ---------------------------------------------------------------------------------------------
# verdict rule


def verdict(low: float | None, high: float | None, pass_: float, marginal: float, direction: str) -> str:
    """PASS / FAIL when the interval clears a threshold; else MARGINAL if the interval is no wider
    than the marginal band, else INSUFFICIENT DATA. `direction` says which way is better."""
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    if direction == "lower":  # mirror so that higher is better
        lo, hi, pass_, marginal = -hi, -lo, -pass_, -marginal
    if lo >= pass_:
        return PASS
    if hi < marginal:
        return FAIL
    band = pass_ - marginal
    if hi - lo <= band:
        return MARGINAL
    return INSUFFICIENT


# ---------------------------------------------------------------------------------------------
# measurement


@dataclass
class Measurement:
    value: float | None
    interval: Interval | None
    n: int | None
    note: str = ""


class Context:
    """Caches the queries behind the criteria for one evaluation (several criteria share a window)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, config: Config, level: float) -> None:
        self.con, self.config, self.level = con, config, level
        self._cache: dict[tuple[Any, ...], Any] = {}

    def _get(self, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def summary(self, w: m.Window) -> dict[str, Any]:
        return self._get(("summary", w), lambda: m.summary(self.con, w))

    def latency(self, w: m.Window) -> dict[str, np.ndarray]:
        return self._get(("latency", w), lambda: m.latency_values(self.con, w))

    def session_costs(self, w: m.Window) -> np.ndarray:
        return self._get(("costs", w), lambda: m.session_costs(self.con, w))

    def incidents(self, w: m.Window) -> dict[str, Any]:
        return self._get(("incidents", w), lambda: m.incidents(self.con, w))

    def quality(self, w: m.Window) -> dict[str, Any]:
        return self._get(("quality", w), lambda: quality.assess(self.con, w, self.config))

    def burn(self, day: date) -> dict[str, Any]:
        from launchkit import finance

        return self._get(("burn", day), lambda: finance.burn(self.con, self.config, day, level=self.level))

    def reconciliation(self, w: m.Window) -> Any:
        return self._get(("reconcile", w), lambda: _reconcile(self.con, w, self.config))


def _reconcile(con: duckdb.DuckDBPyConnection, w: m.Window, config: Config) -> Any:
    """launchkit.reconcile.reconcile if it is installed (written separately); None when it is not."""
    try:
        from launchkit.reconcile import reconcile  # type: ignore[import-not-found]
    except ImportError:
        return None
    return reconcile(con, w.start.date(), w.end.date(), config)  # days in [start, end)


def measure(ctx: Context, metric: str, w: m.Window, as_of: date) -> Measurement:
    """A metric's value over the window with its confidence interval and sample size."""
    kind = METRICS[metric][0]
    level = ctx.level
    if kind == "rate":
        s = ctx.summary(w)
        k, n = {
            "tool_call_success_rate": ("tool_calls_ok", "tool_calls"),
            "turn_error_rate": ("turn_errors", "turns"),
            "csat": ("ratings_4_5", "ratings"),
            "thumbs_up_rate": ("thumbs_up", "thumbs"),
            "response_rate": ("responding_sessions", "active_sessions"),
        }[metric]
        iv = wilson(int(s[k] or 0), int(s[n] or 0), level)
        return Measurement(iv.estimate, iv, iv.n)
    if kind == "quantile":
        mt = _QUANTILE.match(metric)
        assert mt is not None
        values = ctx.latency(w)[f"{mt.group(1)}_ms"]
        iv = quantile_interval(values, int(mt.group(2)) / 100, level)
        return Measurement(iv.estimate, iv, iv.n)
    if kind == "mean":
        if metric == "mean_rating":
            s = ctx.summary(w)
            iv = mean_interval_from_stats(s["mean_rating"], s["rating_sd"], int(s["ratings"] or 0), level)
            return Measurement(iv.estimate, iv, iv.n)
        s = ctx.summary(w)
        costs = ctx.session_costs(w)
        if s["total_cost_usd"] is None:
            return Measurement(None, None, int(s["active_sessions"] or 0), "no priced turns in the window")
        iv = mean_interval(costs, level)
        return Measurement(s["cost_per_session"], iv, iv.n)
    if kind == "count":
        inc = ctx.incidents(w)
        if metric == "open_major_incidents":
            v = float(inc["open_major"])
            return Measurement(v, Interval(v, v, v, 0, "exact count", level), None)
        v = float(inc["major_postmortems_late"])
        return Measurement(v, Interval(v, v, v, inc["major_postmortems_due"], "exact count", level), None,
                           f"{inc['major_postmortems_due']} SEV1/SEV2 postmortems due")
    if kind == "forecast":
        b = ctx.burn(as_of)
        fc = b["forecast_total_usd"]
        iv = Interval(fc["estimate"], fc["low"], fc["high"], int(b.get("days_observed") or 0), "t prediction", level)
        return Measurement(fc["estimate"], iv, iv.n, fc.get("method", ""))
    if kind == "reconciliation":
        df = ctx.reconciliation(w)
        if df is None:
            return Measurement(None, None, 0, "reconciliation unavailable: launchkit.reconcile is not installed")
        if len(df) == 0:
            return Measurement(None, None, 0, "no vendor bill lines in the window")
        pct = np.abs(df["diff_pct"].astype(float).to_numpy())
        pct = pct[np.isfinite(pct)]
        if pct.size == 0:
            return Measurement(None, None, int(len(df)), "no comparable vendor-days")
        v = float(pct.max())
        return Measurement(v, Interval(v, v, v, int(pct.size), "exact", level), int(pct.size),
                           f"{int((df['within_tolerance'] == False).fillna(False).sum())} vendor-days outside tolerance")  # noqa: E712
    raise AssertionError(kind)


def evaluate_one(ctx: Context, c: Criterion, as_of: date) -> CriterionResult:
    """One criterion's verdict as of a day (its window: the window_days days ending with as_of)."""
    w = m.Window.days_ending(as_of, c.window_days)
    wj = {**w.to_json(), "days": c.window_days}
    if c.pass_threshold is None or c.marginal_threshold is None:
        return CriterionResult(c, INSUFFICIENT, None, None, None, wj,
                               note=f"no threshold: {c.threshold_source} is not set", applies=False)
    meas = measure(ctx, c.metric, w, as_of)
    iv = meas.interval
    ivj = None if iv is None else {"low": iv.low, "high": iv.high, "method": iv.method, "level": iv.level}
    res = CriterionResult(c, INSUFFICIENT, meas.value, ivj, meas.n, wj, note=meas.note)
    if meas.value is None or iv is None:
        res.note = res.note or "no data in the window"
        res.data_needed = {"n": meas.n or 0, "need": max(c.min_sample, 1)}
        return res
    if meas.n is not None and meas.n < c.min_sample:
        res.note = f"{meas.n} < min_sample {c.min_sample}"
        res.data_needed = {"n": meas.n, "need": c.min_sample}
        return res
    failed = [] if c.metric in quality.UNGATED else quality.failed_gates_for(c.metric, ctx.quality(w))
    if failed:
        res.verdict = UNTRUSTED
        res.note = "coverage below quality.min_coverage: " + ", ".join(failed)
        return res
    res.verdict = verdict(iv.low, iv.high, c.pass_threshold, c.marginal_threshold, c.direction)
    if res.verdict == INSUFFICIENT and meas.n:
        lo = iv.low if iv.low is not None else -math.inf
        hi = iv.high if iv.high is not None else math.inf
        half = (hi - lo) / 2
        need = n_to_exclude(meas.value, c.pass_threshold, half, meas.n)
        res.note = "interval too wide to decide"
        res.data_needed = {"n": meas.n, "need": need}
    return res


def _history_verdicts(ctx: Context, c: Criterion, as_of: date, days: int) -> list[tuple[date, str]]:
    out = []
    for k in range(1, days + 1):
        d = as_of - timedelta(days=k)
        out.append((d, evaluate_one(ctx, c, d).verdict))
    return out


def evaluate(con: duckdb.DuckDBPyConnection, as_of: date | str, config: Config, *,
             history_days: int | None = None, criteria: list[Criterion] | None = None,
             context: Context | None = None) -> Readiness:
    """Every criterion's verdict as of a day, since when it has held, and GA readiness.

    history_days (default criteria.history_days, 30) bounds how far back `held_since` is searched;
    0 skips the search (criteria with held_days > 1 still look back held_days - 1 days).
    """
    day = m._date(as_of)
    opts = settings(config)
    crits = criteria if criteria is not None else load_criteria(config)
    look = opts["history_days"] if history_days is None else history_days
    ctx = context or Context(con, config, opts["confidence"])
    # A criterion cannot have held before the pilot's first day of data.
    first_at = m.fetch_one(con, "finance/data_span")["first_at"]
    first_day = first_at.astimezone(timezone.utc).date() if first_at is not None else None
    results: list[CriterionResult] = []
    for c in crits:
        r = evaluate_one(ctx, c, day)
        back = max(look, c.held_days - 1)
        if back and r.verdict == PASS:
            since = day
            run = 1
            days_back = back if first_day is None else max(0, min(back, (day - first_day).days))
            for d, v in _history_verdicts(ctx, c, day, days_back):
                if v != PASS:
                    break
                since, run = d, run + 1
            r.held_since = since
            if run < c.held_days:
                r.verdict = INSUFFICIENT
                r.note = f"passing since {since.isoformat()}; must hold {c.held_days} consecutive days"
                r.data_needed = {"days": run, "need_days": c.held_days}
        elif r.verdict == PASS:
            r.held_since = None
        results.append(r)
    blockers = []
    warnings = []
    for r in results:
        c = r.criterion
        if c.criticality == "report-only":
            continue
        if not r.applies:
            warnings.append(f"{c.name} not evaluated: {r.note}")
            continue
        if (c.criticality == "critical" and r.verdict != PASS) or r.verdict == FAIL:
            blockers.append({"criterion": c.name, "criticality": c.criticality, "verdict": r.verdict,
                             "value": r.value, "pass": c.pass_threshold, "note": r.note})
    return Readiness(as_of=day, ready=not blockers, results=results, blockers=blockers, warnings=warnings,
                     confidence=opts["confidence"])
