"""Rate limits checked at a target traffic, the GA check, and the largest next expansion step.

A limit is judged on the projected p99 minute of a week at the target (launchkit.analytics.capacity.
projection), against the limit less its headroom ([capacity] headroom, default 0.2):
- FAIL: the projected p99 minute exceeds the limit (about 100 minutes a week over it);
- MARGINAL: the p99 minute's interval reaches into the headroom, or the p99.9 minute exceeds the limit;
- PASS: the p99 minute's whole interval stays under the limit less its headroom;
- INSUFFICIENT DATA: fewer observed pilot days than [capacity] min_days, or no turns of that model.
The check is the worst of its limits; the binding limit is the one with the least headroom.

The expansion plan is the largest traffic (sessions a day) at which every limit PASSes and, when a
budget is set, the spend to date plus the remaining pilot days at that traffic stays within it (the
cost per session is analytics.finance's GA figure: the last 7 days' mean). A "+K tenants" step assumes
each new tenant brings the pilot's median tenant traffic per active day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from launchkit.analytics.capacity.load import PilotLoad, observed_percentiles, pilot_load, rate_limited_by_hour
from launchkit.analytics.capacity.projection import REPLICATES, Projection, largest_scale, project
from launchkit.analytics.finance import burn, pilot_to_date
from launchkit.config import Config
from launchkit.config.capacity import Limit
from launchkit.jsonclean import clean
from launchkit.store.warehouse import QueryRunner

PASS, MARGINAL, FAIL, INSUFFICIENT = "PASS", "MARGINAL", "FAIL", "INSUFFICIENT DATA"
_RANK = {PASS: 0, INSUFFICIENT: 1, MARGINAL: 2, FAIL: 3}
HORIZON_DAYS = 7
SEARCH_REPLICATES = 40
CONFIRM_STEPS = 4


@dataclass(frozen=True)
class LimitCheck:
    limit: Limit
    verdict: str
    observed_p99: float | None
    projected: Projection | None
    headroom: float | None  # 1 - projected p99 / limit
    reason: str

    def to_json(self) -> dict[str, Any]:
        m = self.projected.measures[self.limit.measure] if self.projected else None
        return clean(
            {
                "limit": self.limit.key,
                "kind": self.limit.kind,
                "per_minute": self.limit.per_minute,
                "verdict": self.verdict,
                "observed_p99_minute": self.observed_p99,
                "projected_p99_minute": vars(m.p99) if m else None,
                "projected_p999_minute": vars(m.p999) if m else None,
                "share_of_minutes_over": vars(m.exceed[self.limit.per_minute]) if m else None,
                "headroom": self.headroom,
                "reason": self.reason,
            }
        )


@dataclass(frozen=True)
class CapacityReport:
    as_of: date
    target_sessions_per_day: float
    pilot_sessions_per_day: float | None
    copies: float | None
    days_observed: int
    verdict: str
    binding: LimitCheck | None
    checks: list[LimitCheck]
    observed: list[dict[str, Any]]
    rate_limited: dict[str, Any]
    unmatched_limits: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return clean(
            {
                "as_of": self.as_of,
                "target_sessions_per_day": self.target_sessions_per_day,
                "pilot_sessions_per_day": self.pilot_sessions_per_day,
                "scale": self.copies,
                "days_observed": self.days_observed,
                "verdict": self.verdict,
                "binding_limit": self.binding.limit.key + " " + self.binding.limit.kind if self.binding else None,
                "limits": [c.to_json() for c in self.checks],
                "observed": self.observed,
                "rate_limited": self.rate_limited,
                "limits_without_traffic": self.unmatched_limits,
            }
        )


def _judge(limit: Limit, proj: Projection, headroom: float) -> tuple[str, float, str]:
    m = proj.measures[limit.measure]
    room = 1 - m.p99.estimate / limit.per_minute
    line = f"{limit.key} {limit.kind} {limit.per_minute:,.0f}/min: projected p99 minute {m.p99.estimate:,.0f}"
    if m.p99.estimate > limit.per_minute:
        return FAIL, room, f"{line}, over the limit"
    if m.p99.high > limit.per_minute * (1 - headroom) or m.p999.estimate > limit.per_minute:
        return MARGINAL, room, f"{line} (up to {m.p99.high:,.0f}), within the {headroom:.0%} headroom"
    return PASS, room, f"{line} (up to {m.p99.high:,.0f}), {room:.0%} headroom"


def _key(limit: Limit, load: PilotLoad) -> tuple[str, str] | None:
    for provider, model in load.keys:
        if provider.lower() == limit.provider and model.lower() == limit.model:
            return provider, model
    return None


def check_limits(
    load: PilotLoad,
    config: Config,
    target_sessions_per_day: float,
    *,
    first_weekday: int = 0,
    replicates: int = REPLICATES,
    seed: int = 0,
) -> tuple[list[LimitCheck], list[str]]:
    """Every configured limit judged at the target traffic; and the limits whose model had no turns."""
    settings = config.capacity
    checks, unmatched = [], []
    projections: dict[tuple[str, str], Projection] = {}
    copies = target_sessions_per_day / load.sessions_per_day if load.sessions_per_day else None
    for limit in settings.limits:
        key = _key(limit, load)
        if key is None:
            unmatched.append(limit.key)
            checks.append(LimitCheck(limit, INSUFFICIENT, None, None, None, f"{limit.key}: no turns in the pilot"))
            continue
        observed = observed_percentiles(load.minutes[key], limit.measure)["p99"]
        if len(load.days) < settings.min_days or copies is None:
            why = f"{limit.key}: {len(load.days)} observed day(s), {settings.min_days} needed"
            checks.append(LimitCheck(limit, INSUFFICIENT, observed, None, None, why))
            continue
        if key not in projections:
            thresholds: dict[str, list[float]] = {}
            for lim in settings.limits:
                if _key(lim, load) == key:
                    thresholds.setdefault(lim.measure, []).append(lim.per_minute)
            projections[key] = project(
                load.minutes[key],
                copies,
                thresholds=thresholds,
                horizon_days=HORIZON_DAYS,
                first_weekday=first_weekday,
                replicates=replicates,
                seed=seed,
            )
        verdict, room, reason = _judge(limit, projections[key], settings.headroom)
        checks.append(LimitCheck(limit, verdict, observed, projections[key], room, reason))
    return checks, unmatched


def _observed(load: PilotLoad) -> list[dict[str, Any]]:
    rows = []
    peaks = {(r["provider"], r["model"]): r for r in load.peaks.to_dict("records")}
    for key in load.keys:
        frame = load.minutes[key]
        row: dict[str, Any] = {"provider": key[0], "model": key[1], "turns": int(frame["requests"].sum())}
        for measure in ("requests", "total_tokens", "input_tokens", "output_tokens"):
            row[measure] = observed_percentiles(frame, measure)
        row["rate_limited_turns"] = int(frame["rate_limited"].sum())
        row["turns_without_tokens"] = load.turns_without_tokens.get(key, 0)
        peak = peaks.get(key, {})
        row["peak_second_requests"] = peak.get("peak_second_requests")
        row["peak_in_flight"] = peak.get("peak_in_flight")
        rows.append(row)
    return rows


def _worst(checks: list[LimitCheck]) -> tuple[str, LimitCheck | None]:
    if not checks:
        return INSUFFICIENT, None
    judged = [c for c in checks if c.headroom is not None]
    binding = min(judged, key=lambda c: c.headroom or 0.0) if judged else None
    verdict = max((c.verdict for c in checks), key=lambda v: _RANK[v])
    return verdict, binding


def load_to(db: QueryRunner, config: Config, as_of: date) -> PilotLoad:
    """The pilot's load from its first day to `as_of` (the report zone's days)."""
    first, last = pilot_to_date(db, config, as_of)
    return pilot_load(db, first, last, config.report_zone)


def report(
    db: QueryRunner,
    config: Config,
    as_of: date,
    target_sessions_per_day: float | None = None,
    *,
    load: PilotLoad | None = None,
    seed: int = 0,
) -> CapacityReport:
    """The pilot's load to `as_of` and every limit judged at the target (default ga.expected_sessions_per_day)."""
    load = load or load_to(db, config, as_of)
    target = float(target_sessions_per_day or config.expected_sessions_per_day)
    weekday = (as_of + timedelta(days=1)).weekday()
    checks, unmatched = check_limits(load, config, target, first_weekday=weekday, seed=seed)
    verdict, binding = _worst(checks)
    hourly = rate_limited_by_hour(load)
    turns = int(hourly["turns"].sum()) if len(hourly) else 0
    limited = int(hourly["rate_limited"].sum()) if len(hourly) else 0
    worst_hour = hourly.sort_values(["share", "rate_limited"], ascending=False).head(1).to_dict("records")
    return CapacityReport(
        as_of=as_of,
        target_sessions_per_day=target,
        pilot_sessions_per_day=load.sessions_per_day,
        copies=target / load.sessions_per_day if load.sessions_per_day else None,
        days_observed=len(load.days),
        verdict=verdict if config.capacity.limits else INSUFFICIENT,
        binding=binding,
        checks=checks,
        observed=_observed(load),
        rate_limited={
            "turns": turns,
            "rate_limited": limited,
            "share": limited / turns if turns else None,
            "worst_hour": worst_hour[0] if worst_hour and limited else None,
        },
        unmatched_limits=unmatched,
    )


