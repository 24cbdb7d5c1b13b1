"""A read-only snapshot of the warehouse, so that readers never block the writer.

DuckDB lets one process write a database file, and any connection from another process (even a
read-only one) keeps the writer out. Reports and notebooks therefore never open the warehouse
itself for long: they read `<warehouse stem>.snapshot.duckdb`, a copy that a writer publishes
after each successful write (checkpoint, copy to a temporary file in the same folder, then an
atomic `os.replace`). A reader that still holds the previous snapshot keeps reading that file
(its inode stays alive until it closes it); the next connection sees the new one.

A sidecar `<snapshot>.json` records the size and modification time of the warehouse file the
snapshot was taken from, so `refresh` copies only when the warehouse changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from launchkit.config import Config
from launchkit.errors import WarehouseError
from launchkit.store import atomic
from launchkit.store.connect import connect as connect_file
from launchkit.store.migrate import expected_version, schema_version
from launchkit.store.warehouse import Warehouse
from launchkit.store.writers import WritersLock

SUFFIX = ".snapshot.duckdb"


def snapshot_path(warehouse_path: str | Path) -> Path:
    """Where the snapshot of a warehouse lives: beside it, `<stem>.snapshot.duckdb`."""
    p = Path(warehouse_path)
    return p.with_name(p.stem + SUFFIX)


def _sidecar(snap: Path) -> Path:
    return snap.with_name(snap.name + ".json")


def _source_signature(warehouse_path: Path) -> dict[str, int] | None:
    try:
        st = warehouse_path.stat()
    except FileNotFoundError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _wal(warehouse_path: Path) -> Path:
    return warehouse_path.with_name(warehouse_path.name + ".wal")


def is_fresh(warehouse_path: str | Path) -> bool:
    """True when the snapshot exists and was taken from the warehouse file as it is now."""
    wh = Path(warehouse_path)
    snap = snapshot_path(wh)
    if not snap.is_file():
        return False
    wal = _wal(wh)
    if wal.exists() and wal.stat().st_size > 0:  # changes not yet checkpointed into the file
        return False
    try:
        meta = json.loads(_sidecar(snap).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return False
    if meta.get("schema_version") != expected_version():  # launchkit was upgraded: migrate first
        return False
    return meta.get("source") == _source_signature(wh)


def publish(con: duckdb.DuckDBPyConnection, warehouse_path: str | Path) -> Path:
    """Copy the warehouse to its snapshot; `con` must be this process's read-write connection to it.

    Holding the writer's connection keeps every other writer out while the file is copied, and
    the CHECKPOINT first puts every committed change into the file, so the copy is consistent.
    """
    wh = Path(warehouse_path)
    snap = snapshot_path(wh)
    atomic.sweep(snap.parent)  # copies a killed writer left behind
    con.execute("CHECKPOINT")
    tmp = atomic.temp_beside(snap)
    try:
        shutil.copyfile(wh, tmp)
        os.chmod(tmp, 0o444)
        os.replace(tmp, snap)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    meta = {
        "source": _source_signature(wh),
        "schema_version": schema_version(con),
        "warehouse": str(wh),
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    atomic.write_bytes(_sidecar(snap), json.dumps(meta).encode())
    return snap


@dataclass(frozen=True)
class Refresh:
    """What `refresh` did: the snapshot's path, whether it copied, and whether it is current."""

    path: Path
    published: bool
    current: bool
    note: str | None = None


def refresh(config: Config, *, wait_s: float | None = None) -> Refresh:
    """Make the snapshot current, copying only when the warehouse changed since the last copy.

    When another process holds the warehouse for longer than `wait_s` (default
    hourly.lock_timeout_s), an existing snapshot is used as it is and the result says so.
    """
    wh = config.warehouse_path
    snap = snapshot_path(wh)
    if not wh.exists():
        if snap.is_file():
            return Refresh(snap, False, False, f"no warehouse at {wh}; using the last snapshot")
        raise WarehouseError(f"no warehouse at {wh}: run 'launchkit ingest' or 'launchkit demo' first")
    if is_fresh(wh):
        return Refresh(snap, False, True)
    wait = config.lock_timeout_s if wait_s is None else wait_s
    lock = WritersLock(wh)  # publishing writes (a migration, a checkpoint): never while a restore goes
    try:
        lock.acquire(wait)
        con = connect_file(wh, wait_s=wait)
    except WarehouseError as exc:
        lock.release()
        if snap.is_file():
            return Refresh(snap, False, False, f"{exc}; using the last snapshot")
        raise
    try:
        publish(con, wh)
    finally:
        con.close()
        lock.release()
    # Closing may touch the file once more; record the signature the next reader will see.
    _rerecord(snap, wh)
    return Refresh(snap, True, True)


def _rerecord(snap: Path, wh: Path) -> None:
    side = _sidecar(snap)
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return
    meta["source"] = _source_signature(wh)
    atomic.write_bytes(side, json.dumps(meta).encode())


_OPEN: dict[str, Warehouse] = {}


def connect(config: Config, *, refresh_first: bool = True, wait_s: float | None = None) -> Warehouse:
    """A read-only connection to the (refreshed) snapshot; the way notebooks read the warehouse.

    A second call in the same process closes the connection the first one returned, so that a
    notebook re-run top to bottom sees the newest snapshot instead of a cached older file.
    """
    if refresh_first:
        r = refresh(config, wait_s=wait_s)
        path = r.path
    else:
        path = snapshot_path(config.warehouse_path)
    key = str(path)
    old = _OPEN.pop(key, None)
    if old is not None:
        with contextlib.suppress(duckdb.Error):
            old.close()
    wh = Warehouse(connect_file(path, read_only=True), path, read_only=True)
    _OPEN[key] = wh
    return wh


def info(warehouse_path: str | Path) -> dict[str, Any]:
    """The snapshot's sidecar record (JSON-ready), or an empty dict when there is none."""
    try:
        return json.loads(_sidecar(snapshot_path(warehouse_path)).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
