"""What the hourly report says of one hour: its metrics, threshold checks, tiles, trends, per tool and
tenant tables and its JSON summary, built from the warehouse without a kernel.

Each tile takes its state from the check the threshold table shows (`tile_state`): the check's status,
except that a check without observations is no-data and one on untrusted data is untrusted (both
drawn neutral, never green); the active-sessions tile is coloured by data_arrived, so an hour
expected to have traffic and without any is red on the tiles as in the table. A check no headline tile
shows (open major incidents, data_fresh, a model's rate limits) gets a tile of its own while it breaches
or watches, so every check an alert names is red on the tiles too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any

import pandas as pd

from launchkit.analytics import checks, criteria, metrics, overview
from launchkit.analytics.checks import LOW_SAMPLE, Check
from launchkit.analytics.headlines import Tile, severity
from launchkit.analytics.metrics import Metrics
from launchkit.catalogue import display_name
from launchkit.config import Config
from launchkit.reports.content import shape
from launchkit.reports.text import fmt, plural
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, local

TREND_HOURS = 48
TENANT_COLUMNS = (
    "tenant",
    "active_sessions",
    "tool_calls",
    "tool_call_success_rate",
    "turns",
    "turn_error_rate",
    "latency_p95",
    "total_cost_usd",
    "cost_per_session",
)
_WINDOW = "this hour"


@dataclass(frozen=True)
class HourlyReport:
    """One hour as the hourly report shows it; `summary()` is the report's JSON summary."""

    window: Window
    tz: tzinfo
    overview: overview.Overview
    verdicts: list[Check]
    tiles: list[Tile]
    trend: pd.DataFrame  # metrics.timeseries per hour over the trend hours up to the hour's end
    by_tool: pd.DataFrame
    by_tenant: pd.DataFrame

    @property
    def metrics(self) -> Metrics:
        return self.overview["metrics"]

    @property
    def targets(self) -> dict[str, Check]:
        """Each checked metric's check (its pass and fail lines for the trend charts)."""
        return {v["metric"]: v for v in self.verdicts}

    @property
    def breaches(self) -> list[Check]:
        return [v for v in self.verdicts if v["status"] == "breach"]

    @property
    def tenant_table(self) -> pd.DataFrame:
        """The per-tenant columns the report's table shows."""
        return self.by_tenant[list(TENANT_COLUMNS)]

    @property
    def title(self) -> str:
        start = local(self.window.start, self.tz)
        return f"Hourly pilot report {start:%Y-%m-%d %H}:00 {start:%Z}"

    @property
    def headline(self) -> str:
        m = self.metrics
        return (
            f"{plural(m['active_sessions'], 'session')}, tool success {fmt(m['tool_call_success_rate'], '%')}, "
            f"p95 {fmt(m['latency_ms']['p95'], 'ms')}; {plural(len(self.breaches), 'breach')}"
        )

    def summary(self) -> dict[str, Any]:
        """The report's JSON summary (notebook.summary cleans it to strict JSON)."""
        return shape.summary(
            self,
            self.overview,
            self.verdicts,
            None,
            breaches=[v["check"] for v in self.breaches],
            by_tool=self.by_tool,
            by_tenant=self.by_tenant,
            tiles=[t.to_json() for t in self.tiles],
        )


def build(db: QueryRunner, window: Window, config: Config, *, tz: tzinfo, hours: int = TREND_HOURS) -> HourlyReport:
    """The hourly report of `window` (one clock hour of `tz`), with trends over the `hours` before its end."""
    result = overview.compute(db, window, config, include_finance=False)
    verdicts = checks.checks(db, window, config)
    return HourlyReport(
        window=window,
        tz=tz,
        overview=result,
        verdicts=verdicts,
        tiles=hour_tiles(result["metrics"], verdicts),
        trend=metrics.timeseries(db, window.end - timedelta(hours=hours), window.end, grain="hour", tz=tz),
        by_tool=metrics.breakdown(db, window, "tool"),
        by_tenant=metrics.breakdown(db, window, "tenant"),
    )


def tile_state(check: Check | None) -> str:
    """The state a check gives its tile (launchkit.analytics.headlines.STATES): the status the table
    shows; on untrusted data untrusted; a criterion's check left na for want of data is no-data (no
    observation) or low-sample (some, too few for an interval); a check without a threshold na."""
    if check is None or check["pass"] is None:
        return "na"
    if check["verdict"] == criteria.UNTRUSTED:
        return "untrusted"
    if check["status"] == "na" and check["verdict"] == criteria.INSUFFICIENT:
        return "no-data" if check["value"] is None or not check["n"] else LOW_SAMPLE
    return check["status"]


