"""The ground truth of a synthetic pilot: what a scenario injected, and the metrics it should show.

Computed with numpy straight from the generated frames, independently of launchkit's SQL, so the
metrics, criteria and decision can be tested against it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from launchkit.catalogue import METRICS
from launchkit.config.criteria import DEFAULTS as CRITERIA_DEFAULTS
from launchkit.config.schema import DEFAULTS as CONFIG_DEFAULTS
from launchkit.synth.parameters import (
    CACHE_PRICES_PER_MTOK,
    DAY_MS,
    HOUR_MS,
    LOW_TRAFFIC_SESSIONS_PER_HOUR,
    PRICES_PER_MTOK,
    Effects,
    epoch_ms,
    iso_ms,
)


class _Facts:
    """The frames as epoch-ms arrays, for the ground truth's metrics over any [lo, hi) window."""

    def __init__(self, frames: dict[str, pd.DataFrame], true_cost: np.ndarray) -> None:
        def ms(df: pd.DataFrame, col: str) -> np.ndarray:
            return df[col].to_numpy(dtype="datetime64[ms]").astype(np.int64)

        s, t, c, f = frames["sessions"], frames["turns"], frames["tool_calls"], frames["feedback"]
        self.s_at = ms(s, "started_at")
        self.t_at, self.t_ok = ms(t, "started_at"), t["status"].to_numpy() == "ok"
        self.latency = t["latency_ms"].to_numpy()
        self.cost = true_cost  # including the turns exported without cost_usd
        self.c_at, self.c_ok = ms(c, "started_at"), c["status"].to_numpy() == "ok"
        rated = f["rating"].notna().to_numpy()
        self.f_at, self.rating = ms(f, "submitted_at")[rated], f["rating"].to_numpy(dtype=float, na_value=np.nan)[rated]
        ev = frames["evaluations"]
        judged = (ev["name"] == "correctness").to_numpy()
        self.e_at, self.e_correct = ms(ev, "evaluated_at")[judged], ev["value"].to_numpy(dtype=float)[judged] >= 0.5

    def metrics(self, lo: int, hi: int) -> dict[str, Any]:
        """Point estimates over [lo, hi): sample sizes, latency_p50/p95_ms (ok turns, exact
        percentiles), turn error rate, tool call success rate, cost per session (turns' true cost in
        the window / sessions started in it), CSAT (share of ratings >= 4)."""
        sm = (self.s_at >= lo) & (self.s_at < hi)
        tm = (self.t_at >= lo) & (self.t_at < hi)
        cm = (self.c_at >= lo) & (self.c_at < hi)
        fm = (self.f_at >= lo) & (self.f_at < hi)
        em = (self.e_at >= lo) & (self.e_at < hi)
        n_s, n_t, n_c, n_r = int(sm.sum()), int(tm.sum()), int(cm.sum()), int(fm.sum())
        lat = self.latency[tm & self.t_ok]
        cost = float(self.cost[tm].sum())

        def rnd(x: float | None, nd: int = 4) -> float | None:
            return None if x is None else round(float(x), nd)

        return {
            "sessions": n_s,
            "sessions_per_hour": rnd(n_s / ((hi - lo) / HOUR_MS), 3),
            "turns": n_t,
            "latency_p50_ms": rnd(np.percentile(lat, 50) if len(lat) else None, 1),
            "latency_p95_ms": rnd(np.percentile(lat, 95) if len(lat) else None, 1),
            "turn_error_rate": rnd(1 - self.t_ok[tm].mean() if n_t else None),
            "tool_calls": n_c,
            "tool_call_success_rate": rnd(self.c_ok[cm].mean() if n_c else None),
            "cost_usd": rnd(cost, 4),
            "cost_per_session": rnd(cost / n_s if n_s else None, 5),
            "ratings": n_r,
            "csat": rnd((self.rating[fm] >= 4).mean() if n_r else None),
            "judged": int(em.sum()),
            "judged_correct_rate": rnd(self.e_correct[em].mean() if em.any() else None),
        }


