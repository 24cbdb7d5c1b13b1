"""The GA report's blocks for a reader who has never seen the data: the opening paragraph, the scorecard
in plain words, the statistical detail folded away with a glossary, and verdict histories as strips of
coloured days with a legend.

Kernel side; draws what launchkit.reports.content.ga_words builds (every label a display name), escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import pandas as pd

from launchkit.analytics.headlines import STATE_WORDS
from launchkit.reports.content.ga import GaReport
from launchkit.reports.content.ga_words import History, ScoreRow
from launchkit.reports.html import esc
from launchkit.reports.page.blocks import BREACH, NEUTRAL, OK, WARN, HTMLBlock, badge, bullets, table

# a day's colour in a verdict strip, by state (launchkit.analytics.headlines.STATES)
DAY_COLOURS = {
    "ok": OK,
    "watch": WARN,
    "breach": BREACH,
    "untrusted": "#8250df",
    "low-sample": "#d0d7de",
    "no-data": "#d0d7de",
    "na": NEUTRAL,
}
_GO = {"GO": OK, "NO-GO": BREACH}
_STATE_OF = {words: state for state, words in STATE_WORDS.items()}


def opening(text: str, decision: str) -> HTMLBlock:
    """The report's first paragraph, large, in the go/no-go's colour."""
    colour = _GO.get(decision, NEUTRAL)
    return HTMLBlock(
        f'<div class="lk-note" style="border-left-color:{colour};font-size:16px" data-opening="1">{esc(text)}</div>',
        text,
    )


_DAY = {"EXPAND": "ok", "HOLD": "watch", "ROLLBACK": "breach"}


def go_no_go(report: GaReport) -> HTMLBlock:
    """GO / NO-GO for GA with what is open in words (criteria by their display names, the checklist's
    items with their owners), and the day's EXPAND / HOLD / ROLLBACK beside it."""
    g = str(report.go_no_go["decision"])
    state = "ok" if g == "GO" else "breach"
    day = str(report.decision["recommendation"])
    items = [f"{i['title']} ({i['owner']}): {i['status']}" for i in report.go_no_go["open_items"]]
    blockers = bullets(report.blocker_lines, "none")
    body = (
        f'<div class="lk-note" style="border-left-color:{_GO.get(g, NEUTRAL)}">'
        f'<div style="font-size:22px;font-weight:700">{badge(g, state)} for GA</div>'
        f"<p>Today's recommendation, the day against its baseline: {badge(day, _DAY.get(day, 'na'))}</p>"
        f"<strong>Criteria in the way of GA</strong>{blockers.markup}"
        f"<strong>Open go/no-go items</strong>{bullets(items, 'none').markup}</div>"
    )
    return HTMLBlock(body, f"{g} for GA; today {day}\n{blockers.text}\n" + "\n".join(items))


def scorecard(rows: Sequence[ScoreRow]) -> HTMLBlock:
    """The criteria as a reader asks about them: what, how important, value against target, verdict (a
    passing one with the day it has passed since: 'pass since 2026-03-03'; nine columns fit A4 at 9 pt)."""
    df = pd.DataFrame([asdict(r) for r in rows])
    if len(df):
        since = df["passing_since"].map(lambda d: "" if d in ("", "—") else f" since {d}")
        df = (
            df.assign(verdict=df["verdict"] + since)
            .drop(columns=["state", "meaning", "passing_since"])
            .rename(columns={"fail_line": "fail line"})
        )
    block = table(
        df,
        status={"verdict": lambda v: _STATE_OF.get(str(v).split(" since ")[0], "na")},
        empty="no criteria configured",
        tz=None,
    )  # marked: it fits A4 with its headers whole, where the print CSS breaks other wide tables' words
    return HTMLBlock(
        block.markup.replace('<table class="lk-table"', '<table class="lk-table" data-scorecard="1"', 1), block.text
    )


