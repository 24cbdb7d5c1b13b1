"""The pilot's load as the providers count it: requests and tokens per minute, per provider and model.

Minutes are read over the pilot's observed days (the report zone's days with at least one turn: a day
the pipeline lost is not a day of zero traffic); within those days a minute without a turn is a real
zero. Percentiles (p99, p99.9) are exact (linear interpolation, as quantile_cont) over every minute of
the observed days. Token sums leave out turns without counts; those turns are counted beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

import numpy as np
import pandas as pd

from launchkit.analytics.finance import daily_spend
from launchkit.config.capacity import LIMIT_KINDS
from launchkit.store.warehouse import QueryRunner
from launchkit.window import day_edges

MEASURES = tuple(LIMIT_KINDS.values())  # requests, total_tokens, input_tokens, output_tokens
MINUTE = pd.Timedelta(minutes=1)


@dataclass(frozen=True)
class PilotLoad:
    """The observed days and, per (provider, model), a frame with one row per minute of those days:
    day, weekday, hour (the report zone's), the MEASURES, failed and rate_limited turns."""

    days: tuple[date, ...]
    sessions_per_day: float | None  # mean sessions with a turn per observed day
    median_tenant_sessions_per_day: float | None
    tenants: int
    minutes: dict[tuple[str, str], pd.DataFrame]
    turns_without_tokens: dict[tuple[str, str], int]
    peaks: pd.DataFrame  # provider, model, peak_second_requests, peak_in_flight, turns_without_latency

    @property
    def keys(self) -> list[tuple[str, str]]:
        return sorted(self.minutes)


def _grid(days: list[date], tz: tzinfo) -> pd.DataFrame:
    """Every UTC minute of the zone's days, with its local day, weekday and hour."""
    parts = []
    for d in days:
        start, end = day_edges(d, d, tz)
        stamps = pd.date_range(start, end, freq=MINUTE, inclusive="left")
        local = stamps.tz_convert(tz)
        parts.append(pd.DataFrame({"minute": stamps, "day": d, "weekday": d.weekday(), "hour": local.hour}))
    if not parts:
        return pd.DataFrame(columns=["minute", "day", "weekday", "hour"])
    return pd.concat(parts, ignore_index=True)


def pilot_load(db: QueryRunner, first: date, last: date, tz: tzinfo) -> PilotLoad:
    """The load of the pilot's days first..last (the zone's, both included), per provider and model."""
    daily = daily_spend(db, first, last, tz)
    observed = daily[daily["turns"].notna() & (daily["turns"] > 0)]
    days = [pd.Timestamp(d).date() for d in observed["day"]]
    sessions = float(observed["sessions_with_turns"].mean()) if days else None
    grid = _grid(days, tz)
    minutes: dict[tuple[str, str], pd.DataFrame] = {}
    without: dict[tuple[str, str], int] = {}
    peaks = pd.DataFrame(columns=["provider", "model", "peak_second_requests", "peak_in_flight"])
    tenants, median_tenant = 0, None
    if days:
        edges = day_edges(days[0], days[-1], tz)
        params = {"start": edges[0], "end": edges[-1]}
        load = db.frame("capacity/minute_load", params)
        load["minute"] = pd.to_datetime(load["minute"], utc=True)
        for (provider, model), part in load.groupby(["provider", "model"], sort=True):
            full = grid.merge(part.drop(columns=["provider", "model"]), on="minute", how="left")
            counts = ["requests", *MEASURES[1:], "failed", "rate_limited"]
            full[counts] = full[counts].fillna(0).astype("int64")  # an observed minute without a turn: zero
            minutes[(provider, model)] = full.drop(columns=["turns_without_tokens"])
            without[(provider, model)] = int(part["turns_without_tokens"].sum())
        peaks = db.frame("capacity/peaks", params)
        day_starts = [day_edges(d, d, tz) for d in days]
        per_tenant = db.frame(
            "capacity/tenant_sessions",
            {
                "days": days,
                "starts": [a for a, _ in day_starts],
                "ends": [b for _, b in day_starts],
                **params,
            },
        )
        tenants = len(per_tenant)
        if tenants:
            median_tenant = float(np.median(per_tenant["sessions"] / per_tenant["active_days"]))
    return PilotLoad(tuple(days), sessions, median_tenant, tenants, minutes, without, peaks)


def observed_percentiles(frame: pd.DataFrame, measure: str) -> dict[str, float]:
    """The peak, p99 and p99.9 minute of one measure over every minute of the observed days."""
    values = frame[measure].to_numpy(dtype=float)
    if not len(values):
        return {"peak": float("nan"), "p99": float("nan"), "p999": float("nan")}
    return {
        "peak": float(values.max()),
        "p99": float(np.quantile(values, 0.99)),
        "p999": float(np.quantile(values, 0.999)),
    }


def rate_limited_by_hour(load: PilotLoad) -> pd.DataFrame:
    """Per report-zone hour of the observed days (all providers): turns, rate-limited turns and their share."""
    frames = [f[["day", "hour", "requests", "rate_limited"]] for f in load.minutes.values()]
    if not frames:
        return pd.DataFrame(columns=["day", "hour", "turns", "rate_limited", "share"])
    hourly = pd.concat(frames).groupby(["day", "hour"], as_index=False)[["requests", "rate_limited"]].sum()
    hourly = hourly.rename(columns={"requests": "turns"})
    hourly["share"] = hourly["rate_limited"] / hourly["turns"].where(hourly["turns"] > 0)  # no turns: no share
    return hourly