def _reference_criteria() -> dict[str, dict[str, Any]]:
    """The criteria a scenario's problem should trip, with the playbook's default thresholds
    (launchkit.config.criteria.DEFAULTS) and 7-day windows. Cost per session's pass line is the default
    budget.cost_per_session_usd; its marginal line, which the defaults leave equal to it, is set 20 %
    above so the ground truth can say when the problem is clearly beyond it."""
    out: dict[str, dict[str, Any]] = {}
    for name in ("latency_p95", "tool_success", "cost_per_session", "turn_error_rate", "csat", "judged_correct"):
        d = CRITERIA_DEFAULTS[name]
        metric = d["metric"]
        if d["pass"] is None:
            p = float(CONFIG_DEFAULTS["budget"]["cost_per_session_usd"])
            out[name] = {
                "metric": metric,
                "direction": METRICS[metric].better,
                "pass": p,
                "marginal": round(p * 1.2, 6),
            }
        else:
            out[name] = {
                "metric": metric,
                "direction": METRICS[metric].better,
                "pass": float(d["pass"]),
                "marginal": float(d["marginal"]),
            }
    return out


REFERENCE_CRITERIA: dict[str, dict[str, Any]] = _reference_criteria()
_WINDOW_DAYS = 7


def _problem(scenario: str, eff: Effects, segment: dict[str, Any] | None) -> tuple[str | None, str | None, str | None]:
    """(what was injected, the criterion it should trip, the tool it hits) for a scenario with its effects."""
    at = f"from {eff.start_hour:02d}:00 UTC on the problem day"
    where = "" if segment is None else f" of {segment['by']} {segment['value']}"
    return {
        "healthy": (None, None, None),
        "latency-regression": (
            f"turn latency x{eff.latency_multiplier:g} {at} (with release deployed then)",
            "latency_p95",
            None,
        ),
        "tool-outage": (
            f"{eff.tool} fails {eff.tool_fail_rate:.0%} of its calls {at}; a SEV2 opened that morning is still open",
            "tool_success",
            eff.tool,
        ),
        "cost-overrun": (
            f"input and output tokens per turn x{eff.token_multiplier:g} (so cost per session too) {at}",
            "cost_per_session",
            None,
        ),
        "low-traffic": (
            f"no problem, but traffic capped at {LOW_TRAFFIC_SESSIONS_PER_HOUR:g} sessions/hour in business hours: "
            "too few samples for a verdict",
            None,
            None,
        ),
        "tenant-outage": (f"tool calls{where} fail {eff.tool_fail_rate:.0%} {at}", "tool_success", None),
        "release-regression": (
            f"turns{where} (rolled out to {', '.join((segment or {}).get('tenants', []))}) fail "
            f"{eff.turn_error_rate:.0%} {at}",
            "turn_error_rate",
            None,
        ),
        "model-regression": (f"turn latency{where} x{eff.latency_multiplier:g} {at}", "latency_p95", None),
        "csat-drop": (f"CSAT {eff.csat_drop * 100:.0f} points lower {at}", "csat", None),
        "quality-drop": (
            f"answers correct {eff.quality_drop * 100:.0f} points less often {at}, as an LLM judge with known noise "
            "grades them; latency, cost and tool success unchanged",
            "judged_correct",
            None,
        ),
        "capacity-crunch": (
            f"{eff.burst_share:.0%} of the sessions start in the first {eff.burst_seconds} s of their hour "
            "(scheduled reports): the pilot fits the providers' per-minute limits, GA traffic would not "
            "(launchkit capacity: FAIL); every other criterion holds",
            None,
            None,
        ),
    }[scenario]


def _beyond(value: float | None, crit: dict[str, Any], level: str) -> bool:
    if value is None:
        return False
    return value > crit[level] if crit["direction"] == "lower" else value < crit[level]


