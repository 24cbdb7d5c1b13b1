"""The report widgets: tables, tiles and blocks built from analytics results, escaped, one look.

Runs in the notebook kernel. Every widget returns a charts.HTMLBlock (or Chart) that JupyterLab and
the rendered report both show; data text is escaped by launchkit.reports.html.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

import pandas as pd

from launchkit.catalogue import check_name, display_name
from launchkit.catalogue import unit as unit_of
from launchkit.reports.page import charts
from launchkit.reports.text import STATE_LABELS


def _display(v: Mapping[str, Any]) -> str:
    """A verdict row's name as its reader says it (catalogue.check_name)."""
    return check_name(str(v.get("check") or v.get("name") or ""), v.get("metric"))


def verdict_table(verdicts: Sequence[Mapping[str, Any]]) -> Any:
    """Checks or criteria as an escaped table: value with interval and n, thresholds, status badge."""
    rows = []
    for v in verdicts:
        unit = v.get("unit") or unit_of(v.get("metric", ""))
        iv = v.get("interval") or {}
        interval = _interval_text(iv, unit)
        op = "≥" if v.get("direction") == "higher" else "≤"
        rows.append(
            {
                "what": _display(v),
                "value": charts.fmt(v.get("value"), unit),
                "95 % interval": interval,
                "n": charts.fmt(v.get("n")),
                "target": f"{op} {charts.fmt(v.get('pass'), unit)}" if v.get("pass") is not None else "—",
                "fail line": f"{'<' if op == '≥' else '>'} {charts.fmt(v.get('marginal'), unit)}"
                if v.get("marginal") is not None
                else "—",
                "status": _STATUS_LABEL.get(str(v.get("status")), v.get("status")) or v.get("verdict") or "na",
                "note": v.get("note") or "",
            }
        )
    return charts.table(pd.DataFrame(rows), status={"status": lambda s: _status_colour(s)}, empty="no checks", tz=None)


# statuses as a table or tile shows them (the JSON summary keeps the status itself)
_STATUS_LABEL = STATE_LABELS


_REC_STATUS = {"EXPAND": "ok", "HOLD": "watch", "ROLLBACK": "breach", "GO": "ok", "NO-GO": "breach"}


def recommendation(d: Mapping[str, Any]) -> Any:
    """A decision's recommendation as a coloured block with its reasons and the data still needed."""
    rec = str(d.get("recommendation"))
    reasons = list(dict.fromkeys(r.get("message", "") for r in d.get("reasons", [])))  # one culprit, said once
    needed = [_needed_text(n) for n in d.get("data_needed", []) if isinstance(n, dict)]
    colour = charts.STATUS_COLOURS.get(_REC_STATUS.get(rec, "na"), charts.NEUTRAL)
    body = (
        f'<div class="lk-note" style="border-left-color:{colour}">'
        f'<div style="font-size:22px;font-weight:700">{charts.badge(rec, _REC_STATUS.get(rec, "na"))}</div>'
        f"<p>{'GA-ready by the criteria' if d.get('ga_ready') else 'Not GA-ready by the criteria'}; "
        f"data {'sufficient' if d.get('data_sufficient') else 'insufficient'} to compare the day with its baseline.</p>"
        f"<strong>Reasons</strong>{charts.bullets(reasons, 'no regression and every critical criterion passes').markup}"
    )
    if needed:
        body += f"<strong>Data still needed</strong>{charts.bullets(needed).markup}"
    body += "</div>"
    text = f"{rec}\n" + "\n".join(f"- {r}" for r in reasons)
    return charts.HTMLBlock(body, text)


def _needed_text(n: Mapping[str, Any]) -> str:
    """One 'data still needed' entry (decision.data_needed) in words."""
    name = n.get("criterion") or n.get("metric")
    have = n.get("have", n.get("n"))
    where = "in its window" if n.get("criterion") else "on the day"
    text = f"{name}: {charts.plural(have if have is not None else 0, 'observation')} {where}, need {charts.fmt(n.get('need'))}"
    if n.get("days_to_pool"):
        text += f" (about {n['days_to_pool']} days pooled)"
    if n.get("n_to_detect_min_effect"):
        text += f"; {n['n_to_detect_min_effect']:,} to detect the minimum effect"
    return text


