"""The closed table of file formats: tabular by extension, trace formats by content, and what writes them.

Every format launchkit reads is one record of TABLE: its name, what its users call it, the file
names that decide it (tabular), or the module whose FORMAT tells it from its content and reads it
(trace formats: launchkit.ingest.traces.spans.TraceFormat, imported only when a file needs one). The
order of TABLE is the order trace formats are told apart in. Tests walk this table, so a new format
is fuzzed and checked like the others as soon as it is listed.

This module is also the boundary between the loader and a format's reader: `reader_errors` turns
anything a reader raises on malformed input (TypeError, RecursionError, UnicodeError, MemoryError,
a DuckDB parse error, ...) into one InputFileError naming the file, so one bad file is one failed
file, never a traceback that stops a batch.
"""

from __future__ import annotations

import gzip
import importlib
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from launchkit.contract import table_for_file
from launchkit.errors import CountsError, InputFileError
from launchkit.faults import is_duckdb_error, passing_cause

if TYPE_CHECKING:
    from launchkit.ingest.traces.readers import Reader
    from launchkit.ingest.traces.spans import TraceFormat


@dataclass(frozen=True)
class Format:
    """One file format: `suffixes` decide a tabular one by name; `module` (under launchkit.ingest.
    traces) holds a trace format's record, FORMAT, which tells it by content and reads it.

    A tabular format's record also says how it is read -- `reader`, its staging function in
    launchkit.ingest.tabular, and what the loader does around it (`delimited`, `binary`, `objects`)
    -- and, where launchkit writes it, its writers ("module:function", imported by the writing
    layer: `launchkit synth`, `launchkit export cost`). A format launchkit only writes has `reads` False.
    """

    name: str
    about: str = ""  # a tabular format's name in messages (a trace format's record says its own)
    suffixes: tuple[str, ...] = ()
    module: str | None = None
    record: str = "FORMAT"  # the name of the record in `module`
    reader: str = ""  # a tabular format's staging function in launchkit.ingest.tabular
    # Read by DuckDB's CSV reader: a line-size limit, a sniffed dialect, malformed lines as rejects,
    # one kind of line end, and a line count that bounds the records.
    delimited: bool = False
    binary: bool = False  # not text: never transcoded nor gzip-decompressed (it compresses inside)
    # One JSON object per line: typed once the keys are checked; a name naming no table may be traces.
    objects: bool = False
    reads: bool = True  # an input format (False: launchkit only writes it)
    synth_writer: str = ""  # writes a synthetic table's files (launchkit.synth.pilot)
    export_writer: str = ""  # writes the cost export's tables (launchkit.reports.files.exports)
    one_file: bool = False  # the export is one file with every table (else a folder, one file per table)
    lake: bool = False  # `launchkit synth --partition-by` writes a lake of it (launchkit.synth.lake)
    # A format stored as Parquet told by its file's key-value metadata: the key that claims a .parquet file
    # (its module's `file_metadata(path)` reads it), loaded after a folder's other files (it judges their rows).
    parquet_key: str = ""

    @property
    def tabular(self) -> bool:
        return self.module is None


TABLE: tuple[Format, ...] = (
    Format(
        "csv",
        "CSV",
        (".csv",),
        reader="stage_csv",
        delimited=True,
        synth_writer="launchkit.synth.pilot:write_csv_parts",
        export_writer="launchkit.reports.files.sheets:write_csv",
    ),
    Format(
        "parquet",
        "Parquet",
        (".parquet",),
        reader="stage_parquet",
        binary=True,
        synth_writer="launchkit.synth.pilot:write_parquet_parts",
        lake=True,
    ),
    Format("jsonl", "JSON Lines", (".jsonl", ".ndjson"), reader="stage_jsonl", objects=True),
    Format("tempo", module="tempo"),  # before otlp: OTLP inside a wrapper
    Format("otlp", module="otlp"),
    Format("jaeger", module="jaeger"),
    Format("cloudwatch-spans", module="cloudwatch"),  # before otel-js: also a traceId and a spanId
    Format("langsmith-feedback", module="langsmith_feedback"),  # evaluations and feedback on runs
    Format("langsmith", module="langsmith"),  # runs: turns and tool calls
    Format("datadog-llmobs", module="datadog"),  # before phoenix: its Export API names a span_kind too
    Format("langfuse", module="langfuse"),
    Format("phoenix-annotations", module="annotations"),  # evaluations and feedback on spans
    Format("phoenix", module="phoenix"),
    Format("phoenix-evaluations", module="phoenix_evals", binary=True, parquet_key="arize"),  # saved SpanEvaluations
    Format("otel-json", module="sdk_json"),
    Format("otel-js", module="otel_js"),
    Format("span-attributes", module="attribute_set"),
    Format(
        "xlsx",
        "Excel workbook",
        (".xlsx",),
        binary=True,
        reads=False,
        export_writer="launchkit.reports.files.sheets:write_xlsx",
        one_file=True,
    ),
)
FORMAT_BY_NAME: dict[str, Format] = {f.name: f for f in TABLE}
_READ = tuple(f for f in TABLE if f.reads)
TABULAR: dict[str, str] = {suffix: f.name for f in _READ for suffix in f.suffixes}
TABULAR_FORMATS: tuple[str, ...] = tuple(f.name for f in _READ if f.tabular)
TRACE_FORMATS: tuple[str, ...] = tuple(f.name for f in _READ if not f.tabular)
SYNTH_FORMATS: tuple[str, ...] = tuple(f.name for f in TABLE if f.synth_writer)  # `launchkit synth` writes these
EXPORT_FORMATS: tuple[str, ...] = tuple(f.name for f in TABLE if f.export_writer)  # and `launchkit export` these
LAKE_FORMATS: tuple[str, ...] = tuple(f.name for f in TABLE if f.lake)
FORMATS: tuple[str, ...] = TABULAR_FORMATS + TRACE_FORMATS
DATA_SUFFIXES = frozenset(TABULAR) | {".json"}
# gzip is read (DuckDB reads .csv.gz / .jsonl.gz natively; trace files are decompressed first);
# other compressions are named as passed over, never silently skipped.
GZIP_SUFFIXES = frozenset({".gz", ".gzip"})
OTHER_COMPRESSION: dict[str, str] = {
    ".zip": "zip",
    ".bz2": "bzip2",
    ".xz": "xz",
    ".zst": "zstd",
    ".lz4": "lz4",
    ".7z": "7z",
    ".tgz": "tar+gzip",
    ".tar": "tar",
}
GUNZIP_LIMIT = 4 << 30  # bytes a gzip file may decompress to (a bigger one is refused)


