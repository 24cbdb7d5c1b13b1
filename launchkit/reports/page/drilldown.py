"""The debrief's drill-down in JupyterLab: pick the day, and a tenant, cohort, release, model or tool, and
the headline, the comparisons with the baseline and the trend charts are drawn again, without editing code.

Kernel side. launchkit.analytics.drill computes; this module builds the controls (ipywidgets, imported
only when a drill-down is built) and draws the result with the report's own tiles, tables and charts.
A rendered report never builds one: the debrief shows it only in an interactive kernel, so the HTML
keeps its form.
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from launchkit.analytics import drill as drill_mod
from launchkit.analytics import quality
from launchkit.analytics.scope import DIMENSIONS, Scope, scope
from launchkit.analytics.span import activity_span
from launchkit.errors import LaunchkitError
from launchkit.reports.page import charts, widgets
from launchkit.window import Window, local_day, zone_name

WHOLE = ""  # the "filter by" choice that means the whole pilot
# the trend charts drawn (catalogue metric -> chart title's noun)
TRENDS = {
    "tool_call_success_rate": "Tool-call success rate",
    "latency_p95_ms": "Turn latency (ok turns)",
    "cost_per_session": "Cost per active session",
}


def interactive(config_json: str | None, flag: bool | None = None) -> bool:
    """Whether a notebook shows the drill-down: `flag` when given, else only when it was not started by
    `launchkit run` (which passes config_json), so a rendered report stays static."""
    return (config_json in (None, "")) if flag is None else bool(flag)


def headline_tiles(m: dict[str, Any]) -> charts.HTMLBlock:
    """The drill-down's headline: the metrics object of `launchkit metrics --json` as tiles with their samples."""
    s = m.get("samples") or {}
    lat = m.get("latency_ms") or {}
    f = m.get("feedback") or {}
    return charts.tiles(
        [
            charts.Tile(
                "active sessions", m.get("active_sessions"), "", "na", f"{charts.fmt(m.get('new_sessions'))} new"
            ),
            charts.Tile(
                "tool-call success",
                m.get("tool_call_success_rate"),
                "%",
                "na",
                f"{charts.fmt(s.get('tool_calls'))} calls",
            ),
            charts.Tile("turn error rate", m.get("turn_error_rate"), "%", "na", f"{charts.fmt(s.get('turns'))} turns"),
            charts.Tile(
                "latency p95",
                lat.get("p95"),
                "ms",
                "na",
                f"p50 {charts.fmt(lat.get('p50'), 'ms')} · {charts.fmt(s.get('latency_ms'))} ok turns",
            ),
            charts.Tile(
                "cost per session",
                m.get("cost_per_session"),
                "$",
                "na",
                f"total {charts.fmt(m.get('total_cost_usd'), '$')}",
            ),
            charts.Tile("CSAT (4-5 of 5)", f.get("csat"), "%", "na", f"{charts.fmt(s.get('ratings'))} ratings"),
        ]
    )


def _against(b: dict[str, Any]) -> str:
    """Which days the day is compared with, and why (the decision's reference)."""
    if "first_day" not in b:
        return f"the {b['days']} days before"
    return f"{b['first_day']} to {b['last_day']} ({b['why']})"


def blocks(result: drill_mod.Drill, targets: dict[str, dict[str, Any]], tz: tzinfo) -> list[Any]:
    """What the drill-down draws for a result: title, headline tiles, comparisons, trend charts (the day
    is a calendar day of the zone `tz`, [reports] timezone)."""
    what = "the whole pilot" if result.scope is None else result.scope.label
    out: list[Any] = [
        charts.note(
            f"{result.day:%A %Y-%m-%d} ({zone_name(tz)}), {what}, against {_against(result.baseline)}",
            "na",
            "Drill-down",
        ),
        headline_tiles(result.metrics),
        widgets.comparison_table(result.comparisons),
    ]
    highlight = Window.day(result.day, tz=tz).start
    for metric, noun in TRENDS.items():
        title = f"{noun} per day, {what}"
        out.append(widgets.metric_trend(result.daily, metric, targets, tz=tz, highlight=highlight, title=title))
    return out


