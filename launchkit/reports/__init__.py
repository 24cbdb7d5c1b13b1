"""The reports: parameterized notebooks (package data) executed by papermill, rendered to offline HTML.

Two processes, two sides. The command side runs a report: `kinds` (the four reports), `runner`
(papermill), `kernel`, `render` (nbconvert), `index`, `browser` (Chromium: render check, PDF). The
kernel side is what a notebook imports: `notebook` (context, header, summary), `widgets` (tables,
tiles, trends), `charts` (plotly), `shape` (what the JSON summary says), `style`.
Files that leave as data, for both sides: `sheets` (CSV text, XLSX workbooks), `exports` (the cost
report's tables: `launchkit export cost`), `tickets` (`launchkit export tickets`).
"""