def is_tabular(fmt: str | None) -> bool:
    return fmt in TABULAR_FORMATS


def record_of(fmt: str) -> Format:
    """The record of a format named by launchkit (a KeyError is a defect: names are checked at the edge)."""
    return FORMAT_BY_NAME[fmt]


def delimited(fmt: str | None) -> bool:
    """Whether a format is read by DuckDB's CSV reader (its line limit, dialect, malformed lines, line ends)."""
    return fmt is not None and fmt in FORMAT_BY_NAME and FORMAT_BY_NAME[fmt].delimited


def writer(fmt: str, role: str) -> Any:
    """The function that writes `fmt` for `role` ('synth' or 'export'), imported by the writing layer."""
    ref = getattr(record_of(fmt), f"{role}_writer")
    if not ref:
        raise ValueError(f"launchkit does not write {fmt} for {role}")
    module, name = ref.split(":")
    return getattr(importlib.import_module(module), name)


def is_gzip(path: Path) -> bool:
    """Whether the file is gzip-compressed (by its name: x.csv.gz)."""
    return path.suffix.lower() in GZIP_SUFFIXES


def data_suffix(path: Path) -> str:
    """The suffix that names the data format, under any compression suffix: '.csv' for x.csv.gz."""
    name = Path(path.name)
    if name.suffix.lower() in GZIP_SUFFIXES:
        name = Path(name.stem)
    return name.suffix.lower()


def _gzipped_binary(path: Path) -> Format | None:
    """The binary format (Parquet) a gzip file's inner name says, which launchkit does not read gzipped."""
    fmt = TABULAR.get(data_suffix(path)) if is_gzip(path) else None
    return FORMAT_BY_NAME[fmt] if fmt is not None and FORMAT_BY_NAME[fmt].binary else None


def is_data_name(path: Path) -> bool:
    """A name launchkit reads: .csv, .parquet, .jsonl, .ndjson, .json, each optionally .gz."""
    if _gzipped_binary(path) is not None:
        return False  # Parquet compresses inside; a gzipped Parquet file is not read
    return data_suffix(path) in DATA_SUFFIXES


def pass_over_reason(path: Path) -> str | None:
    """Why a folder's entry is not read, or None when it may be a data file."""
    if path.is_dir():
        return "a folder (folders are not read recursively; name it to load it)"
    if not path.is_file():
        return "not a regular file"
    if path.name.startswith("."):
        return "hidden file"
    suffix = path.suffix.lower()
    if suffix in OTHER_COMPRESSION:
        return f"compressed with {OTHER_COMPRESSION[suffix]}, which is not read (decompress it, or use gzip)"
    binary = _gzipped_binary(path)
    if binary is not None:
        return f"gzip-compressed {binary.about} is not read ({binary.about} compresses inside: load the {binary.suffixes[0]} file)"
    if not is_data_name(path):
        return (
            f"not a data file type ({suffix or 'no suffix'}; launchkit reads .csv, .parquet, .jsonl, .json, gzip too)"
        )
    return None


@cache
def trace_formats() -> tuple[TraceFormat, ...]:
    """The trace formats' records in the order of TABLE (imports their modules on first need)."""
    return tuple(
        getattr(importlib.import_module(f"launchkit.ingest.traces.{f.module}"), f.record)
        for f in TABLE
        if f.module is not None
    )


