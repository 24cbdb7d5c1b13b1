"""Spend, burn against the budget, and forecasts (to the pilot's end, and a month at GA volume).

Spend is the computed turn cost from the view turns_priced (effective cost), except spend by vendor,
which comes from the vendor bill lines because telemetry does not name the vendor.

Days are the report zone's calendar days ([reports] timezone, default UTC; launchkit.window): daily
spend, the pilot's days, the burn rate and the forecast count them; the vendors' bills stay per UTC
day (their usage_date), so spend by vendor and the reconciliation are per UTC day.

Pilot period: pilot.start / pilot.end from launchkit.toml (both inclusive dates); otherwise it starts
on the first day with telemetry and lasts 30 days (last day = first day + 29), and a configured
start without an end also lasts 30 days.

Two forecasts of the spend at the pilot's end, both spent to date + remaining days x a mean daily
spend, with a Student-t prediction interval whose variance is R*s^2 + R^2*s^2/k (day-to-day noise
plus the uncertainty of the mean; R remaining days, k observed days, s their standard deviation):
- the recent burn (judged by the projected_spend criterion, drawn in the cost report): the mean of
  the observed days among the last [budget] burn_days calendar days (default 7) ending with the
  as-of day; it replaced the former fixed 14-day look-back (FORECAST_DAYS);
- pilot to date, beside it: the mean of every observed day of the pilot so far.
The recent burn also says when the budget runs out at that pace (budget_runs_out), with the dates
its confidence interval gives. docs/pricing.md works an example by hand.
Days without turns are not observed (an ingest gap is not a day of zero spend). Unpriced spend is
unknown, never $0: when any turn of the period has no price, the spend to date (and the share of
the budget, the burn rate and the forecast built on it) is None, with the priced part
(spend_known_usd, a lower bound) and the number of unpriced turns beside it.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, NotRequired, TypedDict

import numpy as np
import pandas as pd

from launchkit.analytics.metrics import summary
from launchkit.analytics.samples import mean_cost_interval
from launchkit.analytics.span import activity_span
from launchkit.config import Config
from launchkit.errors import LaunchkitError, NotEnoughDataError
from launchkit.jsonclean import clean
from launchkit.stats import mean_interval, t_quantile
from launchkit.store.sql import identifier
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, day_buckets, day_edges, day_start, floor_hour, local_day, next_hour, utc

GRAINS = ("day", "week", "month")
BY = {None: "total", "model": "model", "tenant": "tenant_id", "vendor": None}
PILOT_DAYS = 30
GA_WINDOW_DAYS = 7
DAYS_PER_MONTH = 30
_FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)
_FAR_FUTURE = datetime(2200, 1, 1, tzinfo=UTC)


class Forecast(TypedDict):
    """A forecast of the spend at the pilot's end (forecast): estimate with its prediction interval."""

    basis: str
    days_used: int
    level: float
    estimate: float | None
    low: float | None
    high: float | None
    method: str


class BurnRate(TypedDict):
    """The mean daily spend of the recent days with its interval (burn_rate), and the days it covers."""

    per_day_usd: float | None
    low: float | None
    high: float | None
    days_used: int
    level: float
    method: str
    first: NotRequired[str]
    last: NotRequired[str]
    days: NotRequired[int]


class RunsOut(TypedDict):
    """The day the budget runs out at the recent burn, and the days its interval gives (ISO dates)."""

    date: str | None
    earliest: str | None
    latest: str | None
    exceeded: bool


class RunsOutDays(TypedDict):
    """`budget_runs_out`'s days, before burn writes them as ISO text (RunsOut)."""

    date: date | None
    earliest: date | None
    latest: date | None
    exceeded: bool


class PilotPeriod(TypedDict):
    """The pilot's days as burn reports them (ISO dates; None without data or pilot.start)."""

    start: str | None
    end: str | None
    source: str


class Pilot(TypedDict):
    """The pilot's days (`pilot_period`): first and last (inclusive), None without data or pilot.start, and
    where they come from: config, data, data+config or none."""

    start: date | None
    end: date | None
    source: str


class GaMonthlyCost(TypedDict):
    """GA's monthly cost (`ga_monthly_cost`), strict JSON: the last 7 days' cost per session x the expected
    sessions a day x 30, with its interval."""

    cost_per_session_usd: float | None
    sessions: int
    expected_sessions_per_day: float
    days_per_month: int
    estimate: float | None
    low: float | None
    high: float | None
    window: dict[str, str]
    level: float


