"""Rendering an executed report notebook as offline HTML: no code, no prompts, plotly.js embedded once
(or, for the reports of a folder that share it, loaded from one file beside them: plotly_asset).

Runs on the command side (nbconvert, jinja2); the notebook's own outputs come from the kernel.
"""

from __future__ import annotations

import copy
import functools
import threading
from pathlib import Path
from typing import Any

from launchkit.reports.kinds import SUMMARY_TAG
from launchkit.reports.style import STYLE_CSS
from launchkit.store import atomic

_HEAD_JS = """<script>
(function () {
  var errors = [];
  function record(msg) {
    errors.push(String(msg));
    document.documentElement.setAttribute("data-script-errors", String(errors.length));
    document.documentElement.setAttribute("data-script-error-messages", JSON.stringify(errors));
  }
  window.addEventListener("error", function (e) { record(e && e.message ? e.message : "script error"); });
  window.addEventListener("unhandledrejection", function (e) { record("unhandled rejection: " + (e && e.reason)); });
  document.documentElement.setAttribute("data-script-errors", "0");
  window.addEventListener("load", function () {
    var divs = document.querySelectorAll(".plotly-graph-div");
    var drawn = 0;
    divs.forEach(function (d) { if (d.querySelector(".main-svg")) { drawn += 1; } });
    document.documentElement.setAttribute("data-charts", String(divs.length));
    document.documentElement.setAttribute("data-charts-drawn", String(drawn));
  });
  // Printing lays the page out at the paper's width, but plotly drew each chart at its width on screen
  // and does not redraw for print: redraw every chart at its printed width before printing (synchronous,
  // so the print sees it), and at its own size again afterwards. Printed content width: A4 (210 mm)
  // less the two 12 mm margins of the @page rule (in the report's CSS); the chart keeps its inset.
  // A chart is never split across pages (break-inside: avoid), so one taller than 45 % of the page
  // (bars per vendor-day, a long incident timeline) would leave the page before it half empty:
  // it prints at that height, its category labels smaller in proportion.
  var PRINT_CONTENT_MM = 210 - 2 * 12;
  var PRINT_MAX_HEIGHT_MM = 0.45 * (297 - 2 * 12);
  // A folded section (the GA report's statistical detail and glossary) is opened for print, so the
  // paper holds what a reader could unfold on screen; it folds again afterwards.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.setAttribute("data-print-opened", "1");
      d.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-opened]").forEach(function (d) {
      d.removeAttribute("data-print-opened");
      d.open = false;
    });
  });
  window.addEventListener("beforeprint", function () {
    if (!window.Plotly || !document.body) { return; }
    var cs = getComputedStyle(document.body);
    var content = document.body.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    var printed = PRINT_CONTENT_MM * 96 / 25.4;
    var tallest = Math.floor(PRINT_MAX_HEIGHT_MM * 96 / 25.4);
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (!gd._fullLayout || gd.getAttribute("data-print-width")) { return; }
      var w = Math.floor(printed - Math.max(0, content - gd.clientWidth));
      if (w < 200) { return; }
      var update = {width: w};
      var h = gd._fullLayout.height;
      gd._lkScreen = {width: gd.layout.width, height: gd.layout.height, shrunk: h > tallest, ticks: null,
                      style: gd.style.height};
      if (h > tallest) {
        gd.style.height = tallest + "px";  // the div's own height (plotly set it from the layout) too
        var size = gd._fullLayout.yaxis ? gd._fullLayout.yaxis.tickfont.size : 13;
        if (gd.layout.yaxis && gd.layout.yaxis.tickfont) { gd._lkScreen.ticks = gd.layout.yaxis.tickfont.size; }
        update.height = tallest;
        update["yaxis.tickfont.size"] = Math.max(7, Math.floor(size * tallest / h));
      }
      gd.setAttribute("data-print-width", String(w));
      window.Plotly.relayout(gd, update);
    });
  });
  window.addEventListener("afterprint", function () {
    if (!window.Plotly) { return; }
    document.querySelectorAll(".js-plotly-plot[data-print-width]").forEach(function (gd) {
      var was = gd._lkScreen || {};
      var update = {width: was.width === undefined ? null : was.width};
      if (was.shrunk) {
        gd.style.height = was.style;
        update.height = was.height === undefined ? null : was.height;
        update["yaxis.tickfont.size"] = was.ticks === undefined ? null : was.ticks;
      }
      gd.removeAttribute("data-print-width");
      window.Plotly.relayout(gd, update);
    });
  });
})();
</script>"""

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
{{ resources.launchkit_head_js }}
{%- if resources.launchkit_plotly_src -%}
<script type="text/javascript" src="{{ resources.launchkit_plotly_src | e }}"></script>
{%- elif resources.launchkit_plotly_js -%}
<script type="text/javascript">{{ resources.launchkit_plotly_js }}</script>
{%- endif -%}
{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}
<style type="text/css">
body.jp-Notebook { max-width: 1180px; margin: 0 auto; padding: 12px 24px; }
.jp-OutputArea-output { overflow-x: auto; }
.jp-RenderedHTMLCommon h1 { margin-top: 0.4em; }
/* Print (the PDF, and a browser's print of the page): A4 with 12 mm margins (the beforeprint handler in
   the head redraws charts for this width), the page's width for the content, nothing clipped by the
   scrolling boxes of the screen layout, and pages filled: JupyterLab keeps each output whole on one
   page (break-inside: avoid-page), which pushed a long table or note to the next page. */
