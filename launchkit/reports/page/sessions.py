"""The debrief's session browser in JupyterLab: a comment or a failed tool call of the day opens its session's
timeline (turns, tool calls, errors, latency, feedback), without writing a query.

Kernel side, interactive only (ipywidgets, imported when a browser is built), like the drill-down: a rendered
report never builds one. launchkit.analytics.records computes the lists and the timeline.
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

import pandas as pd

from launchkit.analytics import records
from launchkit.reports.page import charts
from launchkit.reports.text import moment
from launchkit.window import Window

SNIPPET = 60  # characters of a comment shown in the picker


def _tenant(v: Any) -> str:
    return str(v) if isinstance(v, str) and v else "(unknown)"


def _choices(fb: pd.DataFrame, failed: pd.DataFrame, tz: tzinfo) -> list[tuple[str, str]]:
    """(label, session_id) for each comment, then each failed tool call, in time order within each."""
    out = []
    for r in fb.to_dict("records"):
        text = str(r["comment"])
        text = text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"
        when = moment(r["submitted_at"], tz)
        out.append((f"comment {when}, {_tenant(r['tenant_id'])}: {text}", str(r["session_id"])))
    for r in failed.to_dict("records"):
        what = f"{r['status']}" + (f", {r['error_type']}" if isinstance(r["error_type"], str) else "")
        when = moment(r["started_at"], tz)
        out.append((f"failed call {when}, {_tenant(r['tenant_id'])}: {r['tool_name']} ({what})", str(r["session_id"])))
    return out


class SessionBrowser:
    """A picker over the day's comments and failed tool calls; picking one draws its session's timeline.

    `choices` holds (label, session_id); the picker's value is the choice's position (two comments of one
    session are two choices). `timeline` is the frame drawn last.
    """

    def __init__(self, ctx: Any, day: date, *, redact: bool) -> None:
        import ipywidgets as w

        self.ctx, self.redact, self.tz = ctx, redact, ctx.config.report_zone
        window = Window.day(day, tz=self.tz)
        fb = records.feedback(ctx.db, window, redact=redact)
        self.choices = _choices(fb[fb["comment"].notna()], records.failed_calls(ctx.db, window), self.tz)
        self.pick = w.Dropdown(
            options=[("pick a comment or a failed tool call", None)]
            + [(lab, i) for i, (lab, _) in enumerate(self.choices)],
            value=None,
            description="Open",
            layout=w.Layout(width="95%"),
        )
        self.output = w.Output()
        self.timeline: pd.DataFrame | None = None
        self.widget = w.VBox([self.pick, self.output])
        self.pick.observe(lambda _: self.draw(), names="value")

    def draw(self) -> None:
        """Draw the chosen session's timeline (nothing chosen: nothing drawn)."""
        self.output.outputs = ()
        if self.pick.value is None:
            self.timeline = None
            return
        session = self.choices[self.pick.value][1]
        self.timeline = records.session_timeline(self.ctx.db, session, redact=self.redact)
        self.output.append_display_data(
            charts.table(
                self.timeline,
                units={"duration_ms": "ms", "cost_usd": "$"},
                caption=f"Session {session}: every turn, tool call and piece of feedback, in time order",
                empty="no events recorded for this session",
                tz=self.tz,
            )
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)


def browser(ctx: Any, day: date, *, redact: bool, show: bool) -> SessionBrowser | None:
    """The day's session browser when `show` (an interactive kernel), else None (nothing displayed)."""
    return SessionBrowser(ctx, day, redact=redact) if show else None
