"""The reports in a real browser: headless Chromium (Debian's package, `make browser`), no network.

Each report is opened from disk; after its scripts ran, the DOM must hold a drawn plotly SVG in
every chart div and the page's error hook must have counted no script error. `--pdf` prints
through the same Chromium.
"""

from __future__ import annotations

import pytest
from _report_fixtures import BOLD_TOOL, LAST_DAY, run_cli

from launchkit.reports.run import browser

needs_chromium = pytest.mark.skipif(
    browser.find_chromium() is None, reason="Chromium not installed (make browser installs Debian's chromium)"
)


def _elements(dom: str) -> list[tuple[str, dict[str, str]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, dict[str, str]]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {k: v or "" for k, v in attrs}))

    P().feed(dom)
    return found


def test_scan_dom_counts_drawn_charts_and_errors():
    dom = (
        '<html data-script-errors="2" data-script-error-messages=\'["x"]\'><body>'
        '<div class="plotly-graph-div" id="a"><div><svg class="main-svg"><g><path d="M0"></path></g></svg></div></div>'
        '<div class="plotly-graph-div" id="b"></div><img src="y"><br></body></html>'
    )
    r = browser.scan_dom(dom)
    assert [c.div_id for c in r.charts] == ["a", "b"]
    assert r.drawn == 1 and r.script_errors == 2 and not r.ok


@needs_chromium
@pytest.mark.slow
def test_ga_report_renders_offline_with_every_chart_drawn(demo_run):
    page = demo_run.reports / "ga" / f"{LAST_DAY}.html"
    r = browser.check_render(page)
    assert r.script_errors == 0, r.error_messages
    assert len(r.charts) >= 5
    for c in r.charts:
        assert c.svg >= 1 and c.marks > 0, f"chart {c.div_id} did not draw: {r.describe()}"


@needs_chromium
@pytest.mark.slow
@pytest.mark.parametrize("kind,stamp", [("hourly", "2026-03-04T14"), ("cost", LAST_DAY), ("debrief", LAST_DAY)])
def test_every_report_renders_offline(demo_run, kind, stamp):
    dom = browser.dump_dom(demo_run.reports / kind / f"{stamp}.html")
    r = browser.scan_dom(dom)
    assert r.ok and len(r.charts) >= 3, r.describe()
    # hostile data stayed text: no element or handler was created from it, and plotly printed it literally
    elements = _elements(dom)
    assert not [a for t, a in elements if t == "img" and a.get("src") == "x"]
    assert not [(t, a) for t, a in elements if any(k.startswith("on") for k in a)]
    assert not [a for t, a in elements if t == "a" and a.get("href", "").startswith("javascript")]
    if kind == "hourly":
        assert "&lt;b&gt;bold&lt;/b&gt;" in dom and BOLD_TOOL not in dom
    # the hourly series loads the folder's one plotly.js ([reports] share_plotly), and it drew them offline;
    # a cost or debrief report embeds its own, so it draws wherever it is mailed
    srcs = [a["src"] for t, a in elements if t == "script" and a.get("src")]
    if kind == "hourly":
        [src] = srcs
        assert src.startswith("../plotly-") and src.endswith(".min.js") and (demo_run.reports / kind / src).is_file()
    else:
        assert srcs == []


@needs_chromium
@pytest.mark.slow
def test_a_shared_plotly_report_needs_its_plotly_file_and_the_ga_report_does_not(demo_run, tmp_path):
    """Copied alone, a report that shares plotly.js cannot draw (so the drawing above came from the
    shared file); the GA report, meant to be mailed, draws alone."""
    alone = tmp_path / "mailed" / "hourly"
    alone.mkdir(parents=True)
    (alone / "h.html").write_bytes((demo_run.reports / "hourly" / "2026-03-04T14.html").read_bytes())
    (alone / "ga.html").write_bytes((demo_run.reports / "ga" / f"{LAST_DAY}.html").read_bytes())
    hourly = browser.check_render(alone / "h.html", budget_ms=3000)
    assert len(hourly.charts) >= 3 and hourly.drawn == 0
    ga = browser.check_render(alone / "ga.html")
    assert ga.ok and ga.drawn == len(ga.charts) >= 5, ga.describe()
    (alone / "cost.html").write_bytes((demo_run.reports / "cost" / f"{LAST_DAY}.html").read_bytes())
    cost = browser.check_render(alone / "cost.html")  # forwarded by e-mail: draws alone too
    assert cost.ok and cost.drawn == len(cost.charts) >= 3, cost.describe()


@needs_chromium
@pytest.mark.slow
def test_the_check_fails_a_page_that_needs_the_network(tmp_path):
    import plotly.graph_objects as go

    page = tmp_path / "cdn.html"
    go.Figure(go.Bar(x=[1], y=[2])).write_html(page, include_plotlyjs="cdn")
    r = browser.check_render(page, budget_ms=3000)
    assert len(r.charts) == 1 and r.drawn == 0 and not r.ok


@needs_chromium
@pytest.mark.slow
def test_pdf_through_chromium(demo_run):
    proc = run_cli(
        "run",
        "ga",
        "--date",
        LAST_DAY,
        "--pdf",
        "--warehouse",
        str(demo_run.warehouse),
        "--reports-dir",
        str(demo_run.reports),
        cwd=demo_run.folder,
    )
    pdf = demo_run.reports / "ga" / f"{LAST_DAY}.pdf"
    assert f"wrote {pdf}" in proc.stdout
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    assert f'href="ga/{LAST_DAY}.pdf"' in (demo_run.reports / "index.html").read_text()
