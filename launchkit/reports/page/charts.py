"""Charts for the reports: one look, readable by someone who did not build them.

Every chart has a title saying what it shows, axis titles with units, and the threshold it is
judged against drawn on it (a dashed line with its value). Importing this module registers the
plotly template `launchkit` and makes it the default; a figure
shown in a notebook (a `Chart`) carries two outputs: plotly's JSON (JupyterLab draws it
interactively) and an HTML <div> that draws it with plotly.js. The rendered report includes
plotly.js once, offline.
(Since plotly 6.1 the default notebook output is JSON only, which nbconvert drops: charts would
silently vanish from the HTML.)

Chart labels from data are escaped (launchkit.reports.html.safe). The HTML blocks (tiles, tables,
notes, badges) are launchkit.reports.page.blocks; this module re-exports them, with the number
formats of launchkit.reports.text, so a notebook imports one module for the report's look.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from launchkit.reports.html import esc as esc
from launchkit.reports.html import safe as safe
from launchkit.reports.page.blocks import BREACH as BREACH
from launchkit.reports.page.blocks import NEUTRAL as NEUTRAL
from launchkit.reports.page.blocks import OK as OK
from launchkit.reports.page.blocks import STATUS_COLOURS as STATUS_COLOURS
from launchkit.reports.page.blocks import WARN as WARN
from launchkit.reports.page.blocks import HTMLBlock as HTMLBlock
from launchkit.reports.page.blocks import Tile as Tile
from launchkit.reports.page.blocks import badge as badge
from launchkit.reports.page.blocks import bullets as bullets
from launchkit.reports.page.blocks import download as download
from launchkit.reports.page.blocks import note as note
from launchkit.reports.page.blocks import status_of as status_of
from launchkit.reports.page.blocks import style as style
from launchkit.reports.page.blocks import table as table
from launchkit.reports.page.blocks import tiles as tiles
from launchkit.reports.style import STYLE_CSS as STYLE_CSS
from launchkit.reports.text import fmt as fmt
from launchkit.reports.text import missing as _missing
from launchkit.reports.text import moment as moment
from launchkit.reports.text import on_clock
from launchkit.reports.text import plural as plural
from launchkit.reports.text import time_axis as time_axis

# Colours: a colour-blind safe palette (Okabe-Ito); the status colours are blocks'.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
THRESHOLD = "#cf222e"
HEIGHT = 340


_template = go.layout.Template(pio.templates["plotly_white"])
_template.layout.update(
    font=dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=13, color="#1f2328"),
    title=dict(x=0.0, xanchor="left", font=dict(size=16)),
    colorway=PALETTE,
    margin=dict(l=70, r=30, t=70, b=60),
    height=HEIGHT,
    hovermode="x unified",
    legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0, title_text=""),
)
pio.templates["launchkit"] = _template
pio.templates.default = "launchkit"


class Chart:
    """A plotly figure as a report shows it: plotly's JSON (JupyterLab draws it interactively) plus an
    HTML div that the rendered report draws with the page's plotly.js. `.fig` is the plotly Figure."""

    def __init__(self, fig: go.Figure) -> None:
        self.fig = fig

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return mimebundle(self.fig)

    def __repr__(self) -> str:
        title = self.fig.layout.title.text or "chart"
        return f"<launchkit chart: {html.unescape(str(title))}>"


def mimebundle(fig: go.Figure) -> dict[str, Any]:
    """Plotly JSON plus a <div> drawn by plotly.js (no plotly.js in it: the report page has it once).

    Built without plotly.io's renderers on purpose: they import nbformat and jsonschema, which
    costs a notebook kernel seconds per report.
    """
    from plotly.io._html import to_html
    from plotly.io._json import to_json

    payload = to_json(fig, validate=False, remove_uids=False)
    div_id = "lk-" + hashlib.sha1(payload.encode()).hexdigest()[:12]
    div = to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        validate=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
        default_height=f"{HEIGHT}px",
    )
    return {"application/vnd.plotly.v1+json": json.loads(payload), "text/html": div}


def show(fig: go.Figure) -> Chart:
    """Wrap any plotly figure (an analyst's own) so it shows in the report like the others."""
    return Chart(fig)


# ---------------------------------------------------------------------------------------------
# figures


def _axis_title(label: str, unit: str) -> str:
    return f"{label} ({unit})" if unit else label


def _scale(values: pd.Series, unit: str) -> pd.Series:
    return values * 100 if unit == "%" else values


