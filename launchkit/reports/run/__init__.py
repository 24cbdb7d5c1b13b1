"""The command side of the reports: runs a report in the `launchkit` process, never in the kernel.

`execute` (papermill on a warm kernel, atomic publication), `kernel`, `render` (nbconvert), `index`,
`prune`, `browser` (Chromium: render check, PDF), `paths` (the notebooks as package data). It draws no
charts: the kernel side (launchkit.reports.page) does, in the notebook.
"""
