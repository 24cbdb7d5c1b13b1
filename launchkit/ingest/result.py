"""What a load did with a file (FileResult), and what a trace reader hands the loader (Staged)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from launchkit.visible import printable


@dataclass
class FileResult:
    """What one load did with one file (and one table, for files that feed several)."""

    file: str
    table: str | None
    format: str | None = None
    rows_read: int = 0
    loaded: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    ignored: int = 0
    ignored_by_reason: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # records not loaded that may hold an LLM call or spend
    skipped: bool = False
    error: str | None = None
    load_id: int | None = None
    detected: bool = False
    passed_over: bool = False  # found in a folder but not read (a subfolder, a README, a .zip, ...)
    reason: str | None = None  # why it was passed over
    transient: bool = False  # failed for a passing reason (the disk, the warehouse): not recorded, read again
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def reconciles(self) -> bool:
        total = self.loaded + self.updated + self.duplicates + self.rejected + self.ignored
        return self.rows_read == total

    def to_json(self) -> dict[str, Any]:
        out = {
            k: v
            for k, v in asdict(self).items()
            if k in ("file", "table", "rows_read", "loaded", "updated", "duplicates", "rejected", "skipped")
        }
        if self.ignored:
            out["ignored"] = self.ignored
        if self.ignored_by_reason:
            out["ignored_by_reason"] = dict(self.ignored_by_reason)
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.format:
            out["format"] = self.format
        if self.error:
            out["error"] = self.error
        if self.transient:
            out["transient"] = True
        if self.notes:
            out["notes"] = self.notes
        if self.passed_over:
            out["passed_over"] = True
            out["reason"] = self.reason or "not a launchkit data file"
        return out

    @property
    def all_rejected(self) -> bool:
        """Every row read was rejected (a file of nothing but bad rows)."""
        return self.ok and not self.skipped and self.rows_read > 0 and self.rejected == self.rows_read

    def summary(self) -> str:
        """One line (a name's control characters escaped: launchkit.visible.printable), then any warnings."""
        name = printable(self.file)
        if self.error:
            return f"FAILED {name}: {printable(self.error)}"
        if self.passed_over:
            return f"passed over {name}: {self.reason or 'not a launchkit data file'}"
        if self.skipped:
            return f"skipped {name}: content already loaded"
        extra = f", {self.ignored} ignored" if self.ignored else ""
        if self.ignored_by_reason:
            extra += " (" + ", ".join(f"{k} {v}" for k, v in sorted(self.ignored_by_reason.items())) + ")"
        line = (
            f"{name} -> {self.table}: {self.rows_read} read, {self.loaded} loaded, "
            f"{self.updated} updated, {self.duplicates} duplicates, {self.rejected} rejected{extra}"
        )
        for w in self.warnings:
            line += f"\n  WARNING {w}"
        return line


@dataclass
class Staged:
    """A trace file read by its reader: a staged relation per contract table (a temp view on the
    connection with a `_row` column and contract column names), the records ignored and rejected
    before staging, and notes for the user."""

    tables: dict[str, str]  # contract table -> name of a temp relation on the connection
    rows_read: dict[str, int] = field(default_factory=dict)  # per table; rows routed to it
    ignored: int = 0
    ignored_by_reason: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    pre_rejects: list[tuple[int, str | None, str, str]] = field(default_factory=list)  # row, column, reason, raw
    notes: list[str] = field(default_factory=list)
    kind: str = "TABLE"  # TABLE, or VIEW for a relation streamed from files (a large tabular file, trace rows)
    scratch: Any = None  # a tempfile.TemporaryDirectory the staged views read from: removed after the merge
    read_from: str | None = None  # the path the reader opened (a stand-in: launchkit.ingest.source)
