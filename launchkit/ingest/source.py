"""What a format's reader opens: the input file itself, or a temporary stand-in that reads the same.

DuckDB's readers take a path *pattern*: `[`, `*`, `?` glob-expand (a file `turns [1].csv` would read
its neighbour `turns 1.csv`), `\\` escapes, and a `key=value` folder adds a hive column. So a path
with any of those characters is handed over as a symbolic link with a plain name in a temporary
folder, and every reader is called with hive partitioning off: a name is always read literally.
The stand-in is also where an input is made readable without changing a value:
  - gzip-compressed trace files are decompressed (DuckDB reads .csv.gz / .jsonl.gz itself);
  - a UTF-16 or UTF-32 text file (Excel's "Unicode text", a PowerShell export) is transcoded to UTF-8;
  - a CSV mixing line ends (LF, CRLF, lone CR), which DuckDB's CSV sniffer refuses, gets LF line
    ends outside quoted values (line numbers stay the same).
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from launchkit.config.limits import Limits
from launchkit.errors import InputFileError
from launchkit.ingest.formats import TRACE_FORMATS, delimited, is_gzip, record_of
from launchkit.ingest.inflate import Inflated, inflate

# Characters that make DuckDB treat a path as a pattern (glob, escape, home folder), and '=' (hive).
_PATTERN_CHARS = frozenset("*?[]{}\\~=")
_HEAD = 4096


@dataclass
class Source:
    """The path a reader opens for `original`, and what was done to make it readable (notes)."""

    path: Path
    original: Path
    notes: list[str] = field(default_factory=list)
    inflated: Inflated | None = None  # a gzip file's decompressed size and longest line (launchkit.ingest.inflate)


def _is_plain(text: str) -> bool:
    return not (_PATTERN_CHARS & set(text))


def text_encoding(head: bytes) -> str | None:
    """'utf-16' / 'utf-32' (with their byte order) when the head of a text file is not UTF-8 but wide."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[: len(head) - len(head) % 2]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):  # ASCII text in UTF-16: every other byte NUL
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd * 4 >= len(sample) and even * 10 < odd:
            return "utf-16-le"
        if even * 4 >= len(sample) and odd * 10 < even:
            return "utf-16-be"
    return None


def _transcode(src: Path, dst: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with src.open("rb") as f, dst.open("w", encoding="utf-8", newline="") as out:
            while chunk := f.read(1 << 22):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise InputFileError(
            str(src), f"not UTF-8 (looks like {encoding.upper()}, but byte {exc.start} does not decode)"
        ) from None


# A quoted value (kept as is, "" escapes included: two adjacent matches) or a line end outside quotes.
_LINE_END = re.compile(rb'("[^"]*")|\r\n?')


def _normalize_line_ends(src: Path, dst: Path) -> None:
    """LF line ends outside quoted values; the file is processed in pieces cut outside quotes."""
    carry = b""
    with src.open("rb") as f, dst.open("wb") as out:
        while True:
            chunk = f.read(1 << 22)
            data = carry + chunk
            if not chunk:
                out.write(_LINE_END.sub(lambda m: m.group(1) or b"\n", data))
                return
            cut = _safe_cut(data)
            out.write(_LINE_END.sub(lambda m: m.group(1) or b"\n", data[:cut]))
            carry = data[cut:]


def _safe_cut(data: bytes) -> int:
    """The end of the last complete line outside quotes (an even number of quotes before it), or 0."""
    nl = data.rfind(b"\n")
    quotes = data.count(b'"', 0, nl) if nl >= 0 else 0
    while nl >= 0 and quotes % 2:
        prev = data.rfind(b"\n", 0, nl)
        quotes -= data.count(b'"', max(prev, 0), nl)
        nl = prev
    return nl + 1 if nl >= 0 else 0


@contextmanager
def prepared(
    path: Path, fmt: str, *, normalize_line_ends: bool = False, limits: Limits | None = None
) -> Iterator[Source]:
    """The Source a reader of `fmt` opens for `path`; temporary files are removed on leaving."""
    with ExitStack() as stack:
        tmp: Path | None = None

        def workdir() -> Path:
            nonlocal tmp
            if tmp is None:
                tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="launchkit-")))
                if not _is_plain(str(tmp)):
                    raise InputFileError(str(path), f"the temporary folder {tmp} has a name DuckDB would expand")
            return tmp

        src = Source(path=path, original=path)
        gz = is_gzip(path)
        record = record_of(fmt)
        if record.binary:
            if gz:
                raise InputFileError(
                    str(path), f"gzip-compressed {record.about} is not read ({record.about} compresses inside)"
                )
        else:  # text: CSV, JSON Lines, trace JSON
            encoding = text_encoding(_head(path, gz))
            python_reads = fmt in TRACE_FORMATS  # DuckDB reads gzip itself; the trace readers do not
            current = path
            if gz and (python_reads or encoding or normalize_line_ends):
                current = workdir() / "plain"
                src.inflated = inflate(path, limits or Limits(), current)
                src.notes.append("read from its gzip compression")
            elif gz:  # DuckDB reads it: measured first, within the limits, in bounded memory
                src.inflated = inflate(path, limits or Limits())
            if encoding:
                out = workdir() / "utf8"
                _transcode(current, out, encoding)
                current = out
                src.notes.append(f"transcoded from {encoding.upper()} to UTF-8")
            if normalize_line_ends and delimited(fmt):
                out = workdir() / "lines"
                _normalize_line_ends(current, out)
                current = out
                src.notes.append("mixed line ends (LF, CRLF, CR) read as one kind")
            src.path = current
        absolute = Path(os.path.abspath(src.path))
        if not _is_plain(str(absolute)):
            link = workdir() / ("input.gz" if is_gzip(absolute) else "input")
            try:
                link.symlink_to(absolute)
            except OSError:  # a file system without symbolic links: a copy reads the same
                shutil.copyfile(absolute, link)
            absolute = link
        src.path = absolute
        yield src


def _head(path: Path, gz: bool) -> bytes:
    """The first bytes of the file's content (decompressed when gzip; empty when that fails)."""
    try:
        with gzip.open(path, "rb") if gz else path.open("rb") as f:
            return f.read(_HEAD)
    except (OSError, EOFError, zlib.error):
        return b""  # the reader reports the broken compression
