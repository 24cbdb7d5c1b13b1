"""The closed table of input formats: tabular by extension, trace formats by content.

Every format launchkit reads is listed here; the trace readers are imported only when a file
needs one (they bring pyarrow). Tests walk this table, so a new format is fuzzed and checked like
the others as soon as it is listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from launchkit.contract import table_for_file

if TYPE_CHECKING:
    from launchkit.ingest.traces.readers import Reader

TABULAR: dict[str, str] = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
TABULAR_FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl")
TRACE_FORMATS: tuple[str, ...] = ("otlp", "otel-json", "otel-js", "phoenix", "langfuse", "span-attributes")
FORMATS: tuple[str, ...] = TABULAR_FORMATS + TRACE_FORMATS
KNOWN_SUFFIXES = frozenset(TABULAR) | {".json"}


def is_tabular(fmt: str | None) -> bool:
    return fmt in TABULAR_FORMATS


def trace_reader(fmt: str) -> Reader:
    """The reader of a trace format (imports the trace importers on first need)."""
    from launchkit.ingest.traces.readers import READERS

    return READERS[fmt]


def detect_format(path: Path) -> str | None:
    """The format of a file: tabular by extension, a trace format by its content, else None."""
    tabular = TABULAR.get(path.suffix.lower())
    # A .jsonl file that names no contract table may be trace JSON Lines (the collector's file exporter).
    if tabular and not (tabular == "jsonl" and table_for_file(path.name) is None):
        return tabular
    from launchkit.ingest.traces.readers import detect

    return detect(path) or tabular