def tenants_step(load: PilotLoad, tenants: int) -> float | None:
    """The sessions a day after adding `tenants` tenants of the pilot's median tenant traffic."""
    if load.sessions_per_day is None or load.median_tenant_sessions_per_day is None:
        return None
    return load.sessions_per_day + tenants * load.median_tenant_sessions_per_day


def expansion_plan(
    db: QueryRunner, config: Config, as_of: date, *, load: PilotLoad | None = None, seed: int = 0
) -> dict[str, Any]:
    """The largest traffic (sessions a day, and as +K tenants) that keeps every limit PASS and the spend
    within the budget's remaining runway; and what binds first.

    Each limit's largest scale is found by the normal approximation (projection.largest_scale: its p99
    minute under the limit less its headroom, its p99.9 minute under the limit), then the traffic is
    confirmed by the simulation and lowered by 5 % steps until every limit PASSes there.
    """
    load = load or load_to(db, config, as_of)
    current, settings = load.sessions_per_day, config.capacity
    if current is None or not settings.limits or len(load.days) < settings.min_days:
        why = (
            "no pilot traffic"
            if current is None
            else "no [capacity.limits] configured"
            if not settings.limits
            else f"{len(load.days)} observed day(s), {settings.min_days} needed"
        )
        return clean({"verdict": INSUFFICIENT, "reason": why, "current_sessions_per_day": current})
    weekday = (as_of + timedelta(days=1)).weekday()
    caps: list[tuple[float, str]] = []
    for limit in settings.limits:
        key = _key(limit, load)
        if key is None:
            continue
        frame = load.minutes[key]
        k = min(
            largest_scale(
                frame, limit.measure, limit.per_minute * (1 - settings.headroom), 0.01, first_weekday=weekday
            ),
            largest_scale(frame, limit.measure, limit.per_minute, 0.001, first_weekday=weekday),
        )
        caps.append((k * current, f"{limit.key} {limit.kind}"))
    budget_cap, budget_reason = _budget_cap(db, config, as_of)
    if budget_cap is not None:
        caps.append((budget_cap, budget_reason))
    if not caps:
        return clean(
            {
                "verdict": INSUFFICIENT,
                "reason": "no limit matches a model of the pilot",
                "current_sessions_per_day": current,
            }
        )
    best, binding = min(caps)
    for _ in range(CONFIRM_STEPS if best >= current else 0):  # confirm by the simulation
        checks, _ = check_limits(load, config, best, first_weekday=weekday, replicates=SEARCH_REPLICATES, seed=seed)
        failing = [c for c in checks if c.verdict in (FAIL, MARGINAL)]
        if not failing:
            break
        binding = f"{failing[0].limit.key} {failing[0].limit.kind}"
        best *= 0.95
    per_tenant = load.median_tenant_sessions_per_day
    fits_now = best >= current
    return clean(
        {
            "verdict": PASS if fits_now else FAIL,
            "current_sessions_per_day": current,
            "max_sessions_per_day": best,
            "step_sessions_per_day": max(0.0, best - current),
            "step_tenants": int(max(0.0, best - current) // per_tenant) if per_tenant else None,
            "median_tenant_sessions_per_day": per_tenant,
            "binding": binding,
            "budget_cap_sessions_per_day": budget_cap,
            "reason": None if fits_now else f"the pilot's own traffic already reaches {binding} (within its headroom)",
        }
    )


def _budget_cap(db: QueryRunner, config: Config, as_of: date) -> tuple[float | None, str]:
    """The traffic at which the remaining pilot days would spend the rest of the budget (None: no cap)."""
    b = burn(db, config, as_of)
    budget, spent, remaining = b.get("budget_usd"), b.get("spend_to_date_usd"), b.get("days_remaining")
    cps = (b.get("ga_monthly_cost_usd") or {}).get("cost_per_session_usd")
    if not budget or spent is None or not remaining or not cps:
        return None, "budget"
    return max(0.0, (budget - spent) / (remaining * cps)), "budget (remaining runway)"