def _line(fig: go.Figure, value: float | None, unit: str, label: str, colour: str, axis: str, position: str) -> None:
    if value is None or _missing(value):
        return
    v = value * 100 if unit == "%" else value
    text = f"{safe(label)}: {safe(fmt(value, unit))}"
    style = dict(color=colour, dash="dash", width=2)
    if axis == "y":
        fig.add_hline(y=v, line=style, annotation_text=text, annotation_position=position, annotation_font_color=colour)
    else:
        fig.add_vline(x=v, line=style, annotation_text=text, annotation_position=position, annotation_font_color=colour)


def _thresholds(
    fig: go.Figure,
    unit: str,
    *,
    target: float | None = None,
    threshold: float | None = None,
    target_label: str = "GA target",
    threshold_label: str = "fail line",
    axis: str = "y",
) -> None:
    """Draw the pass target (green) and the fail threshold (red); one red line when they coincide."""
    if target is not None and threshold is not None and not _missing(target) and target == threshold:
        _line(
            fig,
            threshold,
            unit,
            threshold_label.replace("fail line", "threshold"),
            THRESHOLD,
            axis,
            "top left" if axis == "y" else "top right",
        )
        return
    # each label on the outer side of its line, so two close lines keep their labels apart
    target_low = target is not None and threshold is not None and target < threshold
    if axis == "y":
        t_pos, f_pos = ("bottom left", "top left") if target_low else ("top left", "bottom left")
    else:
        t_pos, f_pos = "top right", "bottom right"
    _line(fig, target, unit, target_label, OK, axis, t_pos)
    _line(fig, threshold, unit, threshold_label, THRESHOLD, axis, f_pos)


def _hover_format(unit: str) -> str:
    return {"%": ".1f", "$": ",.4f", "ms": ",.0f"}.get(unit, ",.2f")


def _title(title: str, subtitle: str | None = None) -> dict[str, Any]:
    """A chart's title, its subtitle below at 13 px (a <sup> would print under 9 pt)."""
    text = safe(title)
    if subtitle:
        text += f'<br><span style="font-size:13px">{safe(subtitle)}</span>'
    return dict(text=text)


def trend(
    df: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    *,
    title: str,
    tz: tzinfo,
    unit: str = "",
    y_label: str | None = None,
    threshold: float | None = None,
    threshold_label: str = "fail line",
    target: float | None = None,
    target_label: str = "GA target",
    highlight: Any = None,
    names: Mapping[str, str] | None = None,
    subtitle: str | None = None,
    x_label: str | None = None,
    mode: str = "lines+markers",
) -> Chart:
    """A line over time (one or several series); target (green) and threshold (red) dashed; `highlight` x dotted.

    Instants are drawn on `tz`'s clock (the report's zone); x_label defaults to 'time (zone)'."""
    x_label = x_label or time_axis("time", tz)
    ys = [y] if isinstance(y, str) else list(y)
    fig = go.Figure()
    xs = on_clock(df[x], tz) if len(df) else []
    for col in ys:
        name = (names or {}).get(col, col)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=_scale(df[col], unit) if len(df) else [],
                name=safe(name),
                mode=mode,
                connectgaps=False,
                hovertemplate=f"%{{y:{_hover_format(unit)}}}{' ' + unit if unit else ''}<extra>{safe(name)}</extra>",
            )
        )
    _thresholds(
        fig, unit, target=target, threshold=threshold, target_label=target_label, threshold_label=threshold_label
    )
    if highlight is not None and len(df):
        fig.add_vline(x=on_clock(highlight, tz), line=dict(color=NEUTRAL, width=1, dash="dot"))
    fig.update_layout(
        title=_title(title, subtitle),
        showlegend=len(ys) > 1,
        xaxis_title=x_label,
        yaxis_title=_axis_title(y_label or (ys[0] if len(ys) == 1 else "value"), unit),
    )
    if unit == "%":
        fig.update_yaxes(ticksuffix=" %")  # rates near 100 %: autorange (thresholds included), not from 0
    else:
        fig.update_yaxes(rangemode="tozero")
    if x_label.startswith("day"):
        fig.update_xaxes(tickformat="%b %d", dtick=86400000)
    if not len(df):
        _empty(fig)
    return Chart(fig)