def comparison_table(comparisons: Sequence[Mapping[str, Any]]) -> Any:
    """The day-vs-baseline comparisons as an escaped table."""
    rows = []
    for c in comparisons:
        unit = unit_of(c["metric"])
        effect = c.get("effect")
        if effect is None:
            eff = "—"
        elif c.get("effect_name") == "difference":
            eff = f"{effect * 100:+.1f} points"
        else:
            eff = f"× {effect:.2f}"
        rows.append(
            {
                "metric": display_name(c["metric"]),
                "day": charts.fmt(c.get("day_value"), unit),
                "baseline": charts.fmt(c.get("baseline_value"), unit),
                "change": eff,
                "n (day / baseline)": f"{charts.fmt(c.get('n_day'))} / {charts.fmt(c.get('n_baseline'))}",
                "test": c.get("test") or "—",
                "p": "—" if c.get("p_value") is None else f"{c['p_value']:.3g}",
                "status": c.get("status"),
            }
        )
    status = {
        "regressed": "breach",
        "watch": "watch",
        "improved": "ok",
        "no change": "na",
        "insufficient data": "watch",
        "untrusted data": "watch",
    }
    return charts.table(
        pd.DataFrame(rows), status={"status": lambda v: status.get(str(v), "na")}, empty="no comparisons", tz=None
    )


def _interval_text(iv: Mapping[str, Any] | None, unit: str) -> str:
    """'low to high' with units; an open end (too few observations to bound it) says so."""
    if not iv:
        return "—"
    low, high = iv.get("low"), iv.get("high")
    if low is None and high is None:
        return "—"
    lo = "unbounded" if low is None else charts.fmt(low, unit)
    hi = "unbounded" if high is None else charts.fmt(high, unit)
    if lo.endswith("unbounded") and hi == "unbounded":
        return "unbounded (too few observations)"
    return f"{lo} to {hi}"


def _status_colour(s: Any) -> str:
    t = str(s).strip().lower()
    return {
        "pass": "ok",
        "fail": "breach",
        "marginal": "watch",
        "insufficient data": "na",
        "untrusted data": "watch",
        "low sample": "low-sample",
    }.get(t, t)


def quality_table(dq: Mapping[str, Any]) -> Any:
    """The data-quality gates as an escaped table (value, counts, threshold, ok)."""
    rows = [
        {
            "gate": name,
            "coverage": g.get("value"),
            "numerator": g.get("numerator"),
            "denominator": g.get("denominator"),
            "threshold": g.get("threshold"),
            "status": "ok" if g.get("ok") else ("breach" if g.get("ok") is False else "na"),
        }
        for name, g in (dq.get("gates") or {}).items()
    ]
    extra = []
    if dq.get("gap_hours"):
        extra.append(f"hours expected to have data but without any: {', '.join(map(str, dq['gap_hours']))}")
    if dq.get("rejected_rows"):
        extra.append(f"{dq['rejected_rows']} input rows rejected in this period (launchkit status shows why)")
    extra.extend(str(f["message"]) for f in dq.get("findings") or [])
    tbl = charts.table(
        pd.DataFrame(rows),
        units={"coverage": "%", "threshold": "%"},
        status={"status": "auto"},
        empty="no data-quality gates",
        tz=None,
    )
    if not extra:
        return tbl
    return charts.HTMLBlock(tbl.markup + charts.bullets(extra).markup, tbl.text + "\n" + "\n".join(extra))


def checklist_table(items: Sequence[Mapping[str, Any]]) -> Any:
    """The checklist as an escaped table; evidence shown as a link only for http(s) URLs."""
    if not items:
        return charts.HTMLBlock('<p class="lk-muted">no items</p>', "no items")
    rows = []
    for i in items:
        ev = str(i.get("evidence") or "")
        if ev.lower().startswith(("https://", "http://")):
            ev_html = f'<a href="{charts.esc(ev)}" rel="noopener noreferrer">{charts.esc(ev)}</a>'
        else:
            ev_html = charts.esc(ev)
        rows.append(
            f"<tr><td>{charts.esc(i['phase'])}</td><td>{charts.esc(i['title'])}</td><td>{charts.esc(i['owner'])}</td>"
            f"<td>{charts.badge(i['status'], {'done': 'ok', 'n/a': 'na', 'pending': 'watch'}.get(i['status'], 'breach'))}</td>"
            f"<td>{ev_html}</td><td>{charts.esc(i.get('note', ''))}</td></tr>"
        )
    head = "<tr><th>phase</th><th>item</th><th>owner</th><th>status</th><th>evidence</th><th>note</th></tr>"
    text = "\n".join(f"[{i['status']}] {i['title']} ({i['owner']})" for i in items)
    return charts.HTMLBlock(
        f'<table class="lk-table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>', text
    )