class Chargeback(TypedDict):
    """Who spent what (`chargeback`): per tenant and per cohort, the priced spend, turns and the unpriced."""

    by_tenant: pd.DataFrame
    by_cohort: pd.DataFrame
    priced_usd: float | None
    turns: int
    unpriced_turns: int
    unpriced_share: float | None


class Burn(TypedDict):
    """What burn returns, strict JSON (dates as ISO strings); money unknown is None, never 0."""

    as_of: str
    pilot: PilotPeriod
    budget_usd: float | None
    burn_days: int
    spend_to_date_usd: float | None
    spend_known_usd: float | None
    unpriced_turns: int
    share_used: float | None
    days_observed: int
    days_remaining: int | None
    burn_rate_per_day_usd: float | None
    recent_burn: BurnRate
    forecast_total_usd: Forecast
    forecast_pilot_to_date_usd: Forecast
    forecast_share_of_budget: float | None
    budget_runs_out: RunsOut
    ga_monthly_cost_usd: dict[str, Any] | None  # GaMonthlyCost (read with .get by capacity.plan)


def spend(
    db: QueryRunner,
    grain: str = "day",
    by: str | None = None,
    *,
    start: datetime | date | None = None,
    end: datetime | date | None = None,
    tz: tzinfo,
) -> pd.DataFrame:
    """Spend per day / ISO week (Monday) / month, optionally per vendor, model or tenant.

    Columns: period (DATE, the bucket's first day), [by], cost_usd, plus turns, unpriced_turns and
    sessions (computed spend) or lines (vendor bills). Range [start, end); dates mean the zone's
    midnight, and the periods are the zone's calendar days, weeks and months. Spend by vendor comes
    from the bills, which are per UTC day (usage_date, the vendors' billing day): its periods and date
    bounds are UTC dates.
    """
    if grain not in GRAINS:
        raise LaunchkitError(f"grain must be one of {', '.join(GRAINS)}, got {grain!r}")
    if by not in BY:
        raise LaunchkitError(f"by must be one of vendor, model, tenant (or none), got {by!r}")
    if by == "vendor":
        first = _as_date(start) if start is not None else _FAR_PAST.date()
        stop = _as_date(end) if end is not None else _FAR_FUTURE.date()
        df = db.frame("finance/spend_vendor", {"start": first, "end": stop, "grain": grain})
    else:
        s = _as_ts(start, tz) if start is not None else _FAR_PAST
        e = _as_ts(end, tz) if end is not None else _FAR_FUTURE
        ids = {"column": identifier(str(BY[by]), ("total", "model", "tenant_id"))}
        days = _data_days(db, s, e, tz)
        df = db.frame("finance/spend", {**days, "grain": grain}, identifiers=ids)
    if by is None:
        df = df.drop(columns=["value"])
    else:
        df = df.rename(columns={"value": by})
    return df


def _data_days(db: QueryRunner, start: datetime, end: datetime, tz: tzinfo) -> dict[str, Any]:
    """The zone's calendar days of [start, end) that can hold data (within the data's span), each cut to
    [start, end): the $days / $starts / $ends lists of a per-day query."""
    first_at, last_at = activity_span(db)
    days: list[tuple[date, datetime, datetime]] = []
    if first_at is not None and last_at is not None:
        lo, hi = max(start, floor_hour(first_at, tz)), min(end, next_hour(last_at, tz))
        if lo < hi:
            days = day_buckets(lo, hi, tz)
    return {
        "days": [d for d, _, _ in days],
        "starts": [a for _, a, _ in days],
        "ends": [b for _, _, b in days],
        "start": days[0][1] if days else None,
        "end": days[-1][2] if days else None,
    }


def _as_ts(v: datetime | date, tz: tzinfo) -> datetime:
    return utc(v) if isinstance(v, datetime) else day_start(v, tz)


def _as_date(v: datetime | date) -> date:
    """A bound as a UTC date (a datetime's UTC date; a date as it is)."""
    return utc(v).date() if isinstance(v, datetime) else v


def pilot_period(db: QueryRunner, config: Config) -> Pilot:
    """{"start": date, "end": date (inclusive), "source": "config" | "data" | "data+config" | "none"}.

    Without pilot.start, the pilot starts on the report zone's date of the first activity."""
    cs, ce = config.pilot_start, config.pilot_end
    if cs:
        return {"start": cs, "end": ce or cs + timedelta(days=PILOT_DAYS - 1), "source": "config"}
    first_at = db.one("metrics/activity_span")["first_at"]
    if first_at is None:
        return {"start": None, "end": None, "source": "none"}
    start = local_day(first_at, config.report_zone)
    end = ce or start + timedelta(days=PILOT_DAYS - 1)
    return {"start": start, "end": end, "source": "data" if not ce else "data+config"}