def bars(
    df: pd.DataFrame,
    category: str,
    value: str,
    *,
    title: str,
    unit: str = "",
    value_label: str | None = None,
    threshold: float | None = None,
    threshold_label: str = "fail line",
    target: float | None = None,
    target_label: str = "GA target",
    direction: str | None = None,
    horizontal: bool = True,
    subtitle: str | None = None,
    color: str | None = None,
    samples: str | None = None,
    min_sample: int | None = None,
    sample_noun: str = "observation",
) -> Chart:
    """Bars per category (tool, tenant, model...); coloured red/green when judged against a threshold.

    With `samples` (the column counting each bar's observations) and `min_sample`, a bar with fewer
    observations is grey (low sample) whatever its value, and the subtitle says so.
    """
    d = df.dropna(subset=[value]) if len(df) else df
    cats = [safe(c) for c in d[category]] if len(d) else []
    vals = list(_scale(d[value], unit)) if len(d) else []
    if direction and (threshold is not None or target is not None):
        colours = [STATUS_COLOURS[status_of(v, threshold, direction, target)] for v in (d[value] if len(d) else [])]
    else:
        colours = [color or PALETTE[0]] * len(vals)
    if samples is not None and min_sample and len(d):
        low = [not (n >= min_sample) for n in d[samples]]  # a missing count is low too
        colours = [STATUS_COLOURS["low-sample"] if is_low else c for c, is_low in zip(colours, low)]
        if any(low) and subtitle is None:
            subtitle = f"grey: low sample, fewer than {plural(min_sample, sample_noun)}: too few to judge"
    label = _axis_title(value_label or value, unit)
    hover = f"%{{{'x' if horizontal else 'y'}:{_hover_format(unit)}}}{' ' + unit if unit else ''}<extra></extra>"
    if horizontal:
        fig = go.Figure(go.Bar(y=cats, x=vals, orientation="h", marker_color=colours, hovertemplate=hover))
        fig.update_layout(
            xaxis_title=label, yaxis_title=safe(category), hovermode="closest", height=max(HEIGHT, 60 + 28 * len(cats))
        )
        fig.update_yaxes(autorange="reversed", type="category")
        _thresholds(
            fig,
            unit,
            target=target,
            threshold=threshold,
            target_label=target_label,
            threshold_label=threshold_label,
            axis="x",
        )
    else:
        fig = go.Figure(go.Bar(x=cats, y=vals, marker_color=colours, hovertemplate=hover))
        fig.update_layout(yaxis_title=label, xaxis_title=safe(category), hovermode="closest")
        fig.update_xaxes(type="category")
        _thresholds(
            fig, unit, target=target, threshold=threshold, target_label=target_label, threshold_label=threshold_label
        )
    fig.update_layout(title=_title(title, subtitle), showlegend=False)
    if not len(d):
        _empty(fig)
    return Chart(fig)


def stacked(
    df: pd.DataFrame,
    x: str,
    stack: str,
    value: str,
    *,
    title: str,
    tz: tzinfo,
    unit: str = "",
    value_label: str | None = None,
    subtitle: str | None = None,
    x_label: str | None = None,
) -> Chart:
    """Stacked bars of `value` over `x`, one colour per `stack` value (e.g. spend per day by vendor);
    x_label defaults to 'day (zone)', the days being `tz`'s."""
    x_label = x_label or time_axis("day", tz)
    fig = go.Figure()
    if len(df):
        for key, part in df.groupby(stack, sort=True, dropna=False):
            name = "(none)" if _missing(key) else str(key)
            fig.add_trace(
                go.Bar(
                    x=part[x],
                    y=_scale(part[value], unit),
                    name=safe(name),
                    hovertemplate=f"%{{y:{_hover_format(unit)}}}<extra>{safe(name)}</extra>",
                )
            )
    fig.update_layout(
        barmode="stack",
        title=_title(title, subtitle),
        xaxis_title=x_label,
        yaxis_title=_axis_title(value_label or value, unit),
    )
    if not len(df):
        _empty(fig)
    return Chart(fig)


