"""HTML blocks for the reports: tiles, tables, notes, badges, lists and "download CSV" links, one look.

Kernel side. Every piece of data text is escaped (launchkit.reports.html); a block displays as
text/html in JupyterLab and in the rendered report. The status colours live here: a tile, a badge
and a chart's bar say "breach" in the same red.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from launchkit.catalogue import display_name
from launchkit.reports.files.sheets import BOM, csv_text
from launchkit.reports.html import esc
from launchkit.reports.style import BREACH, NEUTRAL, OK, STYLE_CSS, WARN
from launchkit.reports.text import ZoneMissing, column_unit, fmt, moment, plural
from launchkit.reports.text import missing as _missing

# Status colours: OK, BREACH, WARN and NEUTRAL are launchkit.reports.style's (the index uses them too)

STATUS_COLOURS = {
    "ok": OK,
    "pass": OK,
    "go": OK,
    "expand": OK,
    "breach": BREACH,
    "fail": BREACH,
    "no-go": BREACH,
    "rollback": BREACH,
    "blocked": BREACH,
    "warn": WARN,
    "watch": WARN,
    "marginal": WARN,
    "hold": WARN,
    "pending": WARN,
    "na": NEUTRAL,
    "low-sample": NEUTRAL,  # fewer observations than the criterion's min_sample: neither good nor bad
}


class HTMLBlock:
    """Raw HTML built by this module from escaped parts; displays as text/html in Jupyter."""

    def __init__(self, markup: str, text: str = "") -> None:
        self.markup = markup
        self.text = text

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.text or "<launchkit html block>"


def style() -> HTMLBlock:
    """The CSS of tiles, badges and tables (the rendered report includes it once)."""
    return HTMLBlock(STYLE_CSS, "")


def status_of(value: Any, threshold: float | None, direction: str, target: float | None = None) -> str:
    """'ok', 'watch', 'breach' or 'na' for a value judged against a fail threshold and a target.

    direction: 'min' / 'higher' (higher is better) or 'max' / 'lower'.
    """
    if _missing(value) or (threshold is None and target is None):
        return "na"
    lower_better = direction in ("max", "lower")

    def good(limit: float) -> bool:
        return value <= limit if lower_better else value >= limit

    if threshold is not None and not good(threshold):
        return "breach"
    if target is not None and not good(target):
        return "watch" if threshold is not None else "breach"
    return "ok"


@dataclass
class Tile:
    """One headline number: label, value with unit, a status colour and a line of context."""

    label: str
    value: Any
    unit: str = ""
    status: str = "na"
    sub: str = ""
    digits: int | None = None


def tiles(items: Sequence[Tile]) -> HTMLBlock:
    parts = []
    texts = []
    for t in items:
        colour = STATUS_COLOURS.get(t.status, NEUTRAL)
        value = fmt(t.value, t.unit, t.digits)
        parts.append(
            f'<div class="lk-tile" style="border-left-color:{colour}" data-status="{esc(t.status)}">'
            f'<div class="lk-label">{esc(t.label)}</div><div class="lk-value">{esc(value)}</div>'
            f'<div class="lk-sub">{esc(t.sub)}</div></div>'
        )
        texts.append(f"{t.label}: {value}" + (f" ({t.sub})" if t.sub else ""))
    return HTMLBlock('<div class="lk-tiles">' + "".join(parts) + "</div>", "\n".join(texts))


_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def _breakable(text: str) -> str:
    """Escaped text that may wrap after an underscore (tool_success, open_major_incidents) but never
    inside a date: a narrow column, e.g. on a printed page, breaks there rather than anywhere."""
    marked = esc(text).replace("_", "_<wbr>")
    return _DATE.sub(lambda m: f'<span class="lk-nowrap">{m.group(0)}</span>', marked)


def badge(text: str, status: str) -> str:
    """An escaped coloured label (HTML string) for a verdict or status."""
    colour = STATUS_COLOURS.get(status, NEUTRAL)
    return f'<span class="lk-badge" style="background:{colour}">{esc(text)}</span>'


def note(text: str, status: str = "na", title: str | None = None) -> HTMLBlock:
    """A highlighted paragraph of (escaped) text, e.g. a recommendation or 'no data in this hour'."""
    colour = STATUS_COLOURS.get(status, NEUTRAL)
    head = f"<strong>{esc(title)}</strong><br>" if title else ""
    return HTMLBlock(
        f'<div class="lk-note" style="border-left-color:{colour}">{head}{esc(text)}</div>',
        (f"{title}: " if title else "") + text,
    )


def bullets(items: Iterable[Any], empty: str = "none") -> HTMLBlock:
    items = [str(i) for i in items]
    if not items:
        return HTMLBlock(f'<p class="lk-muted">{esc(empty)}</p>', empty)
    return HTMLBlock(
        "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>", "\n".join(f"- {i}" for i in items)
    )


def _text(v: Any, tz: tzinfo | None) -> str:
    """A cell's text: a time on `tz`'s clock (text.moment), anything else by text.fmt."""
    if isinstance(v, (datetime, pd.Timestamp)) and not _missing(v):
        if tz is None:
            raise ZoneMissing(f"a table said to hold no times (tz=None) holds the time {v}")
        return moment(v, tz)
    return fmt(v)


def table(
    df: pd.DataFrame,
    *,
    tz: tzinfo | None,
    units: Mapping[str, str] | None = None,
    digits: Mapping[str, int] | None = None,
    status: Mapping[str, Any] | None = None,
    empty: str = "no rows",
    max_rows: int = 200,
    caption: str | None = None,
    download: str | None = None,
) -> HTMLBlock:
    """An HTML table with every cell escaped and numbers formatted per column unit ('%', '$', 'ms'...).

    A column without a unit in `units` takes the one its name implies (text.column_unit: *_usd is
    money, *_rate a share, *_pct a share in percent, *_ms milliseconds), so money, percentages and
    booleans (yes / no) read alike in every table. A column named for a catalogue metric is headed by its
    display name (no table says tool_call_success_rate). `status` maps a column holding 'ok'/'breach'/'na'
    style values to show as coloured badges. `download="name.csv"` adds a "download CSV" link
    holding every row (not only the shown ones) with raw values (see download()). Times are shown on
    `tz`'s clock ([reports] timezone, the notebook's ctx.tz); `tz=None` says the table holds no times,
    and a time in it then is an error (text.ZoneMissing), never UTC by default.
    """
    digits = dict(digits or {})
    status = dict(status or {})
    if df is None or len(df) == 0:
        return HTMLBlock(f'<p class="lk-muted">{esc(empty)}</p>', empty)
    shown = df.head(max_rows)
    units = {c: (units or {}).get(c, column_unit(str(c))) for c in shown.columns}
    head = "".join(
        f"<th>{esc(display_name(str(c)))}{' (' + esc(units[c]) + ')' if units[c] and units[c] not in ('%', '$', 'pct') else ''}</th>"
        for c in shown.columns
    )
    rows = []
    for rec in shown.itertuples(index=False, name=None):
        cells = []
        for col, v in zip(shown.columns, rec):
            unit = units[col]
            if isinstance(v, np.bool_):
                v = bool(v)  # numpy's booleans are not `True`/`False` to a status function
            if col in status:
                shown_v = _text(v, tz)
                cells.append(f"<td>{badge(shown_v, status[col](v) if callable(status[col]) else shown_v.lower())}</td>")
            elif (isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))) or (unit and _missing(v)):
                value = v / 100 if unit == "pct" and not _missing(v) else v
                text = fmt(value, "%" if unit == "pct" else unit, digits.get(col))
                cells.append(f'<td class="lk-num">{esc(text)}</td>')
            else:
                cells.append(f"<td>{_breakable(_text(v, tz) if not isinstance(v, str) else v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="lk-muted">{esc(plural(len(df) - max_rows, "more row"))} not shown</p>' if len(df) > max_rows else ""
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    link = _download_markup(df, download) if download else ""
    return HTMLBlock(
        f'<table class="lk-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}{link}',
        shown.to_string(index=False),
    )


_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.csv")


def _download_markup(df: pd.DataFrame, filename: str) -> str:
    if not _FILENAME.fullmatch(filename):
        raise ValueError(f"download file name must be letters, digits, . _ - ending in .csv: {filename!r}")
    uri = "data:text/csv;charset=utf-8," + quote(BOM + csv_text(df), safe="")
    n = len(df)
    return (
        f'<p class="lk-download lk-muted"><a href="{esc(uri)}" download="{esc(filename)}">download CSV</a> '
        f"({esc(filename)}, {n} row{'' if n == 1 else 's'})</p>"
    )


def download(df: pd.DataFrame, filename: str) -> HTMLBlock:
    """A "download CSV" link for a chart's data or any frame: the CSV (launchkit.reports.files.sheets.csv_text:
    raw numbers, ISO dates, missing values empty) is embedded as a data: URI, so the report stays one
    offline file."""
    return HTMLBlock(_download_markup(df, filename), f"download {filename}")
