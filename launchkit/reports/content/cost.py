"""What the cost report says as of a day: spend against budget, burn and forecasts, where the money
goes, cost per session, reconciliation, chargeback, unpriced usage, cost criteria, tiles and the JSON
summary, built from the warehouse without a kernel.

Every coloured tile takes its state from a verdict the same report shows: the forecast, the day the
budget runs out and the cost per session from the cost criteria (launchkit.analytics.headlines), the
unpriced turns from the data-quality gate turns_with_price (the same coverage, the same threshold
quality.min_coverage); a figure no verdict judges is na.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any

import pandas as pd

from launchkit.analytics import criteria, finance, headlines, metrics, overview, pricing, quality, reconcile
from launchkit.analytics.finance import Burn
from launchkit.analytics.headlines import Tile
from launchkit.analytics.metrics import Metrics
from launchkit.config import Config
from launchkit.reports.content import shape
from launchkit.reports.files import exports
from launchkit.reports.text import fmt, plural
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window

PRICE_GATE = "turns_with_price"  # the data-quality gate the unpriced-turns tile shows
_GATE_STATE = {True: "ok", False: "breach", None: "no-data"}


@dataclass(frozen=True)
class CostReport:
    """The cost report as of `day`; `summary()` is the report's JSON summary."""

    day: date
    first: date  # the pilot's first day: the report covers first..day
    burn: Burn
    overview: overview.Overview  # pilot to date
    readiness: criteria.ReadinessJson  # as of the day
    verdicts: list[dict[str, Any]]  # the cost criteria as verdict rows (shape.criterion_verdict)
    tables: dict[str, pd.DataFrame]  # exports.cost_tables: what `launchkit export cost` writes
    per_day: pd.DataFrame  # metrics.timeseries per day, pilot to date
    chargeback: finance.Chargeback
    reconciliation: reconcile.Summary
    coverage: pricing.Coverage  # pilot to date
    tiles: list[Tile]  # spend against budget: the headline tiles
    tile_notes: dict[str, str]  # a line of the report's own under a headline tile, by key
    session_tiles: list[Tile]  # cost per session, pilot to date
    coverage_tiles: list[Tile]  # unpriced usage

    @property
    def metrics(self) -> Metrics:
        return self.overview["metrics"]

    @property
    def title(self) -> str:
        return f"Cost and burn as of {self.day.isoformat()}"

    @property
    def headline(self) -> str:
        b = self.burn
        fc, out, budget = b["forecast_total_usd"], b["budget_runs_out"], b["budget_usd"]
        return (
            f"spent {fmt(b['spend_to_date_usd'], '$')}"
            + (f" of {fmt(budget, '$')}" if budget is not None else " (no budget set)")
            + f"; forecast {fmt(fc['estimate'], '$')} at pilot end at the {fc['basis']}' burn"
            + (f"; the budget runs out on {out['date']}" if out["date"] and not out["exceeded"] else "")
        )

    def summary(self) -> dict[str, Any]:
        """The report's JSON summary (notebook.summary cleans it to strict JSON)."""
        return shape.summary(
            self,
            self.overview,
            self.verdicts,
            None,
            finance=self.burn,
            reconciliation=self.reconciliation,
            pricing_coverage=self.coverage,
            spend_by_model=self.tables["spend_by_model"],
            spend_by_tenant=self.tables["spend_by_tenant"],
            spend_by_vendor=self.tables["spend_by_vendor"],
            spend_by_day=self.tables["spend_by_day"],
            reconciliation_rows=self.tables["reconciliation"],
            chargeback=self.chargeback,
            tiles=[t.to_json() for t in (*self.tiles, *self.session_tiles, *self.coverage_tiles)],
        )


