"""The reports' CSS: tiles, badges, tables and notes look the same in JupyterLab and in the rendered HTML.

Its print rules (the PDF, and a browser's print of a report) hide the chart toolbar, keep charts,
tiles and table rows whole, and fit tables to the A4 page at 9 pt (12 px) type, never smaller: tight
padding, wrapping cells and badges, headers on one line (a table of nine columns or more but the GA scorecard: words broken anywhere), badges that print in colour; the page size and the
report's own layout rules are in launchkit.reports.run.render's template.
"""

# Status colours (colour-blind safe beside the charts' Okabe-Ito palette): a tile, a badge, a chart's bar
# and the index's state say "breach" in the same red
OK = "#1a7f37"
BREACH = "#cf222e"
WARN = "#9a6700"
NEUTRAL = "#57606a"

STYLE_CSS = """<style>
.lk-tiles{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px}
.lk-tile{border:1px solid #d0d7de;border-left:6px solid #57606a;border-radius:6px;padding:10px 14px;min-width:150px;background:#fff}
.lk-tile .lk-label{font-size:12px;color:#57606a;text-transform:uppercase;letter-spacing:.03em}
.lk-tile .lk-value{font-size:24px;font-weight:600;margin:2px 0}
.lk-tile .lk-sub{font-size:12px;color:#57606a}
.lk-table{border-collapse:collapse;font-size:13px;margin:6px 0 14px}
.lk-table th,.lk-table td,.jp-RenderedHTMLCommon .lk-table th,.jp-RenderedHTMLCommon .lk-table td{border:0;border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top;max-width:520px}
.lk-table th,.jp-RenderedHTMLCommon .lk-table th{background:#f6f8fa;font-weight:600}
.lk-table td.lk-num,.jp-RenderedHTMLCommon .lk-table td.lk-num{text-align:right;font-variant-numeric:tabular-nums}
.lk-badge{display:inline-block;border-radius:10px;padding:1px 8px;color:#fff;font-size:12px;font-weight:600}
.lk-note{border-left:4px solid #57606a;background:#f6f8fa;padding:8px 12px;margin:8px 0}
.lk-muted{color:#57606a}
.lk-nowrap{white-space:nowrap}
@media print{
.modebar-container,.modebar,.lk-download{display:none!important}
.js-plotly-plot,.plotly-graph-div,.lk-tile,.lk-table tr,.lk-note li{break-inside:avoid}
.lk-table,.jp-RenderedHTMLCommon table.lk-table{font-size:12px;table-layout:auto}
.lk-table th,.lk-table td,.jp-RenderedHTMLCommon .lk-table th,.jp-RenderedHTMLCommon .lk-table td{padding:2px 3px;max-width:none}
.lk-table th,.jp-RenderedHTMLCommon .lk-table th{white-space:nowrap}
.lk-table:has(th:nth-child(9)):not([data-scorecard]) :is(th,td){white-space:normal;overflow-wrap:anywhere}
.lk-table td,.jp-RenderedHTMLCommon .lk-table td{overflow-wrap:break-word}
.lk-table td.lk-num,.jp-RenderedHTMLCommon .lk-table td.lk-num{white-space:nowrap}
.lk-table caption,.lk-table thead,.lk-table tbody tr:first-child{break-after:avoid}
.lk-badge{white-space:nowrap;print-color-adjust:exact;-webkit-print-color-adjust:exact}
.lk-table .lk-badge{font-size:12px;padding:0 4px;white-space:normal}
}
</style>"""