def pilot_to_date(db: QueryRunner, config: Config, as_of: date) -> tuple[date, date]:
    """The days a report "as of" a day covers: (the pilot's first day, as_of), both included.

    A day before the pilot's first day (pilot.start, else the first day with data) has no pilot to
    report on: NotEnoughDataError, one line naming that first day, instead of an empty or inverted
    window. Without any data the pilot is just that day.
    """
    pilot = pilot_period(db, config)
    first = pilot["start"] or as_of
    if as_of < first:
        why = "pilot.start" if pilot["source"] == "config" else "its first day with data"
        raise NotEnoughDataError(
            f"no data before {first.isoformat()} ({why}): nothing to report as of {as_of.isoformat()}; "
            f"choose a day from {first.isoformat()} on"
        )
    return first, as_of


def daily_spend(db: QueryRunner, first: date, last: date, tz: tzinfo) -> pd.DataFrame:
    """One row per calendar day of the zone first..last (inclusive): cost_usd, turns, priced_turns; NULL
    on days without turns."""
    edges = day_edges(first, last, tz)
    days = [first + timedelta(days=k) for k in range(len(edges) - 1)]
    return db.frame(
        "finance/daily_spend",
        {"days": days, "starts": edges[:-1], "ends": edges[1:], "start": edges[0], "end": edges[-1]},
    )


FORECAST_METHOD = "spent + remaining days x mean daily spend, t prediction interval"


def forecast(
    spent: float, daily: list[float], remaining_days: int, level: float = 0.95, *, basis: str = ""
) -> Forecast:
    """Total spend at the end of the period: spent + remaining x mean daily spend, with a t interval.

    basis names the days the mean is of ("last 7 days", "pilot to date")."""
    k = len(daily)
    if remaining_days <= 0:
        return Forecast(
            basis=basis, days_used=k, level=level, estimate=spent, low=spent, high=spent, method="period over"
        )
    if k == 0:
        return Forecast(
            basis=basis, days_used=k, level=level, estimate=None, low=None, high=None, method="no observed days"
        )
    m = float(np.mean(daily))
    est = spent + remaining_days * m
    if k < 2:
        why = "too few days for an interval"
        return Forecast(basis=basis, days_used=k, level=level, estimate=est, low=None, high=None, method=why)
    s = float(np.std(daily, ddof=1))
    sd = math.sqrt(remaining_days * s * s + remaining_days**2 * s * s / k)
    half = t_quantile(0.5 + level / 2, k - 1) * sd
    low, high = max(spent, est - half), est + half
    return Forecast(basis=basis, days_used=k, level=level, estimate=est, low=low, high=high, method=FORECAST_METHOD)


def burn_rate(daily: list[float], level: float = 0.95) -> BurnRate:
    """Mean daily spend over observed days with its Student-t confidence interval (low at least 0)."""
    iv = mean_interval(daily, level)
    finite = iv.low is not None and iv.high is not None and math.isfinite(iv.low) and math.isfinite(iv.high)
    return {
        "per_day_usd": iv.estimate,
        "low": max(0.0, float(iv.low)) if finite and iv.low is not None else None,
        "high": iv.high if finite else None,
        "days_used": len(daily),
        "level": level,
        "method": "mean of the observed days, Student-t interval",
    }


def budget_runs_out(
    budget: float | None, spent: float | None, as_of: date, rate: BurnRate, daily: pd.DataFrame
) -> RunsOutDays:
    """The day the budget runs out at a burn rate (burn_rate's dict), and the days its interval gives.

    Cumulative spend at the end of day as_of + j is spent + j x rate, so the budget runs out on day
    as_of + ceil((budget - spent) / rate); earliest from the rate's upper bound, latest from its lower
    (None when that bound is 0). Spent past the budget already: the day the cumulative spend reached it.
    """
    out = RunsOutDays(date=None, earliest=None, latest=None, exceeded=False)
    if budget is None or spent is None:
        return out
    if spent >= budget:
        d = daily.dropna(subset=["cost_usd"])
        over = d[d["cost_usd"].cumsum() >= budget]
        reached = pd.Timestamp(over["day"].iloc[0]).date() if len(over) else as_of
        return {**out, "date": reached, "earliest": reached, "latest": reached, "exceeded": True}

    def on(per_day: float | None) -> date | None:
        if per_day is None or per_day <= 0:
            return None
        return as_of + timedelta(days=math.ceil((budget - spent) / per_day))

    return {**out, "date": on(rate["per_day_usd"]), "earliest": on(rate["high"]), "latest": on(rate["low"])}


