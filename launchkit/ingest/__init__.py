"""Loading input files into the warehouse: nothing lost, nothing counted twice.

Modules: `formats` (the closed table of formats, and the boundary that turns any reader failure
into one failed file), `files` (which files, their hashes), `source` (what a reader opens: the file
read literally, decompressed or transcoded), `tabular` (CSV / Parquet / JSON Lines staging),
`compile` (the contract-to-SQL compiler), `merge` (loaded / updated / duplicate / rejected),
`manifest` (the loads and rejects tables), `load` (one transaction per file), `inbox` (which inbox
files are new, by content hash), `held` (rows held for a reason that can change, re-evaluated by every
load), `inflate` (a gzip file read within limits), `traces/` (the trace formats).
"""

from launchkit.ingest.load import ingest, load_file
from launchkit.ingest.result import FileResult

__all__ = ["FileResult", "ingest", "load_file"]
