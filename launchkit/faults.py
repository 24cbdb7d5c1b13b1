"""Telling a passing fault (the moment's) from a fault of the input, and saying an OS error in one line.

What fails because of the moment -- a full disk (ENOSPC, or EFBIG past a file-size limit), an I/O
error, a permission or a read-only file system, DuckDB failing to write its files or to commit --
is never recorded as an input file's outcome: the file is read again by the next run. What is wrong
with the input (a malformed file, a truncated gzip stream) is recorded once against its content.
DuckDB reports both kinds as an IO Error, so its message decides. Imports nothing heavy: duckdb's
exceptions are recognised by their module.
"""

from __future__ import annotations

import errno
import os

# DuckDB's words for a fault of the machine rather than of the file read (first lines of its IO Errors).
_DUCKDB_PASSING = (
    "no space left",
    "file too large",
    "input/output error",
    "disk quota",
    "read-only file system",
    "permission denied",
    "could not write",
    "could not truncate",
    "could not fsync",
    "could not sync",
    "failed to commit",
    "out of memory",
    "could not allocate",
)
# DuckDB exception classes that are the moment's whatever they say.
_DUCKDB_ALWAYS = frozenset({"OutOfMemoryException"})
_DUCKDB_MAYBE = frozenset({"IOException", "TransactionException", "FatalException", "InternalException"})


def is_duckdb_error(exc: BaseException) -> bool:
    """Whether `exc` is one of DuckDB's exceptions, told without importing duckdb."""
    return type(exc).__module__.split(".")[0].lstrip("_") == "duckdb"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen and len(seen) < 20:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def os_error_line(exc: OSError) -> str:
    """'<path>: <the errno's words> (<ERRNO>)' -- one line for any OSError (ENOSPC, EFBIG, EACCES, EROFS...)."""
    words = (os.strerror(exc.errno) if exc.errno else exc.strerror) or str(exc) or type(exc).__name__
    code = errno.errorcode.get(exc.errno or -1)
    where = exc.filename if exc.filename is not None else None
    text = f"{words} ({code})" if code else words
    if where is not None:
        text = f"{os.fsdecode(where)}: {text}"
        if exc.filename2 is not None:
            text += f" (to {os.fsdecode(exc.filename2)})"
    return " ".join(text.split())


def _duckdb_line(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for prefix in ("TransactionContext Error: ", "Failed to commit: ", "IO Error: ", "Out of Memory Error: "):
        first = first.replace(prefix, "")
    return first[:300]


def passing_cause(exc: BaseException) -> str | None:
    """One line naming the passing fault behind `exc` (its chain included), or None when the input is to blame.

    An OSError with an errno is the moment's (a gzip reader's BadGzipFile has none: the file's fault).
    """
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno is not None:
            return os_error_line(e)
        if isinstance(e, MemoryError) and not str(e):
            continue  # a reader's MemoryError on a huge value is the input's
        if is_duckdb_error(e):
            name = type(e).__name__
            text = str(e).lower()
            if name in _DUCKDB_ALWAYS or (name in _DUCKDB_MAYBE and any(w in text for w in _DUCKDB_PASSING)):
                return _duckdb_line(e)
    return None