def _no_burn(level: float, basis: str) -> dict[str, Any]:
    """burn's figures when there is no pilot to measure (no data, no pilot.start)."""
    return {
        "spend_to_date_usd": None,
        "spend_known_usd": None,
        "unpriced_turns": 0,
        "share_used": None,
        "days_observed": 0,
        "days_remaining": None,
        "burn_rate_per_day_usd": None,
        "recent_burn": burn_rate([], level),
        "forecast_total_usd": forecast(0.0, [], 1, level, basis=basis),
        "forecast_pilot_to_date_usd": forecast(0.0, [], 1, level, basis="pilot to date"),
        "forecast_share_of_budget": None,
        "budget_runs_out": {"date": None, "earliest": None, "latest": None, "exceeded": False},
    }


def _unknown(level: float, basis: str, unpriced: int) -> Forecast:
    """A forecast when the spend to date is unknown (some turns unpriced)."""
    why = f"spend to date unknown: {unpriced} turn(s) unpriced"
    return {"estimate": None, "low": None, "high": None, "method": why, "basis": basis, "days_used": 0, "level": level}


def burn(db: QueryRunner, config: Config, as_of: date, *, level: float = 0.95, burn_days: int | None = None) -> Burn:
    """Spend to date against budget.total_usd, the burn rate (pilot to date, and over the last burn_days
    days: [budget] burn_days unless given), the two forecasts to the pilot's end, the day the budget runs
    out at the recent burn, GA monthly cost. forecast_total_usd is the recent burn's forecast."""
    days = burn_days or config.burn_days
    basis = f"last {days} days" if days > 1 else "last day"
    period = pilot_period(db, config)
    budget = config.budget_total_usd
    out: dict[str, Any] = {"as_of": as_of, "pilot": period, "budget_usd": budget, "burn_days": days}
    first, end = period["start"], period["end"]
    if first is None or end is None:  # no data and no pilot.start
        return clean({**out, **_no_burn(level, basis), "ga_monthly_cost_usd": None})
    last = min(as_of, end)
    if last < first:
        daily = pd.DataFrame({"day": [], "cost_usd": [], "turns": [], "priced_turns": []})
    else:
        daily = daily_spend(db, first, last, config.report_zone)
    observed = daily[daily["turns"].notna()] if len(daily) else daily
    # Money is never filled in: a day with unpriced turns has an unknown spend (its known part is a
    # lower bound), so the spend to date is unknown once any turn is unpriced, and so is all that
    # builds on it. The known part and the count of unpriced turns are reported beside it.
    unpriced = int((observed["turns"] - observed["priced_turns"]).sum()) if len(observed) else 0
    known = (
        float(observed["cost_usd"].sum(min_count=1)) if len(observed) and observed["cost_usd"].notna().any() else None
    )
    priced = observed if not unpriced else observed.iloc[0:0]
    costs = [float(c) for c in priced["cost_usd"]]
    recent_first = as_of - timedelta(days=days - 1)
    recent = [float(c) for d, c in zip(priced["day"], priced["cost_usd"]) if pd.Timestamp(d).date() >= recent_first]
    spent = (known if known is not None else 0.0) if len(observed) and not unpriced else None
    remaining = max(0, (end - max(as_of, first - timedelta(days=1))).days)
    horizon = remaining if costs else max(remaining, 1)
    if unpriced:
        fc, fc_pilot = _unknown(level, basis, unpriced), _unknown(level, "pilot to date", unpriced)
    else:
        fc = forecast(spent or 0.0, recent, horizon, level, basis=basis)
        fc_pilot = forecast(spent or 0.0, costs, horizon, level, basis="pilot to date")
    rate = burn_rate(recent, level)
    recent_burn = {**rate, "first": max(recent_first, first), "last": last, "days": days}  # dates: cleaned below
    out.update(
        {
            "spend_to_date_usd": spent,
            "spend_known_usd": known,
            "unpriced_turns": unpriced,
            "share_used": (spent / budget) if (spent is not None and budget) else None,
            "days_observed": len(observed),
            "days_remaining": remaining,
            "burn_rate_per_day_usd": (spent / len(costs)) if (costs and spent is not None) else None,
            "recent_burn": recent_burn,
            "forecast_total_usd": fc,
            "forecast_pilot_to_date_usd": fc_pilot,
            "forecast_share_of_budget": (fc["estimate"] / budget) if (fc["estimate"] is not None and budget) else None,
            "budget_runs_out": budget_runs_out(budget, spent, as_of, rate, priced),
            "ga_monthly_cost_usd": ga_monthly_cost(db, config, as_of, level=level),
        }
    )
    return clean(out)