def trace_reader(fmt: str) -> Reader:
    """The reader of a trace format (imports the trace importers on first need)."""
    from launchkit.ingest.traces.readers import reader

    return reader(next(f for f in trace_formats() if f.name == fmt))


def parquet_claim(path: Path) -> str | None:
    """The format whose metadata key a .parquet file's key-value metadata holds (Phoenix evaluations), else None."""
    if path.suffix.lower() != ".parquet":
        return None
    for f in _READ:
        module = f"launchkit.ingest.traces.{f.module}"
        if f.parquet_key and f.module is not None and importlib.import_module(module).file_metadata(path) is not None:
            return f.name
    return None


def format_by_name(path: Path) -> str | None:
    """The tabular format a file's name decides (x.csv, x.csv.gz, turns_x.jsonl), else None (look inside); a
    .parquet file whose metadata a format claims is of that format (parquet_claim)."""
    claimed = parquet_claim(path)
    if claimed is not None:
        return claimed
    tabular = TABULAR.get(data_suffix(path))
    # A .jsonl file that names no contract table may be trace JSON Lines (the collector's file exporter).
    if tabular and not (FORMAT_BY_NAME[tabular].objects and table_for_file(path.name) is None):
        return tabular
    return None


def detect_format(path: Path, content: Path | None = None) -> str | None:
    """The format of a file: tabular by extension, a trace format by its content, else None.

    Under a .gz suffix the suffix below names the format (x.csv.gz is CSV). `content` is the file
    to read for content detection when it differs from `path`: the decompressed, transcoded
    stand-in of a gzip or UTF-16 file (launchkit.ingest.source). Never raises.
    """
    by_name = format_by_name(path)
    if by_name is not None:
        return by_name
    tabular = TABULAR.get(data_suffix(path))
    from launchkit.ingest.traces.readers import detect

    try:
        return detect(content or path, trace_formats()) or tabular
    except Exception:
        return tabular


def gunzip_to(path: Path, out: Path, limit: int) -> None:
    """Decompress a gzip file into `out`, refusing more than `limit` bytes (a decompression bomb)."""
    written = 0
    try:
        with gzip.open(path, "rb") as src, out.open("wb") as dst:
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise InputFileError(str(path), f"decompresses to more than {limit >> 20} MiB; not read")
                dst.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputFileError(str(path), f"not a readable gzip file ({_one_line(exc)})") from None


# A quoted literal in a reader's message is usually a value from the file: never echoed (issue 18, item 5).
_QUOTED = re.compile("'[^']*'|\"[^\"]*\"")


def _one_line(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).strip().splitlines()
    line = (text[0][:limit] if text and text[0] else type(exc).__name__).strip()
    return _QUOTED.sub("'...'", line)


def reason_for(exc: BaseException, fmt: str | None) -> str:
    """One line saying why a reader could not read a file, for any exception it raised."""
    what = (fmt or "data").upper() if fmt in TABULAR_FORMATS else (fmt or "data")
    if isinstance(exc, RecursionError):
        return f"not a readable {what} file (nested too deeply to read)"
    if isinstance(exc, MemoryError):
        return f"not a readable {what} file (too large to read into memory)"
    if isinstance(exc, UnicodeError):
        return f"not a readable {what} file (not UTF-8 text: {_one_line(exc)})"
    if is_duckdb_error(exc):  # DuckDB's (launchkit.faults: its module is not imported here)
        return f"not a readable {what} file ({_one_line(exc)})"
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return f"not a readable {what} file (a number with more digits than can be read)"
    if isinstance(exc, (TypeError, KeyError, AttributeError, IndexError)):
        return f"not a readable {what} file (a value of an unexpected type or shape: {type(exc).__name__}: {_one_line(exc)})"
    return f"not a readable {what} file ({type(exc).__name__}: {_one_line(exc)})"


class ReadAgain(Exception):
    """A reader asks to be called again with other options (e.g. a longer CSV line limit)."""


@contextmanager
def reader_errors(name: str, fmt: str | None) -> Iterator[None]:
    """Inside: a format's reader at work on file `name`. Whatever it raises leaves as InputFileError.

    The guarantee is structural: an importer present or future cannot stop a batch with a
    traceback, whatever the input. KeyboardInterrupt and SystemExit pass through; so does a
    CountsError (a defect in launchkit's bookkeeping, reported as such).
    """
    try:
        yield
    except InputFileError as exc:
        if "\n" in exc.reason or "\r" in exc.reason:  # one line, whatever a reader said
            raise InputFileError(exc.path, " ".join(exc.reason.split())) from exc.__cause__
        raise
    except (CountsError, ReadAgain):
        raise
    except Exception as exc:
        if passing_cause(exc) is not None:  # the disk, not the file (launchkit.faults): read it again next run
            raise
        raise InputFileError(name, reason_for(exc, fmt)) from exc