def build(db: QueryRunner, day: date, config: Config, *, tz: tzinfo) -> CostReport:
    """The cost report as of `day` (a calendar day of `tz`), pilot to date; a day before the pilot's
    first day raises NotEnoughDataError (finance.pilot_to_date)."""
    burn = finance.burn(db, config, day)
    first, _ = finance.pilot_to_date(db, config, day)
    to_date = Window.range(first, day, tz)
    result = overview.compute(db, to_date, config, include_finance=False)
    readiness = criteria.evaluate(db, day, config, history_days=0).to_json()
    cov = pricing.coverage(db, to_date.start, to_date.end)
    end = day + timedelta(days=1)
    return CostReport(
        day=day,
        first=first,
        burn=burn,
        overview=result,
        readiness=readiness,
        verdicts=[shape.criterion_verdict(r) for r in readiness["criteria"] if r["group"] == "cost"],
        tables=exports.cost_tables(db, config, first, day),
        per_day=metrics.timeseries(db, first, day, grain="day", tz=tz),
        chargeback=finance.chargeback(db, first, end, tz),
        reconciliation=reconcile.summary(db, first, end, config),
        coverage=cov,
        tiles=[*headlines.cost_tiles(burn, readiness), _ga_tile(burn)],
        tile_notes=_tile_notes(burn),
        session_tiles=_session_tiles(result["metrics"], config.cost_per_session_usd),
        coverage_tiles=_coverage_tiles(cov, result["data_quality"]),
    )


def _ga_tile(burn: Burn) -> Tile:
    """The month at GA volume: a figure (na), from the cost per session of the last 7 days."""
    ga = burn["ga_monthly_cost_usd"] or {}
    note = (
        f"{fmt(ga.get('low'), '$')} to {fmt(ga.get('high'), '$')} at "
        f"{fmt(ga.get('expected_sessions_per_day'))} sessions/day"
    )
    days = headlines.window_words(finance.GA_WINDOW_DAYS)
    return Tile(
        "ga_monthly", "GA monthly cost", ga.get("estimate"), "$", "na", days, ga.get("sessions"), "session", note
    )


def _tile_notes(burn: Burn) -> dict[str, str]:
    """The headline tiles' second lines: the pilot-to-date burn, the forecast's interval, the run-out dates."""
    fc, out, pilot = burn["forecast_total_usd"], burn["budget_runs_out"], burn["pilot"]
    if out["exceeded"]:
        runs_out = f"spent past the budget on {out['date']}"
    elif out["date"]:
        runs_out = f"between {fmt(out['earliest'])} and {fmt(out['latest'])}; the pilot ends {pilot['end']}"
    else:
        runs_out = ""
    return {
        "burn_rate": f"pilot to date {fmt(burn['burn_rate_per_day_usd'], '$')} a day",
        "forecast": f"95 % interval {fmt(fc['low'], '$')} to {fmt(fc['high'], '$')}; at the pilot-to-date "
        f"burn {fmt(burn['forecast_pilot_to_date_usd']['estimate'], '$')}",
        "runs_out": runs_out,
        "budget": "" if burn["budget_usd"] is None else "set in launchkit.toml",
    }


def _session_tiles(m: Metrics, target: float | None) -> list[Tile]:
    """Cost per session pilot to date: figures (na); the verdict is the cost_per_session criterion's
    over its own window, on the headline tile."""
    sessions, ok = m["active_sessions"], m["successful_sessions"]
    w = "pilot to date"
    return [
        Tile("cost_per_session_to_date", "cost per session", m["cost_per_session"], "$", "na", w, sessions, "session",
             f"pilot to date (the verdict: last 7 days, above); target ≤ {fmt(target, '$')}; "
             f"{plural(sessions, 'session')}"),
        Tile("cost_per_successful_session", "cost per successful session", m["cost_per_successful_session"], "$",
             "na", w, ok, "session", f"{plural(ok, 'session')} without a failed turn or tool call"),
        Tile("total_cost", "total computed cost", m["total_cost_usd"], "$", "na", w, note="pilot to date, from turns"),
    ]  # fmt: skip


def _coverage_tiles(cov: pricing.Coverage, dq: quality.DataQuality) -> list[Tile]:
    """Unpriced usage: the unpriced-turns tile in the state of the turns_with_price gate (ok, breach,
    or no-data without turns), the others figures (na)."""
    gate = dq["gates"][PRICE_GATE]
    most = 1 - float(gate["threshold"])
    w = "pilot to date"
    return [
        Tile("turns", "turns", cov["turns"], "", "na", w),
        Tile("unpriced_turns", "unpriced turns", cov["unpriced"], "", _GATE_STATE[gate["ok"]], w, cov["turns"], "turn",
             f"{fmt(cov['unpriced_share'], '%')} of turns; at most {fmt(most, '%')} (quality.min_coverage)",
             f"gate:{PRICE_GATE}"),
        Tile("priced_from_tokens", "priced from tokens", cov["computed"], "", "na", w,
             note="cost computed from the price list"),
    ]  # fmt: skip