class DrillDown:
    """The controls (day, filter by, value) and the drawing area; `result` holds the numbers drawn last.

    Setting a control's value, as JupyterLab does when someone picks a day, draws again; so does
    `redraw()`. `headline()` is the metrics object shown in the tiles.
    """

    def __init__(self, ctx: Any, day: date) -> None:
        import ipywidgets as w

        self.ctx = ctx
        self.tz = ctx.config.report_zone
        first, last = activity_span(ctx.db)
        self.day = w.DatePicker(
            value=day,
            description="Day",
            min=local_day(first, self.tz) if first is not None else None,
            max=local_day(last, self.tz) if last is not None else None,
        )
        self.by = w.Dropdown(
            options=[("the whole pilot", WHOLE)] + [(b, b) for b in DIMENSIONS], value=WHOLE, description="Filter by"
        )
        self.value = w.Dropdown(options=[], description="Value", disabled=True)
        self.status = w.HTML()
        self.output = w.Output()
        self.widget = w.VBox([w.HBox([self.day, self.by, self.value]), self.status, self.output])
        self.result: drill_mod.Drill | None = None
        self.targets = {
            c.metric: {"pass": c.pass_threshold, "marginal": c.marginal_threshold} for c in ctx.config.criteria
        }
        self._dq: dict[date, quality.DataQuality] = {}
        self._quiet = False
        self.day.observe(self._changed, names="value")
        self.by.observe(self._changed, names="value")
        self.value.observe(self._changed, names="value")
        self._fill_values()
        self.redraw()

    # --- state
    @property
    def scope(self) -> Scope | None:
        return scope(self.by.value or None, self.value.value)

    def headline(self) -> dict[str, Any]:
        """The headline numbers drawn last (the metrics object of `launchkit metrics --json`)."""
        return dict(self.result.metrics) if self.result is not None else {}

    def _fill_values(self, keep: str | None = None) -> None:
        """The value list for the chosen dimension and day, busiest first; `keep` stays chosen (a value
        without activity that day says so), else the busiest is chosen."""
        by = self.by.value
        self._quiet = True
        try:
            if not by or self.day.value is None:
                self.value.options, self.value.disabled = [], True
                return
            rows = drill_mod.choices(self.ctx.db, self.day.value, self.tz)[by]
            opts = [(f"{v} ({n:,} session{'' if n == 1 else 's'})", v) for v, n in rows]
            if keep and keep not in {v for _, v in opts}:
                opts.append((f"{keep} (no activity this day)", keep))
            self.value.options = opts
            self.value.disabled = False
            self.value.value = keep if keep in {v for _, v in opts} else (opts[0][1] if opts else None)
        finally:
            self._quiet = False

    def _changed(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        if change.get("owner") is self.day:  # same dimension, another day: keep the value
            self._fill_values(keep=self.value.value)
        elif change.get("owner") is self.by:
            self._fill_values()
        self.redraw()

    # --- drawing
    def redraw(self) -> None:
        """Compute the day and scope chosen, and draw them (a problem is shown, never raised into the frontend)."""
        d = self.day.value
        if d is None:
            self.status.value = str(charts.note("pick a day", "watch").markup)
            return
        try:
            if d not in self._dq:
                self._dq[d] = quality.assess(self.ctx.db, Window.day(d, tz=self.tz), self.ctx.config)
            self.result = drill_mod.drill(self.ctx.db, d, self.ctx.config, self.scope, dq=self._dq[d])
        except LaunchkitError as exc:
            self.status.value = str(charts.note(str(exc), "breach", "Cannot draw this choice").markup)
            return
        self.status.value = ""
        self.output.outputs = ()
        for block in blocks(self.result, self.targets, self.tz):
            self.output.append_display_data(block)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)


def panel(ctx: Any, day: date, *, show: bool) -> DrillDown | None:
    """The debrief's drill-down for `day` when `show` (an interactive kernel), else None (nothing displayed)."""
    return DrillDown(ctx, day) if show else None
