"""The kernel side of the reports: what a report notebook imports, run in its kernel.

`notebook` (context, header, summary), `widgets` (tables, tiles, trends), `charts` (plotly), `shape`
(what the JSON summary says), `text` (numbers as people read them), `drilldown`, `playbook`. No
papermill or nbconvert: the command side (launchkit.reports.run) executes and renders.
"""
