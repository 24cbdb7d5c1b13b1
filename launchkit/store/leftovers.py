"""What a killed run leaves behind, and how the next run removes it without touching a live run's work.

Every temporary file or folder launchkit makes (a file being written before its rename, a notebook
being executed, a kernel's runtime folder) carries its owner's process id in its name (`tag()`:
`pid@1234`). `sweep` removes the entries of a folder that match a pattern and whose owner process
is gone (killed, crashed): never one whose owner still runs, never one without a tag (not ours, or
older than this rule). A reused process id only delays the removal until that process ends.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

# The random part of tempfile names uses [a-z0-9_], so "@" marks the tag unambiguously.
_TAG = re.compile(r"pid@(\d+)\.")


def tag() -> str:
    """This process's tag, to put in the name of every temporary file or folder it makes."""
    return f"pid@{os.getpid()}"


def owner(name: str) -> int | None:
    """The process id a temporary name was tagged with (the last tag in it), or None."""
    found = _TAG.findall(name)
    return int(found[-1]) if found else None


def alive(pid: int) -> bool:
    """Whether a process with this id exists (owned by anyone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    except OSError:
        return False
    return True


def sweep(folder: Path, patterns: tuple[str, ...], *, recursive: bool = False) -> list[Path]:
    """Remove the tagged entries of `folder` (glob patterns) whose owner process is gone; what was removed."""
    if not folder.is_dir():
        return []
    removed: list[Path] = []
    for pattern in patterns:
        for p in folder.rglob(pattern) if recursive else folder.glob(pattern):
            pid = owner(p.name)
            if pid is None or pid == os.getpid() or alive(pid):
                continue
            try:
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
            except FileNotFoundError:
                continue  # another run removed it first
            except OSError:
                continue  # not ours to remove (permissions): leave it
            removed.append(p)
    return removed
