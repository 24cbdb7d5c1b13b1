"""Chart labels show data text as written: `"` and `'` stay quotes, `<b>` is shown, not obeyed, `&` is `&`.

plotly.js reads a few HTML tags and entities in labels but not `&quot;`, so an HTML-escaped quote
showed as `&quot;`. The browser test reads the text Chromium actually drew in the SVG.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest

from launchkit.reports import browser, charts

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