def ga_monthly_cost(db: QueryRunner, config: Config, as_of: date, *, level: float = 0.95) -> GaMonthlyCost:
    """Cost per session over the last 7 days x ga.expected_sessions_per_day x 30, with a t interval."""
    per_day = config.expected_sessions_per_day
    w = Window.days_ending(as_of, GA_WINDOW_DAYS, config.report_zone)
    s = summary(db, w)
    cps = s["cost_per_session"]
    iv = mean_cost_interval(db, w, level) if s["active_sessions"] else None
    scale = per_day * DAYS_PER_MONTH
    return clean(
        {
            "cost_per_session_usd": cps,
            "sessions": s["active_sessions"],
            "expected_sessions_per_day": per_day,
            "days_per_month": DAYS_PER_MONTH,
            "estimate": cps * scale if cps is not None else None,
            "low": max(0.0, iv.low) * scale if iv and iv.low is not None and math.isfinite(iv.low) else None,
            "high": iv.high * scale if iv and iv.high is not None and math.isfinite(iv.high) else None,
            "window": w.to_json(),
            "level": level,
        }
    )


def totals_by(
    spend_frame: pd.DataFrame, by: str, columns: tuple[str, ...] = ("cost_usd", "turns", "sessions")
) -> pd.DataFrame:
    """A `spend` frame (per period and `by`) summed over its periods, one row per `by` value.

    Missing stays missing: a value whose every period is unpriced sums to NULL, not 0.
    """
    return spend_frame.groupby(by, dropna=False)[list(columns)].sum(min_count=1).reset_index()


def vendor_totals(reconciliation: pd.DataFrame) -> pd.DataFrame:
    """Computed and billed spend per vendor over a reconciliation's days (vendor NULL: unpriced models)."""
    cols = ["computed_usd", "billed_usd"]
    return reconciliation.groupby("vendor", dropna=False)[cols].sum(min_count=1).reset_index()


CHARGEBACK_BY = {"tenant": "tenant_id", "cohort": "cohort"}


def chargeback(db: QueryRunner, start: datetime | date, end: datetime | date, tz: tzinfo) -> Chargeback:
    """Who spent what over [start, end) (dates mean the zone's midnight): computed spend per tenant and per cohort,
    each with its share of the priced spend.

    Returns {"by_tenant": frame, "by_cohort": frame, "priced_usd", "turns", "unpriced_turns", "unpriced_share"}.
    A frame has one row per tenant (cohort): tenant (cohort), cost_usd, share, turns, unpriced_turns, sessions,
    most spend first. Missing stays missing: a tenant none of whose turns is priced has cost_usd and share
    NULL (not 0); with some unpriced turns its cost is a lower bound and unpriced_turns says how many. Shares
    are of the known (priced) spend, so they add up to 1 over the priced rows; unpriced_share is the
    fraction of all turns without a cost.
    """
    s, e = _as_ts(start, tz), _as_ts(end, tz)
    frames: dict[str, pd.DataFrame] = {}
    for name, column in CHARGEBACK_BY.items():
        ids = {"column": identifier(column, tuple(CHARGEBACK_BY.values()))}
        df = db.frame("finance/chargeback", {"start": s, "end": e}, identifiers=ids).rename(columns={"value": name})
        known = df["cost_usd"].sum(min_count=1)
        df["share"] = df["cost_usd"] / known if pd.notna(known) and known > 0 else np.nan
        df = df.sort_values(["cost_usd", name], ascending=[False, True], na_position="last")
        frames[name] = df[[name, "cost_usd", "share", "turns", "unpriced_turns", "sessions"]].reset_index(drop=True)
    t = frames["tenant"]
    turns = int(t["turns"].sum())
    unpriced = int(t["unpriced_turns"].sum())
    priced = t["cost_usd"].sum(min_count=1)
    return Chargeback(
        by_tenant=t,
        by_cohort=frames["cohort"],
        priced_usd=float(priced) if pd.notna(priced) else None,
        turns=turns,
        unpriced_turns=unpriced,
        unpriced_share=unpriced / turns if turns else None,
    )
