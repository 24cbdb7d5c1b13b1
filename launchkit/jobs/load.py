"""The one write path: load files, price whatever turns need it, record the [quality] settings the
queries apply (launchkit.analytics.latency_sanity), publish the read-only snapshot.

Every writer (`launchkit ingest`, `launchkit demo`, `launchkit hourly`) goes through `run`. Pricing
is judged on the warehouse, not on what this run loaded: turns whose (model, day) has no price, or
prices computed from another price library or other overrides, are re-priced; so a run after a
crash between loading and pricing repairs the costs, and an hour with nothing new prices nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from launchkit import exits
from launchkit.analytics import latency_sanity, pricing
from launchkit.config import Config
from launchkit.ingest import FileResult, held, ingest
from launchkit.ingest.held import Held
from launchkit.progress import ProgressFn
from launchkit.store import snapshot
from launchkit.store.warehouse import Warehouse


@dataclass
class LoadRun:
    """What a load job did: one result per file (and table), and whether it re-priced."""

    results: list[FileResult] = field(default_factory=list)
    repriced: pricing.Refreshed | None = None
    published: Path | None = None
    held: list[Held] = field(default_factory=list)  # rows still held after it (launchkit.ingest.held)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if not r.ok]

    @property
    def all_rejected(self) -> bool:
        """Rows were read and every one was rejected (the files are wrong throughout, or all in the wrong window)."""
        read = [r for r in self.results if r.ok and not r.skipped and r.format != "held"]
        return bool(read) and sum(r.rows_read for r in read) > 0 and all(r.rejected == r.rows_read for r in read)

    def all_rejected_line(self) -> str:
        files = [r for r in self.results if r.ok and not r.skipped and r.format != "held"]
        rows = sum(r.rows_read for r in files)
        return (
            f"REJECTED ALL: every one of the {rows} row{'s' if rows != 1 else ''} read from {len(files)} "
            f"file{'s' if len(files) != 1 else ''} was rejected; nothing was loaded (launchkit status lists the reasons)"
        )

    def status(self) -> int:
        """The exit status of a load (launchkit.exits): failed files or held rows 1, warnings or all rejected 4."""
        return exits.combine(
            exits.FAILED if self.failed or self.held else exits.OK,
            exits.WARNINGS if self.warned or self.all_rejected else exits.OK,
        )

    @property
    def warned(self) -> list[FileResult]:
        """Results with warnings: records not loaded that may hold an LLM call or its spend."""
        return [r for r in self.results if r.ok and r.warnings]


def lock_path(config: Config) -> Path:
    """The lock every scheduled writer takes beside the warehouse (`<warehouse>.hourly.lock`): the hourly
    run holds it while it loads and reports, a restore while it replaces the warehouse."""
    wh = config.warehouse_path
    return wh.with_name(wh.name + ".hourly.lock")


def reprice_if_needed(wh: Warehouse, config: Config) -> pricing.Refreshed | None:
    """Refresh model prices when the warehouse needs it (see the module docstring); what it did, or None.

    With the turns in a lake ([engine.tables] turns), the (model, day) keys are read there, by the
    configured engine; the prices are written to the warehouse either way."""
    if "turns" not in config.engine.tables:
        return pricing.refresh(wh, config) if pricing.needs_refresh(wh, config) else None
    from launchkit.store.engines import lake_reader

    with lake_reader(wh, config) as turns:
        return pricing.refresh(wh, config, turns) if pricing.needs_refresh(turns, config) else None


def prepare_lake(config: Config) -> pricing.Refreshed | None:
    """Before reading a lake ([engine.tables]): price the (model, day) keys its new turns brought and record
    the [quality] settings, as the load job does after loading files, and publish the snapshot when that
    changed the warehouse (or it has none). The lake changes without launchkit, so the commands that read
    it (metrics, decide, readiness, run) call this first; it writes only when something is missing.
    Returns what re-pricing did, or None."""
    if not config.engine.in_place:
        return None
    wh = Warehouse.open(config.warehouse_path, wait_s=config.lock_timeout_s)
    try:
        repriced = reprice_if_needed(wh, config)
        changed = latency_sanity.apply(wh, config)
        if repriced is not None or changed or not snapshot.is_fresh(config.warehouse_path):
            snapshot.publish(wh.con, config.warehouse_path)
        return repriced
    finally:
        wh.close()


def run(
    wh: Warehouse,
    paths: Iterable[str | Path],
    config: Config,
    *,
    table: str | None = None,
    fmt: str | None = None,
    publish: bool = True,
    progress: ProgressFn | None = None,
) -> LoadRun:
    """Re-evaluate the held rows, load the files, re-price if needed, and publish the snapshot of a
    file-backed warehouse.

    Held rows go first (launchkit.ingest.held): they were read before any file named now.
    `progress` is told how far the load has got (launchkit.progress)."""
    released = held.reevaluate(wh.con, config)
    out = LoadRun(results=released + ingest(wh, paths, config=config, table=table, fmt=fmt, progress=progress))
    out.held = held.still_held(wh.con)
    out.repriced = reprice_if_needed(wh, config)
    latency_sanity.apply(wh, config)
    if publish and wh.path is not None and not wh.read_only:
        out.published = snapshot.publish(wh.con, wh.path)
    return out
