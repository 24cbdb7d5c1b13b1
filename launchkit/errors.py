"""Explicit exception types. The CLI turns any LaunchkitError into one red line and exit 1."""

from __future__ import annotations


class LaunchkitError(Exception):
    """Base of every error launchkit reports to a user (never shown as a traceback)."""


class ConfigError(LaunchkitError):
    """launchkit.toml (or an override) is invalid; names the offending key."""

    def __init__(self, key: str, message: str, path: str | None = None) -> None:
        self.key = key
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(f"{where}config key '{key}': {message}")


class InputFileError(LaunchkitError):
    """An input file as a whole is not what it claims to be (bad format, wrong columns, empty)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}")


class WarehouseError(LaunchkitError):
    """The warehouse cannot be opened, is locked, or has a schema newer than this launchkit."""


class QueryError(LaunchkitError):
    """A query file is missing, malformed, or was given unknown parameters or identifiers."""


class NotEnoughDataError(LaunchkitError):
    """An operation needs data the warehouse does not have (e.g. a report on an empty window)."""