def hour_tiles(m: Metrics, verdicts: Sequence[Check]) -> list[Tile]:
    """The hour's headline tiles, each in the state of its check (`tile_state`; of a metric two criteria
    check, the worse); the line under a value names the target and the sample ('low sample: 12 of 500
    calls' below the criterion's min_sample)."""
    by_check = {v["check"]: v for v in verdicts}
    by_metric: dict[str, Check] = {}  # two criteria on one metric: its tile shows the worse (as an alert would)
    for v in verdicts:
        have = by_metric.get(v["metric"])
        if have is None or severity(tile_state(v)) < severity(tile_state(have)):
            by_metric[v["metric"]] = v
    samples = m["samples"]
    lat = m["latency_ms"]

    def tile(key: str, label: str, value: Any, unit: str, metric: str, n: int, noun: str, show_n: bool = True) -> Tile:
        v = by_metric.get(metric)
        state = tile_state(v)
        target = ""
        sample = plural(n, noun)
        if v is not None and v["pass"] is not None:
            target = f"target {'≥' if v['direction'] == 'higher' else '≤'} {fmt(v['pass'], v['unit'])}"
            if state == LOW_SAMPLE:
                have = v["n"] if v["n"] is not None else n
                sample = f"low sample: {fmt(have)} of {plural(v['min_sample'], noun)}"
        shown = sample if show_n or state == LOW_SAMPLE else ""
        lead = (
            f"p50 {fmt(lat.get('p50'), 'ms')} · p90 {fmt(lat.get('p90'), 'ms')} · p99 {fmt(lat.get('p99'), 'ms')}"
            if metric == "latency_p95_ms"
            else target
        )
        note = "; ".join(p for p in (lead, shown) if p)
        src = f"check:{v['check']}" if v is not None and state != "na" else None
        return Tile(key, label, value, unit, state, _WINDOW, n, noun, note, src)

    arrived = by_check.get("data_arrived")
    sessions_state = arrived["status"] if arrived is not None else "na"
    sessions_note = f"{fmt(m['new_sessions'])} new"
    if sessions_state == "breach" and arrived is not None:
        sessions_note += f"; {arrived['note']}"
    return [
        Tile("active_sessions", "Active sessions", m["active_sessions"], "", sessions_state, _WINDOW,
             m["active_sessions"], "session", sessions_note, "check:data_arrived" if sessions_state != "na" else None),
        tile("tool_call_success_rate", display_name("tool_call_success_rate"), m["tool_call_success_rate"], "%",
             "tool_call_success_rate", samples["tool_calls"], "call"),
        tile("cost_per_session", display_name("cost_per_session"), m["cost_per_session"], "$", "cost_per_session",
             samples["active_sessions"], "session", show_n=False),
        tile("turn_error_rate", display_name("turn_error_rate"), m["turn_error_rate"], "%", "turn_error_rate",
             samples["turns"], "turn"),
        tile("latency_p95", display_name("latency_p95_ms"), lat.get("p95"), "ms", "latency_p95_ms", samples["latency_ms"], "ok turn",
             show_n=False),
        *(check_tile(v) for v in verdicts if v["metric"] not in _TILE_METRICS and v["check"] != "data_arrived"
          and tile_state(v) in ("breach", "watch")),
    ]  # fmt: skip


_TILE_METRICS = ("tool_call_success_rate", "cost_per_session", "turn_error_rate", "latency_p95_ms")
_CHECK_LABELS = {"data_fresh": "Time since new data"}  # a check whose metric the catalogue does not name


def check_tile(v: Check) -> Tile:
    """A tile of its own for a check no headline tile shows (open major incidents, data_fresh, a model's
    rate limits: 'Turns refused for rate limits, openai/gpt-4o'), in the check's state, its note below."""
    name, _, what = v["check"].partition(":")
    label = _CHECK_LABELS.get(name) or display_name(v["metric"])
    label += f", {what}" if what else ""
    return Tile(v["check"], label, v["value"], v["unit"], tile_state(v), _WINDOW, v["n"], "", v["note"] or "",
                f"check:{v['check']}")  # fmt: skip
