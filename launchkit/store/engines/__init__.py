"""Which engine runs the queries, and where it reads the contract tables ([engine] in launchkit.toml).

    open_runner(config)      a QueryRunner to read through (a context manager; close it when done)

- kind "duckdb" without [engine.tables]: the DuckDB warehouse file (or its read-only snapshot);
- kind "duckdb" with [engine.tables]: the same warehouse, with the mapped tables read in place from the
  lake as temporary views (launchkit.store.engines.lake): no ingest;
- kind "spark": launchkit.store.engines.spark.SparkRunner: the queries translated and run on Spark over
  the lake, launchkit's own tables (and the writes) in the warehouse.

The analytics cannot tell them apart: every runner takes the same query names and parameters and returns
the same Python values (tests/test_engines.py holds the engines to equal results). `dialect` translates
DuckDB's SQL to Spark's; docs/scaling.md describes the engines and when Spark pays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from launchkit.config import Config
from launchkit.config.engine import EngineSettings
from launchkit.store import snapshot as snapshot_mod
from launchkit.store.engines.lake import attach_duckdb
from launchkit.store.warehouse import Warehouse

if TYPE_CHECKING:
    from launchkit.store.engines.spark import SparkRunner

    Runner = Warehouse | SparkRunner
else:
    Runner = Any


def runner_on(wh: Warehouse, settings: EngineSettings, *, owns_warehouse: bool = True) -> Runner:
    """The runner of `settings` over an open warehouse (launchkit's own tables, and the writes)."""
    if settings.kind == "spark":
        from launchkit.store.engines.spark import SparkRunner, session

        try:
            return SparkRunner(session(settings), settings, wh, owns_warehouse=owns_warehouse)
        except BaseException:
            if owns_warehouse:
                wh.close()
            raise
    if settings.in_place:
        try:
            attach_duckdb(wh.con, settings)
        except BaseException:
            if owns_warehouse:
                wh.close()
            raise
    return wh


def open_runner(config: Config, *, write: bool = False, snapshot: bool = False) -> Runner:
    """A runner for the configured engine: the warehouse opened read-only (write=True: for writing, e.g. a
    decision; snapshot=True: its read-only snapshot, which the caller has refreshed, as reports read it)."""
    if snapshot:
        wh = snapshot_mod.connect(config, refresh_first=False)
    else:
        wh = Warehouse.open(config.warehouse_path, read_only=not write, wait_s=config.lock_timeout_s)
    return runner_on(wh, config.engine)


def lake_reader(wh: Warehouse, config: Config) -> Runner:
    """A reader of the configured engine beside a writer's warehouse connection (the load job prices the
    lake's turns with it): its views are on a connection of their own, so the writer's tables stay unshadowed.
    Close it before the writer."""
    side = Warehouse(wh.con.cursor(), wh.path, read_only=wh.read_only)
    return runner_on(side, config.engine)


__all__ = ["Runner", "lake_reader", "open_runner", "runner_on"]
