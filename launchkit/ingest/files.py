"""Which files a load reads (a folder's data files, in name order) and each file's content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from launchkit.ingest.formats import KNOWN_SUFFIXES


def scan_bytes(path: Path) -> tuple[str, int]:
    """SHA-256 of the file and its number of lines, in one read.

    The line count bounds the number of CSV records from above (a record takes at least one line),
    which lets a clean load skip a second parse just to count rows.
    """
    h = hashlib.sha256()
    lines, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return h.hexdigest(), lines


def content_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes: how a load knows it has seen a content before."""
    return scan_bytes(path)[0]


def expand_paths(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool]]:
    """Files named, and every file (sorted, not hidden) in folders named; True for the latter."""
    for p in map(Path, paths):
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if child.is_file() and not child.name.startswith(".") and child.suffix.lower() in KNOWN_SUFFIXES:
                    yield child, True
        else:
            yield p, False
