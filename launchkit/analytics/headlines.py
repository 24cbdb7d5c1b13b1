"""What a reader sees first, from the same verdicts as the tables: a report's headline tiles, each with
its state, the window it covers, its sample size and the criterion its state comes from.

A tile is coloured only by a criterion's verdict at that criterion's window (`criterion_state`):
PASS ok, MARGINAL watch, FAIL breach, UNTRUSTED DATA untrusted, INSUFFICIENT DATA low-sample (some
observations) or no-data (none), a criterion that does not apply (no threshold set) na. A tile no
criterion judges (spend to date, the budget) is na: a figure, not a verdict. So a report's tiles can
never say green where its criteria table says breach, and the cost per session tile shows the value
the criterion judged (the last 7 days), not another window's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, TypedDict

from launchkit.catalogue import display_name, unit
from launchkit.jsonclean import clean

STATES = ("ok", "watch", "breach", "low-sample", "no-data", "untrusted", "na")
# the states worst first, as one word for several coloured elements ranks them (a report in the index,
# a tile shown by several checks): a breach, then watch, untrusted data, no data and low sample (neither
# good nor bad, so never green), ok, and last na (a figure, nothing judged)
SEVERITY = ("breach", "watch", "untrusted", "no-data", "low-sample", "ok", "na")
# a state as a legend, a table cell and a strip's day say it (STATES); the GA report's words, and the
# index's for GA: here, with the states, so the index reads them without importing the reports' content
STATE_WORDS = {
    "ok": "pass",
    "watch": "marginal",
    "breach": "fail",
    "low-sample": "not enough data",
    "no-data": "no data",
    "untrusted": "data not trusted",
    "na": "not evaluated",  # no threshold set, or nothing to judge (no evaluations loaded)
}
# a state in the words the hourly, cost and debrief reports' tables and tiles (and their index entries) use;
# the GA scorecard says STATE_WORDS
STATE_LABELS = {
    "ok": "ok",
    "watch": "watch",
    "breach": "breach",
    "low-sample": "low sample",
    "no-data": "no data",
    "untrusted": "data not trusted",
    "na": "na",
}
_BY_VERDICT = {"PASS": "ok", "MARGINAL": "watch", "FAIL": "breach", "UNTRUSTED DATA": "untrusted"}


class TileJson(TypedDict):
    """A tile as strict JSON (Tile.to_json): what the JSON summary's tiles and the index read."""

    key: str
    label: str
    value: Any
    unit: str
    state: str
    window: str
    n: int | None
    n_of: str
    note: str
    source: str | None


@dataclass(frozen=True)
class Tile:
    """One headline figure: what it is, its value and unit, its state, the window and sample behind it."""

    key: str
    label: str
    value: Any
    unit: str
    state: str
    window: str  # "pilot to date", "last 7 days", "2026-03-18"
    n: int | None = None
    n_of: str = ""  # what n counts, singular: "session", "day with usage"
    note: str = ""
    source: str | None = None  # "criterion:<name>" when a verdict gives the state

    def to_json(self) -> TileJson:
        return clean(asdict(self))


def criterion_state(result: Mapping[str, Any]) -> str:
    """The state a criterion's result (CriterionResult.to_json()) gives every element it colours."""
    if not result.get("applies", True):
        return "na"
    verdict = str(result.get("verdict"))
    if verdict in _BY_VERDICT:
        return _BY_VERDICT[verdict]
    return "no-data" if result.get("value") is None or not result.get("n") else "low-sample"


def severity(state: str) -> int:
    """A state's rank in SEVERITY (0 the worst); a state not in it ranks with na."""
    return SEVERITY.index(state) if state in SEVERITY else SEVERITY.index("na")


def worst_tile(tiles: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The first of the tiles (Tile.to_json()) in the worst state (SEVERITY), None without tiles."""
    return min(tiles, key=lambda t: severity(str(t.get("state"))), default=None)


def window_words(days: int | None) -> str:
    """'last 7 days', 'the day', or 'pilot to date' (None)."""
    if days is None:
        return "pilot to date"
    return "the day" if days == 1 else f"last {days} days"


def criterion_tile(result: Mapping[str, Any], *, key: str | None = None, n_of: str = "", note: str = "") -> Tile:
    """A tile showing a criterion's own value, window and sample, in its state."""
    metric = str(result.get("metric"))
    days = (result.get("window") or {}).get("days")
    return Tile(
        key=key or str(result.get("name")),
        label=display_name(metric),
        value=result.get("value"),
        unit=unit(metric),
        state=criterion_state(result),
        window=window_words(days),
        n=result.get("n"),
        n_of=n_of,
        note=note or str(result.get("note") or ""),
        source=f"criterion:{result.get('name')}",
    )


def _by_metric(readiness: Mapping[str, Any], metric: str) -> Mapping[str, Any] | None:
    return next((c for c in readiness.get("criteria", []) if c.get("metric") == metric), None)


def cost_tiles(burn: Mapping[str, Any], readiness: Mapping[str, Any]) -> list[Tile]:
    """The cost report's headline tiles from finance.burn and the criteria (Readiness.to_json()) of the
    same day: the forecast, the day the budget runs out and the cost per session take their state from
    the projected_spend and cost_per_session criteria; spend, budget and burn rate are figures (na)."""
    fc, rate, out = burn["forecast_total_usd"], burn["recent_burn"], burn["budget_runs_out"]
    days = int(rate.get("days") or burn.get("burn_days") or 7)
    spend = _by_metric(readiness, "projected_spend_usd")
    spend_state = criterion_state(spend) if spend is not None else "na"
    source = f"criterion:{spend['name']}" if spend is not None else None
    tiles = [
        Tile("spent", "Spent to date", burn.get("spend_to_date_usd"), "$", "na", "pilot to date",
             burn.get("days_observed"), "day with usage"),
        Tile("budget", "Budget", burn.get("budget_usd"), "$", "na", "the pilot",
             note="" if burn.get("budget_usd") is not None else "no budget set"),
        Tile("budget_used", "Budget used", burn.get("share_used"), "%", "na", "pilot to date"),
        Tile("burn_rate", "Spend per day", rate.get("per_day_usd"), "$", "na", window_words(days),
             rate.get("days_used"), "day with usage"),
        Tile("forecast", display_name("projected_spend_usd"), fc.get("estimate"), "$", spend_state,
             f"at the burn of the {window_words(days)}", fc.get("days_used"), "day with usage", source=source),
        Tile("runs_out", "Budget runs out", out.get("date"), "", spend_state, f"at the burn of the {window_words(days)}",
             fc.get("days_used"), "day with usage", source=source),
    ]  # fmt: skip
    cps = _by_metric(readiness, "cost_per_session")
    if cps is not None:
        tiles.append(criterion_tile(cps, key="cost_per_session", n_of="session"))
    return tiles
