"""The kernel side of the reports: what a report notebook imports, run in its kernel.

`notebook` (context, header, summary), `widgets` (tables, tiles, trends), `charts` (plotly), `blocks`,
`drilldown`, `playbook`; what a report says comes from launchkit.reports.content. No
papermill or nbconvert: the command side (launchkit.reports.run) executes and renders.
"""
