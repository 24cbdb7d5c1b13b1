"""Loading input files into the warehouse: nothing lost, nothing counted twice.

Modules: `formats` (the closed table of formats, and the boundary that turns any reader failure
into one failed file), `files` (which files, their hashes), `source` (what a reader opens: the file
read literally, decompressed or transcoded), `tabular` (CSV / Parquet / JSON Lines staging),
`compile` (the contract-to-SQL compiler), `merge` (loaded / updated / duplicate / rejected),
`manifest` (the loads and rejects tables), `load` (one transaction per file), `inbox` (which inbox
files are new, by content hash), `held` (rows held for a reason that can change, re-evaluated by every
load), `inflate` (a gzip file read within limits), `traces/` (the trace formats).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launchkit.ingest.load import ingest, load_file
    from launchkit.ingest.result import FileResult

__all__ = ["FileResult", "ingest", "load_file"]
_LAZY = {"ingest": "load", "load_file": "load", "FileResult": "result"}


def __getattr__(name: str) -> Any:
    """The loader on first use: importing launchkit.ingest.formats (the CLI's choices) loads no DuckDB."""
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
