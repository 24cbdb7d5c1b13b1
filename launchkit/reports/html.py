"""Escaping data text for the reports' HTML: one definition for both sides (the kernel's tiles, tables
and chart labels, the command's index page).

Text that comes from data (tool names, tenant ids, comments, incident titles) is untrusted; a page
built from it escapes every piece, and a chart label too, because plotly.js reads a few HTML tags
(<b>, <a>, <br>) in labels. Both also show what a reader cannot see (zero-width and bidirectional
characters, control characters) as <U+XXXX>, so `acme` and `acme` + a zero-width space differ on the page.
"""

from __future__ import annotations

import html
from typing import Any

from launchkit.visible import visible

_KEEP = "\t\n\r"  # line ends and tabs are layout in HTML; every other invisible character is shown


def safe(text: Any) -> str:
    """Data text as plotly should show it: `<`, `>` and `&` escaped, so `<b>` is shown, not obeyed.

    Quotes stay as they are: plotly.js builds SVG text nodes (a quote cannot end an attribute there)
    and does not decode `&quot;`, which would be shown as written.
    """
    return html.escape(visible("" if text is None else str(text), keep=_KEEP), quote=False)


def esc(text: Any) -> str:
    """Data text for an HTML report: html.escape, with None shown as an empty string and characters a
    reader cannot see shown as <U+XXXX> (`acme<U+200B>`, launchkit.visible)."""
    return html.escape(visible("" if text is None else str(text), keep=_KEEP), quote=True)