@page { size: A4; margin: 12mm; }
@media print {
  body.jp-Notebook { max-width: none; margin: 0; padding: 0; overflow: visible; }
  body.jp-Notebook .jp-Notebook-cell, body.jp-Notebook .jp-OutputArea,
  body.jp-Notebook .jp-OutputArea-child, body.jp-Notebook .jp-OutputArea-output,
  body.jp-Notebook .jp-MarkdownOutput { display: block; overflow: visible; break-inside: auto; }
  body.jp-Notebook .jp-OutputArea-output.jp-RenderedHTMLCommon { padding-right: 0; }
  body.jp-Notebook h1, body.jp-Notebook h2, body.jp-Notebook h3, body.jp-Notebook .jp-MarkdownCell { break-after: avoid; }
}
</style>
{{ resources.launchkit_css }}
{% endblock extra_css %}
"""

_PLOTLY_MIME = "application/vnd.plotly.v1+json"


@functools.lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


_EXPORTER: Any = None
_EXPORTER_LOCK = threading.Lock()
_RENDER_LOCK = threading.Lock()


def _exporter() -> Any:
    """One HTMLExporter per process: its templates are compiled on first use, then reused."""
    global _EXPORTER
    with _EXPORTER_LOCK:
        if _EXPORTER is None:
            import jinja2
            from nbconvert import HTMLExporter
            from nbconvert.preprocessors import TagRemovePreprocessor

            exporter = HTMLExporter(
                template_name="lab",
                template_file="launchkit_report.html.j2",
                extra_loaders=[jinja2.DictLoader({"launchkit_report.html.j2": _TEMPLATE})],
                exclude_input=True,
                exclude_input_prompt=True,
                exclude_output_prompt=True,
                embed_images=True,
            )
            remove = TagRemovePreprocessor(
                remove_cell_tags={SUMMARY_TAG, "parameters", "injected-parameters", "remove-cell"},
                remove_input_tags={"remove-input"},
            )
            remove.enabled = True
            exporter.register_preprocessor(remove, enabled=True)
            _EXPORTER = exporter
        return _EXPORTER


def warm_exporter() -> None:
    """Compile the HTML templates (about a second) while a kernel computes."""
    try:
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell("warm-up")]
        _exporter().from_notebook_node(
            nb,
            resources={
                "launchkit_head_js": "",
                "launchkit_plotly_js": "",
                "launchkit_plotly_src": "",
                "launchkit_css": "",
            },
        )
        _plotly_js()
    except Exception:
        pass


def plotly_asset(folder: Path) -> Path:
    """plotly.js as one file in `folder`, named by its version (plotly-<version>.min.js), written
    atomically when missing or not whole; the reports that share it load it with a relative <script src>
    (about 4.8 MB each report does not repeat). A new plotly version gets a new file; the old stays for
    the reports that name it."""
    from plotly.offline import get_plotlyjs_version

    path = folder / f"plotly-{get_plotlyjs_version()}.min.js"
    data = _plotly_js().encode("utf-8")
    if not (path.is_file() and path.stat().st_size == len(data)):
        atomic.write_bytes(path, data)
    return path


def render_html(nb: Any, plotly_src: str | None = None) -> str:
    """The executed notebook as HTML without code or prompts; plotly.js included once when needed,
    or, with `plotly_src` (a URL relative to the report, see plotly_asset), loaded from there."""
    nb = copy.deepcopy(nb)
    has_plotly = False
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue  # warnings belong in the executed notebook, not in the report
            data = out.get("data", {})
            if _PLOTLY_MIME in data:
                has_plotly = True
                data.pop(_PLOTLY_MIME)  # keep the text/html div, drawn by the page's plotly.js
            kept.append(out)
        cell["outputs"] = kept
    resources = {
        "launchkit_head_js": _HEAD_JS,
        "launchkit_plotly_js": _plotly_js() if has_plotly and not plotly_src else "",
        "launchkit_plotly_src": plotly_src if has_plotly else "",
        "launchkit_css": STYLE_CSS,
    }
    with _RENDER_LOCK:  # one exporter for the process; reports rendered side by side take turns
        body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body