def cumulative(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    tz: tzinfo,
    unit: str = "$",
    y_label: str = "spend",
    budget: float | None = None,
    forecast: Mapping[str, Any] | None = None,
    subtitle: str | None = None,
) -> Chart:
    """Cumulative spend with the budget line and a forecast (point and interval) to a future date.

    forecast: {"x": [dates], "y": [...], "low": [...], "high": [...], "label": "..."}.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=df[x] if len(df) else [], y=df[y] if len(df) else [], name="spent", mode="lines+markers")
    )
    if forecast and forecast.get("x"):
        fx = list(forecast["x"])
        if forecast.get("low") is not None and forecast.get("high") is not None:  # band first, line on top
            fig.add_trace(
                go.Scatter(
                    x=fx + fx[::-1],
                    y=list(forecast["high"]) + list(forecast["low"])[::-1],
                    fill="toself",
                    fillcolor="rgba(0,114,178,0.15)",
                    line=dict(width=0),
                    name=safe(forecast.get("interval_label", "forecast interval")),
                    hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=fx,
                y=forecast["y"],
                name=safe(forecast.get("label", "forecast")),
                mode="lines",
                line=dict(dash="dot", color=PALETTE[0]),
            )
        )
    _line(fig, budget, unit, "budget", THRESHOLD, "y", "top left")
    fig.update_layout(
        title=_title(title, subtitle), xaxis_title=time_axis("day", tz), yaxis_title=_axis_title(y_label, "$")
    )
    fig.update_yaxes(rangemode="tozero", tickprefix="$")
    if not len(df):
        _empty(fig)
    return Chart(fig)


def burn(daily: pd.DataFrame, burn: Mapping[str, Any], *, title: str, tz: tzinfo, subtitle: str | None = None) -> Chart:
    """Cumulative spend per day (finance.daily_spend), the budget, and finance.burn's forecast drawn
    from the last observed day to the pilot's end as a dotted line inside its interval band."""

    d = daily.copy()
    if len(d):
        d["day"] = pd.to_datetime(d["day"]).dt.date
        # unpriced spend is unknown, not $0: from the first day with unpriced turns the total is unknown
        if "priced_turns" in d:
            d["spent"] = d["cost_usd"].fillna(0).cumsum().mask((d["priced_turns"] < d["turns"]).cummax())
        else:
            d["spent"] = d["cost_usd"].fillna(0).cumsum()
        d = d[d["day"] <= pd.Timestamp(burn["as_of"]).date()] if "as_of" in burn else d
    fc = burn.get("forecast_total_usd") or {}
    end = (burn.get("pilot") or {}).get("end")
    forecast: dict[str, Any] | None = None
    if len(d) and fc.get("estimate") is not None and end is not None:
        last_day = d["day"].iloc[-1]
        end_day = pd.Timestamp(end).date()
        if end_day > last_day:
            spent = float(d["spent"].iloc[-1])
            forecast = {
                "x": [last_day, end_day],
                "y": [spent, fc["estimate"]],
                "label": f"forecast to {end_day.isoformat()}",
                "interval_label": f"{int(round((fc.get('level') or 0.95) * 100))} % interval",
            }
            if fc.get("low") is not None and fc.get("high") is not None:
                forecast["low"] = [spent, fc["low"]]
                forecast["high"] = [spent, fc["high"]]
    return cumulative(
        d,
        "day",
        "spent",
        title=title,
        tz=tz,
        budget=burn.get("budget_usd"),
        forecast=forecast,
        subtitle=subtitle,
        y_label="cumulative spend",
    )


def histogram(
    values: Sequence[Any], *, title: str, categories: Sequence[Any], x_label: str, subtitle: str | None = None
) -> Chart:
    """Counts per category in a fixed order (e.g. ratings 1-5), so empty categories still show."""
    counts = pd.Series(list(values)).value_counts()
    ys = [int(counts.get(c, 0)) for c in categories]
    fig = go.Figure(
        go.Bar(
            x=[safe(c) for c in categories],
            y=ys,
            marker_color=PALETTE[0],
            hovertemplate="%{y} responses<extra></extra>",
        )
    )
    fig.update_layout(
        title=_title(title, subtitle), xaxis_title=x_label, yaxis_title="responses (count)", hovermode="closest"
    )
    fig.update_xaxes(type="category")
    return Chart(fig)


def timeline(
    df: pd.DataFrame,
    *,
    label: str,
    start: str,
    end: str,
    title: str,
    tz: tzinfo,
    color: str | None = None,
    end_label: str = "resolved",
    now: Any = None,
    subtitle: str | None = None,
) -> Chart:
    """Horizontal bars from start to end (an incident from opened to resolved), on `tz`'s clock; open ones run
    to `now`."""
    fig = go.Figure()
    if len(df):
        d = df.copy()
        d["_end"] = d[end].where(d[end].notna(), now if now is not None else d[start])
        d["_open"] = d[end].isna()
        for _, r in d.iterrows():
            name = safe(r[label])
            colour = STATUS_COLOURS.get(str(r[color]).lower(), PALETTE[0]) if color else PALETTE[0]
            fig.add_trace(
                go.Scatter(
                    x=[on_clock(r[start], tz), on_clock(r["_end"], tz)],
                    y=[name, name],
                    mode="lines+markers",
                    line=dict(width=10, color=BREACH if r["_open"] else colour),
                    marker=dict(size=10),
                    name=name,
                    hovertemplate=f"{name}<br>%{{x}}<extra>{'still open' if r['_open'] else safe(end_label)}</extra>",
                )
            )
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_layout(height=max(HEIGHT, 80 + 40 * len(d)))
    fig.update_layout(
        title=_title(title, subtitle), showlegend=False, xaxis_title=time_axis("time", tz), hovermode="closest"
    )
    if not len(df):
        _empty(fig)
    return Chart(fig)


def _empty(fig: go.Figure, text: str = "no data in this period") -> None:
    fig.add_annotation(
        text=text, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font=dict(size=14, color=NEUTRAL)
    )
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
