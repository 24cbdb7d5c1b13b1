"""The backup job: `launchkit backup`, `launchkit restore`, and the backups the hourly run keeps.

A backup is taken from the read-only snapshot (refreshed first), so it never keeps the writer or a
notebook out, and is consistent: the snapshot is a checkpointed copy made under the writer's lock.
It carries the config file and the go/no-go checklist in force. The hourly run makes one when the
newest in [backup] dir is [backup] every_hours old, and keeps the [backup] keep newest.
launchkit.store.backup writes and restores the folders; docs/operations.md is the runbook.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from launchkit.analytics.gonogo import DEFAULT_CHECKLIST
from launchkit.config import Config
from launchkit.errors import WarehouseBusy, WarehouseDamaged, WarehouseError
from launchkit.jobs.load import lock_path
from launchkit.store import backup, snapshot
from launchkit.store.connect import connect
from launchkit.store.warehouse import Warehouse


def attachments(config: Config) -> dict[str, Path]:
    """The files a backup carries besides the tables: the config file (if any) and the checklist in force."""
    out = {"checklist.toml": config.checklist_path or Path(str(DEFAULT_CHECKLIST))}
    if config.path is not None:
        out["launchkit.toml"] = Path(config.path)
    return out


def folder(config: Config) -> Path:
    """Where the hourly run keeps its backups: [backup] dir, else `backups/` beside the warehouse."""
    return config.backup_dir or config.warehouse_path.parent / "backups"


def run(config: Config, out: Path, *, now: datetime | None = None) -> backup.Manifest:
    """Back up the warehouse (through its refreshed snapshot) into the new folder `out`."""
    r = snapshot.refresh(config)
    if not r.current:  # no warehouse beside an old snapshot, or the writer held it too long
        if not config.warehouse_path.exists():
            raise WarehouseError(f"no warehouse at {config.warehouse_path} (only a snapshot): nothing to back up")
        raise WarehouseBusy(str(config.warehouse_path), config.lock_timeout_s)
    wh = Warehouse(connect(r.path, read_only=True), r.path, read_only=True)
    try:
        return backup.make(wh, out, attachments=attachments(config), source=config.warehouse_path, now=now)
    except WarehouseDamaged as exc:
        raise WarehouseDamaged(str(config.warehouse_path), f"{exc.detail}, in its snapshot {r.path}") from None
    finally:
        wh.close()


def scheduled(config: Config, now: datetime | None = None) -> backup.Manifest | None:
    """The hourly run's backup: one when [backup] keep > 0 and the newest is every_hours old; then keep N."""
    if config.backup_keep <= 0:
        return None
    now = (now or datetime.now(UTC)).astimezone(UTC)
    where = folder(config)
    found = backup.listing(where)
    made = None
    if not found or now - _created(found[0]) >= timedelta(hours=config.backup_every_hours):
        made = run(config, where / now.strftime("%Y-%m-%dT%H%M%SZ"), now=now)
    backup.prune(where, config.backup_keep)
    return made


def _created(m: backup.Manifest) -> datetime:
    try:
        return datetime.fromisoformat(m.created_at.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def restore(config: Config, source: Path, *, force: bool = False) -> backup.Restored:
    """Restore the warehouse from a backup folder, with the hourly run kept out; then publish its snapshot.

    Refuses while another process holds the warehouse (WarehouseBusy: close it, or try again).
    """
    from filelock import FileLock, Timeout

    wh_path = config.warehouse_path
    backup.verify(source)  # a bad backup is refused before anything waits or moves
    lock = FileLock(str(lock_path(config)), timeout=config.lock_timeout_s)
    try:
        lock.acquire()
    except Timeout:
        raise WarehouseBusy(str(lock_path(config)), config.lock_timeout_s) from None
    except OSError as exc:
        raise WarehouseError(f"cannot take the lock {lock_path(config)}: {exc.strerror or exc}") from None
    try:
        if wh_path.exists() and force:
            # nobody may hold the file about to be replaced (a damaged one is the reason for restoring)
            with contextlib.suppress(WarehouseDamaged):
                connect(wh_path, migrate_schema=False, wait_s=config.lock_timeout_s).close()
        done = backup.restore(source, wh_path, force=force)
        with Warehouse.open(wh_path) as wh:
            snapshot.publish(wh.con, wh_path)
        return done
    finally:
        lock.release()