def meanings(rows: Sequence[ScoreRow]) -> HTMLBlock:
    """What each criterion measures, one plain line each."""
    items = "".join(f"<dt><strong>{esc(r.criterion)}</strong></dt><dd>{esc(r.meaning)}</dd>" for r in rows if r.meaning)
    text = "\n".join(f"{r.criterion}: {r.meaning}" for r in rows if r.meaning)
    return HTMLBlock(f'<dl class="lk-muted">{items}</dl>', text)


def details(title: str, *blocks: HTMLBlock) -> HTMLBlock:
    """Blocks folded under a title (a collapsed <details>; open it to read)."""
    inner = "".join(b.markup for b in blocks)
    return HTMLBlock(
        f"<details><summary><strong>{esc(title)}</strong></summary>{inner}</details>",
        title + "\n" + "\n".join(b.text for b in blocks),
    )


def glossary(terms: Sequence[tuple[str, str]]) -> HTMLBlock:
    """A short glossary: term, then its meaning."""
    items = "".join(f"<dt><strong>{esc(t)}</strong></dt><dd>{esc(d)}</dd>" for t, d in terms)
    return HTMLBlock(f"<dl>{items}</dl>", "\n".join(f"{t}: {d}" for t, d in terms))


def statistical_detail(
    statistics: Sequence[dict[str, str]], rows: Sequence[ScoreRow], terms: Sequence[tuple[str, str]]
) -> HTMLBlock:
    """The collapsed section: per criterion its estimate, interval, confidence, method and sample; what
    each criterion measures; a short glossary."""
    return details(
        "Statistical detail: how each verdict was reached",
        table(pd.DataFrame(list(statistics)), empty="no criteria configured", tz=None),
        HTMLBlock("<p><strong>What each criterion measures</strong></p>", "What each criterion measures"),
        meanings(rows),
        HTMLBlock("<p><strong>Glossary</strong></p>", "Glossary"),
        glossary(terms),
    )


def _legend(states: Sequence[str]) -> str:
    keys = "".join(
        f'<span style="margin-right:12px"><span style="{_square(s)}"></span> {esc(STATE_WORDS.get(s, s))}</span>'
        for s in states
    )
    return f'<p class="lk-muted" style="font-size:12px">{keys}</p>'


def _square(state: str) -> str:
    return (
        f"display:inline-block;width:12px;height:12px;margin-right:1px;border-radius:2px;"
        f"background:{DAY_COLOURS.get(state, NEUTRAL)};print-color-adjust:exact;-webkit-print-color-adjust:exact"
    )


def verdict_strips(histories: Sequence[History], empty: str = "no criteria configured") -> HTMLBlock:
    """Each criterion's verdict on every day of the pilot as a strip of coloured days (first day left),
    the day it passed and held, and a legend of the colours used."""
    if not histories:
        return HTMLBlock(f'<p class="lk-muted">{esc(empty)}</p>', empty)
    rows, texts, used = [], [], []
    for h in histories:
        days = "".join(
            f'<span title="{esc(d.isoformat())}: {esc(STATE_WORDS.get(s, s))}" style="{_square(s)}"></span>'
            for d, s in h.days()
        )
        used += [s for s in h.states if s not in used]
        passed = f"day {h.days_to_pass} ({h.passed_on.isoformat()})" if h.passed_on else "not yet"
        rows.append(
            f"<tr><td>{esc(h.criterion)}</td><td style='white-space:nowrap'>{days}</td><td>{esc(passed)}</td></tr>"
        )
        texts.append(f"{h.criterion}: {' '.join(STATE_WORDS.get(s, s) for s in h.states)}; passed and held: {passed}")
    first = histories[0].first_day.isoformat()
    head = f"<tr><th>criterion</th><th>each day from {esc(first)}</th><th>passed and held</th></tr>"
    order = [s for s in DAY_COLOURS if s in used]
    return HTMLBlock(
        f'<table class="lk-table" data-verdict-strips="1"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
        + _legend(order),
        "\n".join(texts),
    )
