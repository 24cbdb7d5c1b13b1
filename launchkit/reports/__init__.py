"""The reports: parameterized notebooks (package data) executed by papermill, rendered to offline HTML.

Two processes, two sides, one subpackage each. `run` is the command side: it executes a report's
notebook (papermill on a warm kernel), renders it (nbconvert), publishes it and keeps the index. `page`
is the kernel side, what a notebook imports: context, tables, tiles, charts (plotly), the summary.
`content` computes what each report says (figures, verdicts, tiles, the JSON summary) without a kernel.
`files` writes what leaves as data, for both sides: CSV and XLSX tables, the cost export, tickets.
Both sides share `kinds` (the four reports and their summary's contract), `style` (the CSS), `html`
(escaping data text) and `text` (numbers as people read them).
The import contracts in pyproject.toml keep `run` and `page` apart, over `content`, over `files`, over
what both share.
"""
