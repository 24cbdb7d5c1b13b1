"""Whole files or none: every file launchkit publishes is written to a temporary file beside it, then renamed.

The temporary file is `.<name>.<owner tag>.<random>.tmp` (launchkit.store.leftovers): when a run is
killed before its rename, the next run removes it (`sweep`), and a run still writing keeps its own.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from launchkit.errors import OutputError
from launchkit.store import leftovers

TEMP_PATTERNS = (".*.tmp", ".*.tmp.wal")  # .wal: DuckDB's log of a database being built under a temporary name


def check_folder(folder: Path) -> Path:
    """Refuse, in one line, a folder that cannot be created because a file stands on its path (creates nothing)."""
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(f"cannot create the folder {folder}: {blocker} is a file, not a folder")
    return folder


def ensure_folder(folder: Path) -> Path:
    """Create a folder (and its parents) for launchkit's output, or say in one line what stands in the way."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        check_folder(folder)
        raise OutputError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    return folder


def temp_beside(path: Path, suffix: str = ".tmp") -> Path:
    """A new empty temporary file in path's folder, named after it and tagged with this process."""
    ensure_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{leftovers.tag()}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


def write_bytes(path: Path, data: bytes, *, mode: int = 0o644) -> Path:
    """Write a file whole or not at all: a temporary file in the same folder, fsync, then os.replace."""
    tmp = _written_beside(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _written_beside(path: Path, data: bytes, mode: int) -> Path:
    """A temporary file beside `path` holding `data`, on disk (fsync) with its mode set."""
    tmp = temp_beside(path)
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_text(path: Path, text: str) -> Path:
    """write_bytes for UTF-8 text."""
    return write_bytes(path, text.encode("utf-8"))


def write_new(path: Path, data: bytes, *, mode: int = 0o644) -> Path:
    """Write a file that replaces nothing: `path`, or when it exists `<stem>-2<suffix>`, `-3`, ... (the
    first free name, claimed atomically with a hard link, so two writers never take the same one). The
    data and the folder entry are on disk before it returns: a record that points at the file may follow."""
    tmp = _written_beside(path, data, mode)
    try:
        for k in range(1, 10_000):
            target = path if k == 1 else path.with_name(f"{path.stem}-{k}{path.suffix}")
            try:
                os.link(tmp, target)
            except FileExistsError:
                continue
            _sync_folder(target.parent)
            return target
        raise OutputError(f"cannot write beside {path}: 9,999 files of that name exist")
    finally:
        tmp.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """fsync a folder, so a new entry in it survives a crash (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sweep(folder: Path, *, recursive: bool = False) -> list[Path]:
    """Remove the temporary files killed runs left in `folder` (their owner process is gone)."""
    return leftovers.sweep(folder, TEMP_PATTERNS, recursive=recursive)
