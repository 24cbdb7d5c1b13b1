"""The table of input formats: one record per format, and detection that follows it."""

from __future__ import annotations

from launchkit.ingest import formats


def test_each_trace_format_record_is_its_modules_and_names_itself():
    records = formats.trace_formats()
    assert tuple(r.name for r in records) == formats.TRACE_FORMATS
    for r in records:
        assert (r.parse is None) + (r.mapped is None) + (r.refuse is None) == 2, r.name  # exactly one way to read


def test_tabular_formats_are_decided_by_their_suffixes():
    assert formats.TABULAR == {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
    assert formats.TABULAR_FORMATS == ("csv", "parquet", "jsonl")