# ---------------------------------------------------------------------------------------------
# trends against their targets, and the hour's tiles

# catalogue metric -> (timeseries columns, their names in the legend, y-axis label, title's noun)
_TRENDS: dict[str, tuple[tuple[str, ...], dict[str, str], str, str]] = {
    "tool_call_success_rate": (("tool_call_success_rate",), {}, "tool calls with status ok", "Tool-call success rate"),
    "turn_error_rate": (("turn_error_rate",), {}, "turns with status error", "Turn error rate"),
    "latency_p95_ms": (
        ("latency_p50", "latency_p95"),
        {"latency_p50": "p50", "latency_p95": "p95"},
        "latency",
        "Turn latency (ok turns)",
    ),
    "cost_per_session": (("cost_per_session",), {}, "cost per session", "Cost per active session"),
}
TREND_METRICS = tuple(_TRENDS)


def metric_trend(
    series: pd.DataFrame,
    metric: str,
    targets: Mapping[str, Mapping[str, Any]],
    *,
    tz: tzinfo,
    grain: str = "day",
    highlight: Any = None,
    columns: Sequence[str] | None = None,
    title: str | None = None,
) -> charts.Chart:
    """A catalogue metric per hour or day (metrics.timeseries) against its criterion's target and fail line,
    on `tz`'s clock (the report's zone).

    `targets` maps a catalogue metric to its criterion (anything with "pass" and "marginal"), as the
    readiness, decision and hourly checks give them.
    """
    cols, names, y_label, noun = _TRENDS[metric]
    t = targets.get(metric, {})
    return charts.trend(
        series,
        "bucket",
        list(columns or cols),
        title=title or f"{noun} per {grain}",
        tz=tz,
        unit=unit_of(metric),
        y_label=y_label,
        names=names or None,
        target=t.get("pass"),
        threshold=t.get("marginal"),
        highlight=highlight,
        x_label=charts.time_axis("day" if grain == "day" else "time", tz),
    )


def note_tiles(items: Sequence[Any]) -> charts.HTMLBlock:
    """launchkit.analytics.headlines tiles whose note is their whole second line (the hour's tiles,
    the cost report's figures): the colour is the tile's state (its verdict's), and a state that is
    no colour (no data, data not trusted) says so; low sample is in the note already."""
    out = []
    for t in items:
        words = _STATE_WORDS.get(t.state) if t.state != "low-sample" else None
        out.append(charts.Tile(t.label, t.value, t.unit, t.state, "; ".join(p for p in (t.note, words) if p)))
    return charts.tiles(out)


_STATE_WORDS = {s: STATE_LABELS[s] for s in ("low-sample", "no-data", "untrusted")}  # the states no colour says


def headline_tiles(
    tiles: Sequence[Any], subs: Mapping[str, str] | None = None, extra: Sequence[charts.Tile] = ()
) -> Any:
    """launchkit.analytics.headlines tiles drawn: the colour is the tile's state (a criterion's verdict),
    and the line under the value says the window, the sample and any state that is not a colour;
    `subs` adds a line of the report's own to a tile (by key); `extra` tiles follow (figures, na)."""
    out = []
    for t in tiles:
        parts = [t.window]
        if t.n is not None and t.n_of:
            parts.append(charts.plural(t.n, t.n_of.split()[0]) + t.n_of[len(t.n_of.split()[0]) :])
        if t.state in _STATE_WORDS:
            parts.append(_STATE_WORDS[t.state])
        parts += [x for x in (t.note, (subs or {}).get(t.key, "")) if x]
        out.append(charts.Tile(t.label, t.value, t.unit, t.state, "; ".join(parts)))
    return charts.tiles([*out, *extra])
