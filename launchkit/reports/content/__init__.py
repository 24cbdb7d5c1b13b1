"""What each report says, computed by the library: its figures, verdicts, tiles and JSON summary.

One module per report kind builds a typed result from the warehouse (no plotly, no kernel), so the
notebook only draws it and a test can check every number and state without executing a notebook.
`shape` turns decisions and readiness into the summary's verdict rows.
"""
