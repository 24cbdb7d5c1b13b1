"""Backups of the warehouse and restoring one: Parquet per table, a manifest of row counts and checksums.

A backup folder holds `tables/<table>.parquet` (every row of every table, read in one transaction,
so the copy is consistent), the files attached to it (the config and the go/no-go checklist), and
`manifest.json`: the warehouse's identity, schema version, row counts, sequences, and the SHA-256 and
size of every file. It is
written under a temporary name beside its destination and renamed when complete, so a folder with
its final name is whole. Reading every value also proves the warehouse's data blocks are readable:
a damaged warehouse fails its backup (WarehouseDamaged) instead of producing a bad copy.

Parquet rather than a copy of the DuckDB file: a restore rebuilds the warehouse from its rows through
the migrations (indexes and views built anew), so damage outside the data cannot travel into it, and
a backup taken before an upgrade restores into the newer schema.

`restore` checks every checksum first (a tampered or truncated backup is refused, one line naming
the file), fills a new warehouse file beside the target, checks its row counts against the
manifest, and only then puts it in place; an existing warehouse is replaced only with `force`, and
kept beside it as `<name>.replaced-<time>`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from launchkit import __version__
from launchkit.errors import BackupError, WarehouseDamaged
from launchkit.store import atomic, leftovers, queries
from launchkit.store.connect import connect, damaged, is_damage
from launchkit.store.migrate import expected_version, migrate, schema_version
from launchkit.store.sql import identifier, quote_ident
from launchkit.store.warehouse import Warehouse
from launchkit.store.writers import WritersLock

FORMAT = "launchkit-backup/1"
MANIFEST = "manifest.json"
BATCH_ROWS = 100_000
_BATCH_RELATION = "_restore_batch"


@dataclass
class Manifest:
    """What a backup holds: its folder, when, the schema version, row counts, sequences and file checksums."""

    folder: Path
    created_at: str
    schema_version: int
    tables: dict[str, int]
    sequences: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = ""
    warehouse_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "created_at": self.created_at,
            "source": self.source,
            "warehouse_id": self.warehouse_id,
            "schema_version": self.schema_version,
            "launchkit_version": __version__,
            "duckdb_version": duckdb.__version__,
            "tables": self.tables,
            "sequences": self.sequences,
            "files": self.files,
        }

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def tables(wh: Warehouse) -> list[str]:
    """The tables a backup copies (every base table but schema_version)."""
    return [name for (name,) in wh.rows("backup/tables")]


def identity(wh: Warehouse) -> str:
    """The warehouse's id (made by a migration when it was created; a restore keeps the backup's), or ""."""
    try:
        return str(wh.one("backup/identity")["warehouse_id"] or "")
    except duckdb.CatalogException:  # a snapshot older than the identity's migration
        return ""


def _write_table(wh: Warehouse, table: str, allowed: list[str], path: Path) -> int:
    import pyarrow.parquet as pq

    q = queries.load_query("backup/read_table")
    sql = queries.bind_identifiers(q, {"table": identifier(table, allowed)})
    reader = wh.con.sql(sql).to_arrow_reader(BATCH_ROWS)
    rows = 0
    with pq.ParquetWriter(path, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def make(
    wh: Warehouse,
    out: Path,
    *,
    attachments: Mapping[str, Path] | None = None,
    source: str | Path | None = None,
    now: datetime | None = None,
) -> Manifest:
    """Write a backup of the warehouse `wh` (any open connection to it, e.g. its snapshot) to the new folder `out`.

    `attachments` maps a file name in the backup to a file to copy there (the config, the checklist);
    `source` is the warehouse it stands for (default: wh's file); `now` its time (default: the clock).
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} already exists and is not an empty folder: give a new folder to --out")
    atomic.ensure_folder(out.parent)
    atomic.sweep(out.parent)  # backups a killed run left half-written
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.{leftovers.tag()}.", suffix=".tmp", dir=out.parent))
    try:
        manifest = _fill(wh, tmp, attachments or {}, str(source or wh.path or ""), now or datetime.now(UTC))
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    manifest.folder = out
    return manifest


