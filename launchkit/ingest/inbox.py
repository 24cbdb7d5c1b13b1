"""Which files of an inbox folder are new: decided by content hash, not by modification time.

A file is new when the warehouse has not looked at its content: not loaded (under any name; into
the table its name claims, for a tabular file) and not failed under this path. So a corrected file
delivered with its original timestamp (`rsync -t`, `cp -p`, tar) is read, and a file that failed is
reported once and read again only when its content changes.

Hashing every inbox file every hour would grow with the inbox's history, so the hash of each path
is remembered with the file's size, modification and change times and inode (`inbox_files`): a file
whose stat is unchanged is not read again. The change time (ctime) cannot be set by a copy tool, so a
rewrite that keeps size and mtime still changes it; a file changed within the last seconds is not
remembered (its times may not have ticked yet) and is hashed again next run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from launchkit.contract import table_for_file
from launchkit.ingest.files import content_hash, not_followed
from launchkit.ingest.formats import TABULAR, data_suffix, is_data_name
from launchkit.store.warehouse import execute

RACY_NS = 2_000_000_000  # a file changed this recently is hashed again next run rather than remembered


def _claimed_table(path: Path) -> str | None:
    """The table a tabular file's name claims (None for a trace file: it may feed any table)."""
    fmt = TABULAR.get(data_suffix(path))
    return table_for_file(path.name) if fmt is not None else None


def inbox_files(folder: Path) -> list[tuple[Path, os.stat_result]]:
    """The folder's data files (not hidden, a data suffix, gzip too) by name, absolute, with their stat;
    a link out of the folder or an entry that is not a regular file is not among them (see `refused`)."""
    if not folder.is_dir():
        return []
    base = folder.resolve()
    out = []
    with os.scandir(base) as entries:
        for e in entries:
            if e.name.startswith(".") or not is_data_name(Path(e.name)) or not_followed(base / e.name, base):
                continue
            try:
                if e.is_file():
                    out.append((base / e.name, e.stat()))
            except OSError:  # gone since it was listed
                continue
    return sorted(out, key=lambda x: x[0].name)


def refused(folder: Path) -> list[tuple[Path, str]]:
    """The folder's entries with a data file's name that are not read, and why: a symbolic link out of the
    folder (never followed: it could expose a file the inbox's writer cannot read), or not a regular file."""
    if not folder.is_dir():
        return []
    base = folder.resolve()
    out = []
    with os.scandir(base) as entries:
        for e in entries:
            if not e.name.startswith(".") and is_data_name(Path(e.name)):
                why = not_followed(base / e.name, base)
                if why is not None:
                    out.append((base / e.name, why))
    return sorted(out)


def new_files(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """The folder's data files whose content the warehouse has not looked at yet, sorted by name."""
    stats = dict(inbox_files(folder))
    if not stats:
        return []
    known = {
        row[0]: row[1:] for row in execute(con, "ingest/inbox_known", {"paths": [str(p) for p in stats]}).fetchall()
    }
    digests: dict[Path, str] = {}
    fresh: list[tuple[Path, tuple[int, int, int, int], str]] = []
    now = time.time_ns()
    for p, st in stats.items():
        sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        k = known.get(str(p))
        if k is not None and tuple(k[:4]) == sig:
            digests[p] = k[4]
            continue
        try:
            digests[p] = content_hash(p)
        except OSError:
            continue
        if now - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
            fresh.append((p, sig, digests[p]))
    if fresh:
        execute(
            con,
            "ingest/inbox_remember",
            {
                "paths": [str(p) for p, _, _ in fresh],
                "sizes": [s[0] for _, s, _ in fresh],
                "mtimes": [s[1] for _, s, _ in fresh],
                "ctimes": [s[2] for _, s, _ in fresh],
                "inodes": [s[3] for _, s, _ in fresh],
                "hashes": [d for _, _, d in fresh],
            },
        ).fetchall()
    loaded: dict[str, set[str | None]] = {}
    failed: set[tuple[str, str]] = set()
    for digest, path, status, table in execute(
        con, "ingest/contents_seen", {"hashes": sorted(set(digests.values()))}
    ).fetchall():
        if status == "loaded":
            loaded.setdefault(digest, set()).add(table)
        else:
            failed.add((digest, path))
    out = []
    for p, digest in digests.items():
        tables = loaded.get(digest)
        if tables and ((claimed := _claimed_table(p)) is None or claimed in tables):
            continue  # this content is in the warehouse already (the loader would skip it)
        if (digest, str(p)) in failed:
            continue  # failed before with this content: reported then, read again once it changes
        out.append(p)
    return out
