"""Reading a gzip file's content within limits: its decompressed size, compression ratio and longest line.

A small .gz can expand without end (a decompression bomb, or one 200 MB record in a 200 KB file).
Every gzip input is streamed through `inflate` once, in bounded memory, before a reader sees it:
past [ingest] max_decompressed_mb, or expanding more than [ingest] max_compression_ratio times its
compressed bytes read so far, it fails at once in one line, and a line longer than [ingest]
max_record_mb is reported the same way, so no reader retries on it. The size and longest line it
measures set the CSV reader's line limit (launchkit.ingest.tabular).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import NamedTuple

from launchkit.config.limits import Limits
from launchkit.errors import InputFileError

CHUNK = 1 << 20
RATIO_AFTER = 8 << 20  # the ratio is judged once this much has been decompressed (small files vary)


class Inflated(NamedTuple):
    size: int  # decompressed bytes
    longest_line: int  # bytes of the longest line (LF-separated), its line end excluded


def _mib(n: float) -> str:
    """A size for a message: whole MiB as set (4 MiB), else one decimal, or KiB below one MiB."""
    v = n / (1 << 20)
    if v == int(v):
        return f"{int(v)} MiB"
    return f"{n / 1024:.0f} KiB" if n < 1 << 20 else f"{v:.1f} MiB"


def record_too_long(needed: int | None, limits: Limits) -> str:
    """The one-line reason for a record over [ingest] max_record_mb."""
    size = f"of more than {_mib(needed)} " if needed else ""
    return (
        f"a record {size}is longer than [ingest] max_record_mb ({_mib(limits.max_record)}); "
        "not read (raise the limit to load it)"
    )


def inflate(path: Path, limits: Limits, out: Path | None = None) -> Inflated:
    """Stream the gzip file `path` (into `out`, when given) within `limits`; InputFileError past one.

    A broken gzip stream is the file's fault (InputFileError); an OSError with an errno (the disk)
    is not and passes through.
    """
    name = str(path)
    size = longest = run = 0
    try:
        with path.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as gz:
            dst = out.open("wb") if out is not None else None
            try:
                while chunk := gz.read(CHUNK):
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise InputFileError(
                            name,
                            f"decompresses to more than [ingest] max_decompressed_mb ({_mib(limits.max_bytes)}); "
                            "not read",
                        )
                    if size > RATIO_AFTER and size > limits.max_ratio * max(raw.tell(), 1):
                        raise InputFileError(
                            name,
                            f"expands more than [ingest] max_compression_ratio ({limits.max_ratio:g}) times "
                            f"its compressed size ({_mib(size)} from {_mib(raw.tell())}); not read",
                        )
                    parts = chunk.split(b"\n")
                    if len(parts) == 1:
                        run += len(chunk)
                    else:
                        longest = max(longest, run + len(parts[0]), max(map(len, parts[1:-1]), default=0))
                        run = len(parts[-1])
                    if max(longest, run) > limits.max_record:
                        raise InputFileError(name, record_too_long(max(longest, run), limits))
                    if dst is not None:
                        dst.write(chunk)
            finally:
                if dst is not None:
                    dst.close()
    except InputFileError:
        raise
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputFileError(name, f"not a readable gzip file ({_first(exc)})") from None
    except OSError as exc:
        if exc.errno is None:  # gzip's own complaints about the stream
            raise InputFileError(name, f"not a readable gzip file ({_first(exc)})") from None
        raise
    return Inflated(size, max(longest, run))


def _first(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text and text[0] else type(exc).__name__