def _fill(wh: Warehouse, folder: Path, attachments: Mapping[str, Path], source: str, now: datetime) -> Manifest:
    (folder / "tables").mkdir()
    names = tables(wh)
    counts: dict[str, int] = {}
    try:
        with wh.transaction():  # one consistent view of every table
            version = schema_version(wh.con)
            sequences = {
                str(r[0]): {"start_value": r[1], "increment_by": r[2], "last_value": r[3]}
                for r in wh.rows("backup/sequences")
            }
            for table in names:
                counts[table] = _write_table(wh, table, names, folder / "tables" / f"{table}.parquet")
    except duckdb.Error as exc:
        if is_damage(exc):
            raise damaged(wh.path or "(in memory)", exc) from None
        raise
    for name, src in attachments.items():
        try:
            shutil.copyfile(src, folder / name)
        except OSError as exc:
            raise BackupError(f"cannot copy {src} into the backup: {exc.strerror or exc}") from None
    files = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            _fsync(p)
            files[p.relative_to(folder).as_posix()] = {"sha256": _sha256(p), "bytes": p.stat().st_size}
    manifest = Manifest(
        folder=folder,
        created_at=now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        schema_version=version,
        tables=counts,
        sequences=sequences,
        files=files,
        source=source,
        warehouse_id=identity(wh),
    )
    (folder / MANIFEST).write_text(json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8")
    _fsync(folder / MANIFEST)
    return manifest


def read_manifest(folder: Path) -> Manifest:
    """A backup folder's manifest, without checking the files (see `verify`)."""
    folder = Path(folder)
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a launchkit backup (no {MANIFEST})") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{path} is not a launchkit backup manifest (format {FORMAT})")
    try:
        return Manifest(
            folder=folder,
            created_at=str(data["created_at"]),
            schema_version=int(data["schema_version"]),
            tables={str(k): int(v) for k, v in data["tables"].items()},
            sequences=dict(data.get("sequences") or {}),
            files={str(k): dict(v) for k, v in data["files"].items()},
            source=str(data.get("source", "")),
            warehouse_id=str(data.get("warehouse_id") or ""),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BackupError(f"{path} is incomplete or malformed ({type(exc).__name__}: {exc})") from None


def verify(folder: Path) -> Manifest:
    """The manifest of a backup whose every file is present with its recorded size and SHA-256; else BackupError."""
    m = read_manifest(folder)
    root = Path(folder).resolve()
    for table in m.tables:
        if f"tables/{table}.parquet" not in m.files:
            raise BackupError(f"{folder}: the manifest lists table {table} but no checksum for its file")
    for name, meta in m.files.items():
        path = (root / name).resolve()
        if root not in path.parents:
            raise BackupError(f"{folder}: the manifest names a file outside the backup: {name}")
        if not path.is_file():
            raise BackupError(f"{folder}: {name} is missing")
        if path.stat().st_size != meta.get("bytes") or _sha256(path) != meta.get("sha256"):
            raise BackupError(
                f"{path}: does not match the backup's manifest (size or SHA-256 differs): "
                "the backup is damaged or was changed; use another one"
            )
    return m


@dataclass
class Restored:
    """What a restore did: the warehouse written, from which backup, and what it replaced."""

    warehouse: Path
    manifest: Manifest
    replaced: Path | None = None


def restore(folder: Path, warehouse: Path, *, force: bool = False, wait_s: float = 0.0) -> Restored:
    """Rebuild `warehouse` from a verified backup; its row counts equal the manifest's or nothing is replaced.

    Holds the warehouse's writers' lock exclusively from before it looks at the old file until the new
    one is in place (waiting up to `wait_s` for writers to finish, then WarehouseBusy): no writer can
    write into the file that is moved aside (launchkit.store.writers).
    """
    m = verify(folder)
    if m.schema_version > expected_version():
        raise BackupError(
            f"{folder} holds schema version {m.schema_version}, newer than this launchkit's "
            f"{expected_version()}: upgrade launchkit to restore it"
        )
    warehouse = Path(warehouse)
    atomic.ensure_folder(warehouse.parent)
    with WritersLock(warehouse, exclusive=True).acquire(wait_s):
        return _replace(m, warehouse, force=force, wait_s=wait_s)


def _replace(m: Manifest, warehouse: Path, *, force: bool, wait_s: float) -> Restored:
    wal = warehouse.with_name(warehouse.name + ".wal")
    if (warehouse.exists() or wal.exists()) and not force:
        raise BackupError(f"{warehouse} exists: pass --force to replace it (it is kept as {warehouse.name}.replaced-…)")
    if warehouse.exists():
        # nobody (a reader either) may hold the file about to be replaced; a damaged one is why we restore
        with contextlib.suppress(WarehouseDamaged):
            connect(warehouse, migrate_schema=False, wait_s=wait_s).close()
    atomic.sweep(warehouse.parent)
    tmp = atomic.temp_beside(warehouse)
    tmp.unlink()  # DuckDB creates the file
    try:
        _rebuild(m, tmp)
        replaced = None
        if warehouse.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            replaced = warehouse.with_name(f"{warehouse.name}.replaced-{stamp}")
            os.replace(warehouse, replaced)
            if wal.exists():
                os.replace(wal, replaced.with_name(replaced.name + ".wal"))
        elif wal.exists():
            wal.unlink()  # a log without its database must not be replayed into the restored one
        os.replace(tmp, warehouse)
    finally:
        for p in (tmp, tmp.with_name(tmp.name + ".wal")):
            p.unlink(missing_ok=True)
    return Restored(warehouse, m, replaced)


def _rebuild(m: Manifest, path: Path) -> None:
    import pyarrow.parquet as pq

    con = connect(path, migrate_schema=False)
    wh = Warehouse(con, path)
    try:
        migrate(con, upto=m.schema_version)
        names = tables(wh)
        missing = sorted(set(m.tables) - set(names))
        if missing:
            raise BackupError(
                f"{m.folder}: table(s) {', '.join(missing)} do not exist in schema version {m.schema_version}"
            )
        insert = queries.load_query("backup/insert_batch")
        clear = queries.load_query("backup/clear_table")
        with wh.transaction():
            for table in m.tables:
                con.execute(queries.bind_identifiers(clear, {"table": identifier(table, names)}))
                sql = queries.bind_identifiers(
                    insert, {"table": identifier(table, names), "batch": quote_ident(_BATCH_RELATION)}
                )
                for batch in pq.ParquetFile(m.folder / "tables" / f"{table}.parquet").iter_batches(BATCH_ROWS):
                    con.register(_BATCH_RELATION, batch)
                    try:
                        con.execute(sql)
                    finally:
                        con.unregister(_BATCH_RELATION)
            fresh = {str(r[0]): (r[1], r[2], r[3]) for r in wh.rows("backup/sequences")}
            for name, seq in m.sequences.items():
                steps = _sequence_steps(seq.get("last_value"), fresh.get(name))
                if steps:
                    wh.one("backup/advance_sequence", {"sequence": name, "steps": steps})
        count = queries.load_query("backup/count_rows")
        for table, expected in m.tables.items():
            sql = queries.bind_identifiers(count, {"table": identifier(table, names)})
            found = con.execute(sql).fetchall()[0][0]
            if found != expected:
                raise BackupError(f"{m.folder}: table {table} restored {found} rows, the manifest says {expected}")
        migrate(con)  # the rest of the way to this launchkit's schema
        con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise BackupError(f"{m.folder}: could not be restored: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


def _sequence_steps(target: Any, fresh: tuple[Any, Any, Any] | None) -> int:
    """How many values the restored sequence (start, increment, last value) must hand out to reach `target`.

    Counted from the restored sequence itself: DuckDB reports a checkpointed sequence's counter as its
    start value, so the backed-up start says nothing about where a new one begins.
    """
    if target is None or fresh is None:
        return 0
    start, inc, last = fresh
    inc = int(inc or 1)
    current = int(last) if last is not None else int(start) - inc
    return max(0, (int(target) - current) // inc)


# ------------------------------------------------------------------------------------------------
# A folder of backups (the hourly run's): newest first, keep N


@dataclass(frozen=True)
class Owner:
    """Whose backups a deployment counts and rotates: its warehouse's id, and its path (for backups older
    than the id, which only name the warehouse they were taken from)."""

    warehouse_id: str
    warehouse: Path

    def owns(self, m: Manifest) -> bool:
        if m.warehouse_id:
            return m.warehouse_id == self.warehouse_id
        return bool(m.source) and _same_path(Path(m.source), self.warehouse)


def _same_path(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def listing(folder: Path, owner: Owner | None = None) -> list[Manifest]:
    """The backups in a folder (sub-folders with a readable manifest), newest first; only `owner`'s when given."""
    if not Path(folder).is_dir():
        return []
    found = []
    for sub in Path(folder).iterdir():
        if sub.is_dir() and not sub.name.startswith(".") and (sub / MANIFEST).is_file():
            with contextlib.suppress(BackupError):
                found.append(read_manifest(sub))
    if owner is not None:
        found = [m for m in found if owner.owns(m)]
    return sorted(found, key=lambda m: (m.created_at, m.folder.name), reverse=True)


def prune(folder: Path, keep: int, owner: Owner | None = None) -> list[Path]:
    """Remove all but the `keep` newest backups in a folder (only launchkit backups, only `owner`'s when
    given: another deployment's backups in a shared folder are never touched); what was removed."""
    removed = []
    for m in listing(folder, owner)[keep:]:
        shutil.rmtree(m.folder, ignore_errors=True)
        removed.append(m.folder)
    return removed
