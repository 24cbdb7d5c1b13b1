"""Files that leave the reports as data, for both sides: `sheets` (CSV text, XLSX workbooks), `exports`
(the cost report's tables: `launchkit export cost`), `tickets` (`launchkit export tickets`).
No plotly, notebooks or report rendering.
"""
