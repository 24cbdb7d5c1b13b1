"""Escaping data text for the reports' HTML: one definition for both sides (the kernel's tiles, tables
and chart labels, the command's index page).

Text that comes from data (tool names, tenant ids, comments, incident titles) is untrusted; a page
built from it escapes every piece, and a chart label too, because plotly.js reads a few HTML tags
(<b>, <a>, <br>) in labels.
"""

from __future__ import annotations

import html
from typing import Any


def safe(text: Any) -> str:
    """Data text as plotly should show it: `<`, `>` and `&` escaped, so `<b>` is shown, not obeyed.

    Quotes stay as they are: plotly.js builds SVG text nodes (a quote cannot end an attribute there)
    and does not decode `&quot;`, which would be shown as written.
    """
    return html.escape("" if text is None else str(text), quote=False)


def esc(text: Any) -> str:
    """Data text for an HTML report (an alias of html.escape, with None shown as an empty string)."""
    return html.escape("" if text is None else str(text), quote=True)
