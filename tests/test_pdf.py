"""Printed reports read whole: every column and verdict of the tables, every chart's axis titles, full pages.

Every report of the small demo is printed to PDF through headless Chromium (the same print as
`launchkit run --pdf`). Poppler's tools read the PDF back: `pdftotext -layout` for the text (a
column cut off at the right edge, or a chart clipped at its axis title, is missing from it) and
`pdftoppm` for the pages as images (a page that ends above half its height means a forced or avoided
break left it half empty), `pdftohtml -xml` for each piece of text's size and place on the page (the GA
report's tables fit A4 at 9 pt or more). Debian's poppler-utils provides them; `make browser` installs it.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from _jargon import found, internal_names
from _report_fixtures import LAST_DAY

from launchkit.reports.run import browser, render
from launchkit.reports.style import STYLE_CSS

_MISSING = [t for t in ("pdftotext", "pdftoppm", "pdftohtml") if shutil.which(t) is None]
_NEEDS = (
    pytest.mark.slow,
    pytest.mark.skipif(
        browser.find_chromium() is None, reason="Chromium not installed (make browser installs Debian's chromium)"
    ),
    pytest.mark.skipif(
        bool(_MISSING),
        reason=f"{', '.join(_MISSING)} not installed (Debian's poppler-utils; make browser installs it)",
    ),
)


def needs_tools(fn: Callable) -> Callable:
    """Slow, and skipped with the reason when Chromium or poppler-utils is missing."""
    for mark in _NEEDS:
        fn = mark(fn)
    return fn


SCORECARD = [  # stakeholder.scorecard: the criteria in plain words (the statistics are folded away)
    "criterion",
    "area",
    "importance",
    "value",
    "target",
    "fail line",
    "sample",
    "window",
    "verdict",
]
VERDICT_TABLE = [
    "what",
    "value",
    "95 % interval",
    "n",
    "target",
    "fail line",
    "status",
    "note",
]  # widgets.verdict_table
COMPARISONS = ["metric", "day", "baseline", "change", "n (day / baseline)", "test", "p", "status"]  # comparison_table
_SHOWN = {"low-sample": "low sample"}  # a status as the table shows it
STAMPS = {"ga": LAST_DAY, "cost": LAST_DAY, "debrief": LAST_DAY, "hourly": "2026-03-04T14"}


def _verdicts(field: str) -> Callable[[dict], list[str]]:
    return lambda s: [_SHOWN.get(str(v[field]), str(v[field])) for v in s["verdicts"]]


# a criterion's verdict as the GA scorecard says it (docs/reports.md; written out here, not imported)
_PLAIN = {"PASS": "pass", "MARGINAL": "marginal", "FAIL": "fail", "UNTRUSTED DATA": "data not trusted"}


def _plain_verdicts(s: dict) -> list[str]:
    return [
        _PLAIN.get(str(v["verdict"]), "not enough data" if v["n"] and v["value"] is not None else "no data")
        for v in s["verdicts"]
    ]


# report kind -> the columns of its table of verdicts, and the values its summary says that table shows
TABLES: dict[str, tuple[list[str], Callable[[dict], list[str]]]] = {
    "ga": (SCORECARD, _plain_verdicts),
    "cost": (VERDICT_TABLE, _verdicts("status")),
    "hourly": (VERDICT_TABLE, _verdicts("status")),
    "debrief": (COMPARISONS, lambda s: [str(c["status"]) for c in s["comparisons"]]),
}


@pytest.fixture(scope="module")
def printed(demo_run, tmp_path_factory):
    """kind -> its PDF (printed once per module) and its text as `pdftotext -layout` reads it."""
    folder = tmp_path_factory.mktemp("pdf")
    done: dict[str, tuple[Path, str]] = {}

    def get(kind: str) -> tuple[Path, str]:
        if kind not in done:
            pdf = browser.print_pdf(demo_run.reports / kind / f"{STAMPS[kind]}.html", folder / f"{kind}.pdf")
            text = subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
            ).stdout
            (folder / f"{kind}.txt").write_text(text, encoding="utf-8")  # to look at when a test fails
            done[kind] = (pdf, text)
        return done[kind]

    return get


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def read_pgm(path: Path) -> np.ndarray:
    """A binary greyscale PGM (P5, 8 bits; what `pdftoppm -gray` writes) as a 2-D uint8 array."""
    data = path.read_bytes()
    fields: list[bytes] = []
    i = 0
    while len(fields) < 4:
        while data[i : i + 1].isspace():
            i += 1
        if data[i : i + 1] == b"#":
            i = data.index(b"\n", i) + 1
            continue
        j = i
        while not data[j : j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    assert fields[0] == b"P5" and int(fields[3]) < 256, f"{path}: not an 8-bit binary PGM"
    width, height = int(fields[1]), int(fields[2])
    i += 1  # the single whitespace after the header
    return np.frombuffer(data, dtype=np.uint8, count=width * height, offset=i).reshape(height, width)


def page_fill(pdf: Path, folder: Path) -> list[float]:
    """Per page, where its content ends: the lowest row that is not white, as a share of the page's height."""
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdf), str(folder / "page")], check=True, timeout=120)
    pages = sorted(folder.glob("page-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    fills = []
    for p in pages:
        img = read_pgm(p)
        rows = np.flatnonzero((img < 250).any(axis=1))
        fills.append(round(float(rows[-1] + 1) / img.shape[0], 2) if rows.size else 0.0)
    return fills


def test_read_pgm(tmp_path):
    p = tmp_path / "a.pgm"
    p.write_bytes(b"P5\n# comment\n3 2\n255\n" + bytes([255, 255, 255, 0, 255, 255]))
    img = read_pgm(p)
    assert img.shape == (2, 3) and img[1, 0] == 0 and img[0].min() == 255


@needs_tools
@pytest.mark.parametrize("kind", list(TABLES))
def test_every_column_and_verdict_is_printed(demo_run, printed, kind):
    headers, shown = TABLES[kind]
    _, text = printed(kind)
    words = _words(text)
    missing = [h for h in headers if h not in words]
    assert not missing, f"{kind}: column headers not in the PDF's text: {missing}"
    # the header row whole on one line, in order: nothing cut at the right edge, no header wrapped
    row = r"[ \t]+".join(r"[ \t]+".join(map(re.escape, h.split())) for h in headers)
    assert re.search(row, text), f"{kind}: no line of the PDF holds the table's header row {headers}"
    expected = Counter(shown(demo_run.summary(kind, STAMPS[kind])))
    assert expected, f"{kind}: the summary has no verdicts to look for"
    for value, n in expected.items():
        found = len(re.findall(rf"(?<![\w-]){re.escape(value)}(?![\w-])", words))
        assert found >= n, f"{kind}: {value!r} printed {found} times, the table has {n}"


@needs_tools
@pytest.mark.parametrize("kind", list(TABLES))
def test_charts_are_printed_with_their_axis_titles(demo_run, printed, kind):
    nb = json.loads((demo_run.reports / kind / f"{STAMPS[kind]}.ipynb").read_text(encoding="utf-8"))
    titles = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            fig = out.get("data", {}).get("application/vnd.plotly.v1+json")
            if not fig:
                continue
            for axis in ("xaxis", "yaxis"):
                t = (fig["layout"].get(axis) or {}).get("title") or {}
                t = t.get("text") if isinstance(t, dict) else t
                if t:
                    titles.append(html.unescape(str(t)))
    assert len(titles) >= 6, f"{kind}: expected charts with axis titles in the report"
    words = _words(printed(kind)[1])
    assert "download CSV" not in words, f"{kind}: the report's download links are printed"
    clipped = {t: n for t, n in Counter(map(_words, titles)).items() if words.count(t) < n}
    assert not clipped, f"{kind}: axis titles missing from the PDF (chart clipped?), title: charts: {clipped}"


@needs_tools
@pytest.mark.parametrize("kind", list(TABLES))
def test_pages_are_full_but_the_last(printed, kind, tmp_path):
    pdf, text = printed(kind)
    fills = page_fill(pdf, tmp_path)
    assert len(fills) >= 2, f"{kind}: {len(fills)} page(s)"
    short = [i + 1 for i, f in enumerate(fills[:-1]) if f <= 0.5]
    assert not short, f"{kind}: pages {short} end above half their height (fill per page: {fills})"


def test_the_print_stylesheet_hides_the_toolbar_and_forces_no_break():
    """The chart toolbar is drawn from DOM, not text, so the PDF's text cannot show it: the rule is checked."""
    css = STYLE_CSS + render._TEMPLATE
    printed_rules = "".join(re.findall(r"@media print\s*\{(.*?)\n\}", css, re.S))
    assert re.search(r"\.modebar[^{]*\{display:none!important\}", printed_rules)
    assert re.search(r"\.lk-download[^{]*\{display:none!important\}", printed_rules)  # no "download CSV" on paper
    assert re.search(r"\.js-plotly-plot[^{]*\{break-inside:avoid\}", printed_rules)
    assert "@page { size: A4" in css
    assert not re.search(r"break-(before|after)\s*:\s*(page|always)", css), "a forced page break"


A4_PT = (595, 842)  # A4 in points (pdftohtml rounds down: 594 x 841)


def text_boxes(pdf: Path) -> list[dict]:
    """Every piece of text `pdftohtml -xml -zoom 1` finds: its page, font size (pt, rounded), left and right
    edges (pt) and the page's width and height (pt)."""
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-zoom", "1", "-stdout", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = {k: int(v) for k, v in re.findall(r'<fontspec id="(\d+)" size="(-?\d+)"', xml)}
    out = []
    for page in re.findall(r"<page (.*?)</page>", xml, re.S):
        num = int(re.search(r'number="(\d+)"', page).group(1))  # type: ignore[union-attr]
        w, h = (int(re.search(rf'{k}="(\d+)"', page).group(1)) for k in ("width", "height"))  # type: ignore[union-attr]
        for _top, left, width, font, text in re.findall(
            r'<text top="(-?\d+)" left="(-?\d+)" width="(\d+)" height="\d+" font="(\d+)">(.*?)</text>', page
        ):
            out.append({"page": num, "size": sizes[font], "left": int(left), "right": int(left) + int(width),
                        "page_width": w, "page_height": h, "text": html.unescape(re.sub("<[^>]+>", "", text))})  # fmt: skip
    return out


@needs_tools
def test_the_ga_reports_tables_fit_a4_at_9_pt_or_more(printed):
    """The scorecard, the statistical detail and its glossary (the appendix, printed unfolded), the checklist and
    the verdict strips: on A4 pages, nothing past the page's edge (a table wider than the page, or the whole page scaled
    down to fit one, shows here), no text under 9 pt."""
    pdf, text = printed("ga")
    words = _words(text)
    for shown in ("Statistical detail: how each verdict was reached", "confidence method", "Glossary",
                  "Fail line", "each day from", "passed and held", "T-24h go/no-go checklist"):  # fmt: skip
        assert shown in words, f"not printed: {shown!r}"
    boxes = text_boxes(pdf)
    assert {(b["page_width"], b["page_height"]) for b in boxes} <= {A4_PT, (A4_PT[0] - 1, A4_PT[1] - 1)}
    outside = [b for b in boxes if b["left"] < 0 or b["right"] > b["page_width"]]
    assert not outside, f"text past the page's edge: {outside[:5]}"
    small = [b for b in boxes if b["size"] < 9]
    assert not small, f"{len(small)} pieces of text under 9 pt, e.g. {small[:5]}"


@needs_tools
@pytest.mark.parametrize("kind", ["hourly", "cost", "debrief"])
def test_every_report_prints_on_a4_at_9_pt_or_more(printed, kind):
    """The other reports too: A4 pages, no text past the page's edge, none under 9 pt (tables, tiles, chart titles
    and their subtitles, e.g. the hourly bars' "grey: low sample" note)."""
    pdf, _ = printed(kind)
    boxes = text_boxes(pdf)
    assert boxes and {(b["page_width"], b["page_height"]) for b in boxes} <= {A4_PT, (A4_PT[0] - 1, A4_PT[1] - 1)}
    outside = [b for b in boxes if b["left"] < 0 or b["right"] > b["page_width"]]
    assert not outside, f"text past the page's edge: {outside[:5]}"
    small = [b for b in boxes if b["size"] < 9]
    assert not small, f"{len(small)} pieces of text under 9 pt, e.g. {small[:5]}"


@needs_tools
def test_the_ga_report_names_no_criterion_id_or_config_key(demo_run, printed):
    """What the GA report prints and shows (its PDF, its HTML's text) names criteria by their display names:
    no criterion or metric id, no config key."""
    names = internal_names(demo_run.summary("ga", STAMPS["ga"])["readiness"]["criteria"])
    page = (demo_run.reports / "ga" / f"{STAMPS['ga']}.html").read_text(encoding="utf-8")
    shown = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)))
    for where, text in (("PDF", printed("ga")[1]), ("HTML", shown)):
        assert not found(text, names), f"{where}: {found(text, names)}"
