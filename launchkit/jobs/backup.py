"""The backup job: `launchkit backup`, `launchkit restore`, and the backups the hourly run keeps.

A backup is taken from the read-only snapshot (refreshed first), so it never keeps the writer or a
notebook out, and is consistent: the snapshot is a checkpointed copy made under the writer's lock.
It carries the config file and the go/no-go checklist in force. The hourly run makes one when the
newest in [backup] dir is [backup] every_hours old, and keeps the [backup] keep newest.
launchkit.store.backup writes and restores the folders; docs/operations.md is the runbook.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from launchkit.analytics.gonogo import DEFAULT_CHECKLIST
from launchkit.config import Config
from launchkit.errors import WarehouseBusy, WarehouseDamaged, WarehouseError
from launchkit.jobs.load import lock_path
from launchkit.store import atomic, backup, snapshot
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


def _snapshot(config: Config) -> Path:
    r = snapshot.refresh(config)
    if not r.current:  # no warehouse beside an old snapshot, or the writer held it too long
        if not config.warehouse_path.exists():
            raise WarehouseError(f"no warehouse at {config.warehouse_path} (only a snapshot): nothing to back up")
        raise WarehouseBusy(str(config.warehouse_path), config.lock_timeout_s)
    return r.path


def run(config: Config, out: Path, *, now: datetime | None = None) -> backup.Manifest:
    """Back up the warehouse (through its refreshed snapshot) into the new folder `out`."""
    path = _snapshot(config)
    wh = Warehouse(connect(path, read_only=True), path, read_only=True)
    try:
        return backup.make(wh, out, attachments=attachments(config), source=config.warehouse_path, now=now)
    except OSError as exc:  # a full disk while writing (pyarrow names no file): name the backup's folder
        if exc.filename is None and exc.errno is not None:
            raise OSError(exc.errno, os.strerror(exc.errno), str(out)) from exc
        raise
    except WarehouseDamaged as exc:
        raise WarehouseDamaged(str(config.warehouse_path), f"{exc.detail}, in its snapshot {path}") from None
    finally:
        wh.close()


def owner(config: Config) -> backup.Owner:
    """This deployment, as its backups name it: the warehouse's id (read from its refreshed snapshot) and path."""
    path = _snapshot(config)
    with Warehouse(connect(path, read_only=True), path, read_only=True) as wh:
        return backup.Owner(backup.identity(wh), config.warehouse_path)


def scheduled(config: Config, now: datetime | None = None) -> backup.Manifest | None:
    """The hourly run's backup: one when [backup] keep > 0 and this warehouse's newest is every_hours old;
    then keep its N newest. Only this warehouse's backups count and are pruned: a [backup] dir that several
    deployments share holds each one's own (the manifest names the warehouse's id)."""
    if config.backup_keep <= 0:
        return None
    now = (now or datetime.now(UTC)).astimezone(UTC)
    where = folder(config)
    mine = owner(config)
    found = backup.listing(where, mine)
    made = None
    if not found or now - _created(found[0]) >= timedelta(hours=config.backup_every_hours):
        name = now.strftime("%Y-%m-%dT%H%M%SZ") + (f"-{mine.warehouse_id[:8]}" if mine.warehouse_id else "")
        made = run(config, where / name, now=now)
    backup.prune(where, config.backup_keep, mine)
    return made


def _created(m: backup.Manifest) -> datetime:
    try:
        return datetime.fromisoformat(m.created_at.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def restore(config: Config, source: Path, *, force: bool = False, with_config: bool = False) -> Restored:
    """Restore the warehouse from a backup folder, with the hourly run and every writer kept out for the
    whole restore (the hourly lock, then the writers' lock: launchkit.store.writers); then publish its
    snapshot, and put back (`with_config`) or report the config file and checklist the backup carries.

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
        done = backup.restore(source, wh_path, force=force, wait_s=config.lock_timeout_s)
        with Warehouse.open(wh_path, wait_s=config.lock_timeout_s) as wh:
            snapshot.publish(wh.con, wh_path)
    finally:
        lock.release()
    files = [_carried(config, done.manifest, name, with_config) for name in CARRIED if name in done.manifest.files]
    return Restored(done, files)


CARRIED = ("launchkit.toml", "checklist.toml")


@dataclass(frozen=True)
class Carried:
    """A file a backup carries (the config, the checklist) after a restore: what became of it, in words."""

    name: str
    state: str  # "same" | "restored" | "kept" (yours differs, the backup's left in the backup) | "unused"
    backup_copy: Path
    in_use: Path | None
    note: str


@dataclass(frozen=True)
class Restored:
    """A restore's outcome: the warehouse's (launchkit.store.backup.Restored) and the carried files'."""

    warehouse: backup.Restored
    files: list[Carried]


def _carried(config: Config, m: backup.Manifest, name: str, replace: bool) -> Carried:
    theirs = (m.folder / name).absolute()
    if name == "launchkit.toml":
        in_use, what = config.path, "the config file"
    else:
        in_use, what = config.checklist_path, "the go/no-go checklist ([ga] checklist)"
    current = in_use if in_use is not None else (None if name == "launchkit.toml" else Path(str(DEFAULT_CHECKLIST)))
    if current is not None and current.is_file() and current.read_bytes() == theirs.read_bytes():
        return Carried(name, "same", theirs, current, f"{name}: {what} in use is the same as the backup's")
    if in_use is None:
        hint = "no config file is in use" if name == "launchkit.toml" else "launchkit's default checklist is in use"
        return Carried(name, "unused", theirs, None, f"{name}: not put back ({hint}); the backup's is {theirs}")
    if not replace and in_use.exists():
        return Carried(
            name,
            "kept",
            theirs,
            in_use,
            f"{name}: {in_use} differs from the backup's and is kept; the backup's is {theirs} "
            "(restore --with-config puts it back)",
        )
    kept = ""
    if in_use.exists():
        aside = in_use.with_name(f"{in_use.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        os.replace(in_use, aside)
        kept = f" (yours is kept as {aside})"
    atomic.write_bytes(in_use, theirs.read_bytes())
    return Carried(name, "restored", theirs, in_use, f"{name}: the backup's put back as {in_use}{kept}")
