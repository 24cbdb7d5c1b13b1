"""The error types launchkit reports to a user: each carries its data and reads as one line.

The CLI turns any LaunchkitError into one red line and exit status 1 (LAUNCHKIT_DEBUG=1 shows the
traceback behind it); the hourly job turns one into a FAILED line. Anything else is a bug.
"""

from __future__ import annotations


class LaunchkitError(Exception):
    """Base of every error launchkit reports to a user (never shown as a traceback)."""


class ConfigError(LaunchkitError):
    """launchkit.toml (or an override) is invalid; names the file and the offending key."""

    def __init__(self, key: str, message: str, path: str | None = None) -> None:
        self.key = key
        self.path = path
        self.reason = message
        where = f"{path}: " if path else ""
        super().__init__(f"{where}config key '{key}': {message}")


class InputFileError(LaunchkitError):
    """An input file as a whole is not what it claims to be (bad format, wrong columns, empty)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}")


class WarehouseError(LaunchkitError):
    """The warehouse cannot be opened, or has a schema newer than this launchkit."""


class WarehouseBusy(WarehouseError):
    """Another process holds the warehouse for longer than the wait allowed: a temporary failure."""

    def __init__(self, path: str, waited_s: float) -> None:
        self.path = path
        self.waited_s = waited_s
        super().__init__(f"warehouse {path} is in use by another process (waited {waited_s:g}s); try again shortly")


class WarehouseDamaged(WarehouseError):
    """The warehouse file cannot be read whole (truncated, a block that fails its checksum): restore it."""

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(
            f"warehouse {path} is damaged ({detail}): restore the last backup with "
            f"'launchkit restore BACKUP_DIR --warehouse {path} --force', or rebuild it by loading the raw "
            "exports again (docs/operations.md)"
        )


class OutputError(LaunchkitError):
    """A file or folder launchkit writes cannot be made (a file stands where a folder must, no permission)."""


class BackupError(LaunchkitError):
    """A backup cannot be written, or a backup folder is incomplete or does not match its manifest."""


class QueryError(LaunchkitError):
    """A query file is missing, malformed, or was given unknown parameters or identifiers."""


class NotEnoughDataError(LaunchkitError):
    """An operation needs data the warehouse does not have (e.g. a report on an empty window)."""


class TimeValueError(LaunchkitError):
    """A time or date given by a user (a flag, a parameter) that cannot be read."""

    def __init__(self, what: str, value: object, expected: str) -> None:
        self.what = what
        self.value = value
        self.expected = expected
        super().__init__(f"{what}: not {expected}: {value!r}")


class ReportError(LaunchkitError):
    """A report could not be produced (a parameter the notebook does not declare, no kernel, ...)."""


class NotebookFailed(ReportError):
    """A report notebook raised: which cell, which exception, and where the executed copy was kept."""

    def __init__(self, notebook: str, cell: int | None, ename: str, evalue: str, kept_path: str | None) -> None:
        self.notebook = notebook
        self.cell = cell
        self.ename = ename
        self.evalue = evalue
        self.kept_path = kept_path
        kept = f" (kept as {kept_path})" if kept_path else ""
        super().__init__(f"{notebook} failed in cell [{cell}] of the executed notebook: {ename}: {evalue}{kept}")


class BrowserError(LaunchkitError):
    """Chromium is missing, failed, or the page did not render."""


class CountsError(LaunchkitError):
    """A load's counts do not add up (read != loaded + updated + duplicates + rejected + ignored).

    A defect in launchkit, not in the input: the load is rolled back and reported, never committed.
    """

    def __init__(self, path: str, counts: dict[str, int]) -> None:
        self.path = path
        self.counts = counts
        shown = ", ".join(f"{k} {v}" for k, v in counts.items())
        super().__init__(
            f"{path}: counts do not reconcile ({shown}); nothing was loaded (a launchkit defect: please report it)"
        )
