"""Loading input files into the warehouse: nothing lost, nothing counted twice.

Modules: `formats` (the closed table of formats), `files` (which files, their hashes), `tabular`
(CSV / Parquet / JSON Lines staging), `compile` (the contract-to-SQL compiler), `merge` (loaded /
updated / duplicate / rejected), `manifest` (the loads and rejects tables), `load` (one transaction
per file), `traces/` (the trace formats).
"""

from launchkit.ingest.load import ingest, load_file
from launchkit.ingest.result import FileResult

__all__ = ["FileResult", "ingest", "load_file"]