def ground_truth(
    *,
    scenario: str,
    seed: int,
    days: int,
    tenants: int,
    start: dt.date,
    rate: float,
    ref_day: int,
    problem_ms: int | None,
    frames: dict[str, pd.DataFrame],
    true_cost: np.ndarray,
    disabled_tenant: str | None,
    release_names: np.ndarray,
    release_times: np.ndarray,
    effects: Effects | None = None,
    segment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    start_ms = epoch_ms(start)
    end_ms = start_ms + days * DAY_MS
    ref_date = start + dt.timedelta(days=ref_day)
    eff = effects or Effects()
    problem, criterion, tool = _problem(scenario, eff, segment)
    facts = _Facts(frames, true_cost)
    observed: dict[str, Any] = {"overall": facts.metrics(start_ms, end_ms)}
    if problem_ms is not None:
        observed["before"] = facts.metrics(start_ms, problem_ms)
        observed["after"] = facts.metrics(problem_ms, end_ms)
    # the default criteria's view: a 7-day window ending with each day (as of that day)
    trailing: dict[str, dict[str, float | None]] = {c["metric"]: {} for c in REFERENCE_CRITERIA.values()}
    for d in range(days):
        hi = start_ms + (d + 1) * DAY_MS
        m = facts.metrics(max(start_ms, hi - _WINDOW_DAYS * DAY_MS), hi)
        for metric in trailing:
            trailing[metric][(start + dt.timedelta(days=d)).isoformat()] = m[metric]
    observed["trailing_7d"] = trailing

    if scenario in ("healthy", "capacity-crunch"):
        expected: dict[str, Any] = {
            "decision_on_problem_day": "EXPAND",
            "acceptable_decisions": ["EXPAND"],
            "decision_at_end": "EXPAND",
        }
        if scenario == "capacity-crunch":
            expected["capacity_at_ga"] = "FAIL"
    elif scenario == "low-traffic":
        expected = {
            "decision_on_problem_day": "HOLD",
            "acceptable_decisions": ["HOLD"],
            "decision_at_end": "HOLD",
            "verdicts": "INSUFFICIENT DATA",
            "note": "samples in a 7-day window stay below the default criteria's min_sample",
        }
    else:
        crit = REFERENCE_CRITERIA[str(criterion)]
        series = trailing[crit["metric"]]
        after_days = [d for d in series if d >= ref_date.isoformat()]
        expected = {
            "decision_before_problem_day": "EXPAND",
            "decision_on_problem_day": "HOLD or ROLLBACK",
            "acceptable_decisions": ["HOLD", "ROLLBACK"],
            "note": "decision_on_problem_day holds for data from problem_start on; a trailing 7-day window "
            "dilutes the problem until trailing_7d_first_beyond_pass",
            "decision_at_end": "HOLD or ROLLBACK",
            "failing_criterion": criterion,
            "thresholds": crit,
            "trailing_7d_first_beyond_pass": next((d for d in after_days if _beyond(series[d], crit, "pass")), None),
            "trailing_7d_first_beyond_marginal": next(
                (d for d in after_days if _beyond(series[d], crit, "marginal")), None
            ),
        }
    effects_by_scenario: dict[str, dict[str, Any]] = {
        "latency-regression": {"latency_multiplier": eff.latency_multiplier, "incident_severity": "SEV3"},
        "tool-outage": {
            "tool": eff.tool,
            "failure_rate": eff.tool_fail_rate,
            "timeout_share_of_failures": eff.tool_timeout_share,
            "incident_severity": "SEV2",
        },
        "cost-overrun": {"token_multiplier": eff.token_multiplier, "incident_severity": "SEV3"},
        "tenant-outage": {"failure_rate": eff.tool_fail_rate, "incident_severity": "SEV3"},
        "release-regression": {"turn_error_rate": eff.turn_error_rate, "incident_severity": "SEV3"},
        "model-regression": {"latency_multiplier": eff.latency_multiplier, "incident_severity": "SEV3"},
        "csat-drop": {"csat_drop": eff.csat_drop},
        "quality-drop": {"quality_drop": eff.quality_drop, "judge": eff.to_json()["judge"]},
        "capacity-crunch": {"burst_share": eff.burst_share, "burst_seconds": eff.burst_seconds},
    }
    effect = effects_by_scenario.get(scenario, {})
    return {
        "scenario": scenario,
        "seed": seed,
        "days": days,
        "tenants": tenants,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(days=days - 1)).isoformat(),
        "window": {"start": iso_ms(start_ms), "end": iso_ms(end_ms)},
        "sessions_per_hour": rate,
        "reference_day": ref_date.isoformat() if ref_day < days else None,
        "problem_day": ref_date.isoformat() if problem_ms is not None else None,
        "problem_start": iso_ms(problem_ms) if problem_ms is not None else None,
        "problem": problem,
        "affected_metric": REFERENCE_CRITERIA[criterion]["metric"] if criterion else None,
        "affected_criterion": criterion,
        "affected_tool": tool,
        "affected_segment": segment,
        "effect": effect,
        "effects": eff.to_json() if problem_ms is not None else None,
        "expected": expected,
        "releases": [
            {"release": str(n), "from": iso_ms(max(int(t), start_ms))} for n, t in zip(release_names, release_times)
        ],
        "disabled_tenant": disabled_tenant,
        "prices_per_mtok": {m: list(p) for m, p in PRICES_PER_MTOK.items()},
        "cache_prices_per_mtok": {m: list(p) for m, p in CACHE_PRICES_PER_MTOK.items()},
        "observed": observed,
        "row_counts": {name: int(len(df)) for name, df in frames.items()},
    }
