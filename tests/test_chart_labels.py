"""Chart labels show data text as written: `"` and `'` stay quotes, `<b>` is shown, not obeyed, `&` is `&`.

plotly.js reads a few HTML tags and entities in labels but not `&quot;`, so an HTML-escaped quote
showed as `&quot;`. The browser test reads the text Chromium actually drew in the SVG.
"""

from __future__ import annotations

from datetime import UTC
from html.parser import HTMLParser

import pandas as pd
import pytest

from launchkit.reports.page import charts
from launchkit.reports.run import browser

LABEL = """say "hi" & <b>bold</b> it's"""


def _chart():
    df = pd.DataFrame({"tool": [LABEL, "plain"], "calls": [3, 5]})
    return charts.bars(df, "tool", "calls", title=f'Calls for "{LABEL}"')


def test_labels_escape_tags_but_not_quotes():
    fig = _chart().fig
    assert list(fig.data[0].y) == ['say "hi" &amp; &lt;b&gt;bold&lt;/b&gt; it\'s', "plain"]
    assert "&quot;" not in fig.layout.title.text and "&#x27;" not in fig.layout.title.text


def _svg_texts(dom: str) -> list[str]:
    texts: list[str] = []

    class P(HTMLParser):
        depth = 0

        def handle_starttag(self, tag, attrs):
            if tag == "text":
                self.depth += 1
                texts.append("")

        def handle_endtag(self, tag):
            if tag == "text":
                self.depth -= 1

        def handle_data(self, data):
            if self.depth:
                texts[-1] += data

    P(convert_charrefs=True).feed(dom)
    return texts


@pytest.mark.slow
@pytest.mark.skipif(browser.find_chromium() is None, reason="Chromium not installed (make browser)")
def test_chromium_draws_the_label_as_written(tmp_path):
    from plotly.offline import get_plotlyjs

    div = charts.mimebundle(_chart().fig)["text/html"]
    page = tmp_path / "chart.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><script>{get_plotlyjs()}</script></head>"
        f"<body>{div}</body></html>",
        encoding="utf-8",
    )
    texts = _svg_texts(browser.dump_dom(page))
    assert LABEL in texts  # the category tick, exactly as the data has it
    assert f'Calls for "{LABEL}"' in texts  # the title
    assert not any("&quot;" in t or "&#x27;" in t or "&amp;" in t for t in texts)


@pytest.mark.parametrize(
    ("target", "fail", "target_side", "fail_side"),
    [(0.02, 0.03, "below", "above"), (0.97, 0.95, "above", "below")],  # lower-is-better, higher-is-better
)
def test_target_and_fail_labels_sit_on_the_outer_side_of_their_lines(
    target: float, fail: float, target_side: str, fail_side: str
) -> None:
    """Two close dashed lines: each label outside the band between them, so they never overprint."""
    df = pd.DataFrame({"hour": pd.to_datetime(["2026-03-02T10:00Z", "2026-03-02T11:00Z"]), "rate": [0.01, 0.02]})
    fig = charts.trend(df, "hour", "rate", title="t", tz=UTC, unit="%", target=target, threshold=fail).fig
    by_text = {a.text.split(":")[0]: a for a in fig.layout.annotations}
    anchor = {"above": "bottom", "below": "top"}  # a label above its line hangs from its bottom edge
    assert by_text["GA target"].yanchor == anchor[target_side] and by_text["fail line"].yanchor == anchor[fail_side]
    assert by_text["GA target"].y == pytest.approx(target * 100) and by_text["fail line"].y == pytest.approx(fail * 100)
