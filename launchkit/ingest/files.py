"""Which files a load reads (a folder's entries, in name order, each read or passed over with a reason)
and each file's content hash and line-ending profile."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from launchkit.ingest.formats import pass_over_reason


class Scan(NamedTuple):
    """What one read of a file's bytes tells: its SHA-256, an upper bound of its lines, its line ends."""

    digest: str
    lines: int  # line ends (LF, CRLF or a lone CR each count once), +1 for an unterminated last line
    newlines: str  # 'lf', 'crlf', 'cr', 'mixed' or 'none'


def scan_bytes(path: Path) -> Scan:
    """SHA-256 of the file, its number of lines and which line ends it uses, in one read.

    The line count bounds the number of CSV records from above (a record takes at least one line),
    which lets a clean load skip a second parse just to count rows. Every line end counts: LF,
    CRLF, and a lone CR (old Mac exports), so a CR-only file is not bounded at zero records.
    """
    h = hashlib.sha256()
    lf = cr = crlf = 0
    last = b"\n"
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
            lf += chunk.count(b"\n")
            n_cr = chunk.count(b"\r")
            if n_cr:
                cr += n_cr
                crlf += chunk.count(b"\r\n")
                if last == b"\r" and chunk[:1] == b"\n":  # a CRLF split across two reads
                    crlf += 1
            last = chunk[-1:]
    lone_cr, lone_lf = cr - crlf, lf - crlf
    lines = lone_lf + crlf + lone_cr
    if last not in (b"\n", b"\r"):
        lines += 1
    kinds = [k for k, n in (("lf", lone_lf), ("crlf", crlf), ("cr", lone_cr)) if n]
    return Scan(h.hexdigest(), lines, kinds[0] if len(kinds) == 1 else ("mixed" if kinds else "none"))


def content_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes: how a load knows it has seen a content before."""
    return scan_bytes(path).digest


def not_followed(entry: Path, folder: Path) -> str | None:
    """Why a folder's entry is not read without looking inside it: a symbolic link that leads out of the
    folder (or nowhere), or not a regular file (a FIFO would block the run). None: a file to consider.

    The inbox's writer may not read what launchkit can: a link is never followed out of the folder.
    """
    try:
        mode = os.lstat(entry).st_mode
    except OSError:
        return None  # gone since it was listed: the loader says so
    if stat.S_ISLNK(mode):
        try:
            target = entry.resolve(strict=True)
        except (OSError, RuntimeError):
            return "a symbolic link to nothing (not followed)"
        if not target.is_relative_to(folder.resolve()):
            return "a symbolic link to a file outside the folder (not followed)"
        mode = os.stat(target).st_mode
    if stat.S_ISDIR(mode):
        return None  # a folder: the format table names it
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, socket or device is not read)"
    return None


def expand_paths(paths: Iterable[str | Path]) -> Iterator[tuple[Path, bool, str | None]]:
    """Files named, and every entry (sorted) of folders named: (path, from a folder, why it is passed over).

    A folder's entry that is not read (a subfolder, a hidden file, a README, a .zip) comes with its
    reason, so a folder load lists everything it did not read; a file named explicitly has none.
    """
    for p in map(Path, paths):
        if p.is_dir():
            for child in sorted(p.iterdir()):
                yield child, True, not_followed(child, p) or pass_over_reason(child)
        else:
            yield p, False, None
