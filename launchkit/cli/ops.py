"""Commands that keep the warehouse safe: backup and restore (docs/operations.md is the runbook)."""

from __future__ import annotations

from pathlib import Path

import click

from launchkit.cli.options import config_options, emit_json, json_option
from launchkit.config import Config


@click.command()
@click.option(
    "--out", "out_dir", type=click.Path(), required=True, help="A new (or empty) folder to write the backup into."
)
@json_option
@config_options
def backup(out_dir: str, as_json: bool, config: Config) -> None:
    """Back up the warehouse: every table as Parquet, the config and checklist, a manifest of counts and checksums.

    Reads the read-only snapshot (refreshed first), so it never keeps the hourly run or a notebook
    out. Every value is read, so a damaged warehouse fails here rather than producing a bad copy.

    \b
    Example:
        launchkit backup --out backups/2026-03-18
    """
    from launchkit.jobs import backup as job

    m = job.run(config, Path(out_dir))
    if as_json:
        emit_json({"folder": str(m.folder), **m.to_json()})
        return
    counts = ", ".join(f"{t} {n}" for t, n in m.tables.items() if n)
    click.echo(
        f"backup {m.folder}: {m.rows} rows in {len(m.tables)} tables ({counts}), schema version "
        f"{m.schema_version}, {len(m.files)} files with SHA-256 in manifest.json"
    )


@click.command()
@click.argument("source", type=click.Path())
@click.option("--force", is_flag=True, help="Replace an existing warehouse (it is kept as <name>.replaced-<time>).")
@click.option(
    "--with-config",
    is_flag=True,
    help="Also put back the backup's launchkit.toml and checklist.toml over the ones in use (each kept as "
    "<name>.replaced-<time>); without it, a file that differs is kept and reported.",
)
@json_option
@config_options
def restore(source: str, force: bool, with_config: bool, as_json: bool, config: Config) -> None:
    """Rebuild the warehouse from a backup folder, after checking every file against its manifest.

    The restored warehouse's row counts equal the manifest's, or nothing is replaced. An existing
    warehouse is replaced only with --force. Every writer (ingest, decide, the hourly run) is kept
    out until the restore ends: one that cannot wait hourly.lock_timeout_s exits 75 having written
    nothing. The command waits hourly.lock_timeout_s for the hourly run and open writers, then exits
    75. It says, for the config file and the checklist the backup carries, whether each is the same
    as the one in use, put back (--with-config), or kept and where the backup's copy is.

    \b
    Example:
        launchkit restore backups/2026-03-18 --force
    """
    from launchkit.jobs import backup as job

    done = job.restore(config, Path(source), force=force, with_config=with_config)
    r = done.warehouse
    if as_json:
        emit_json(
            {
                "warehouse": str(r.warehouse),
                "backup": str(r.manifest.folder),
                "created_at": r.manifest.created_at,
                "warehouse_id": r.manifest.warehouse_id,
                "tables": r.manifest.tables,
                "replaced": str(r.replaced) if r.replaced else None,
                "files": [
                    {
                        "name": f.name,
                        "state": f.state,
                        "backup_copy": str(f.backup_copy),
                        "in_use": str(f.in_use) if f.in_use else None,
                        "note": f.note,
                    }
                    for f in done.files
                ],
            }
        )
        return
    kept = f"; the replaced warehouse is kept as {r.replaced}" if r.replaced else ""
    click.echo(
        f"restored {r.warehouse} from {r.manifest.folder} (backup of {r.manifest.created_at}): "
        f"{r.manifest.rows} rows in {len(r.manifest.tables)} tables, counts equal the manifest{kept}"
    )
    for f in done.files:
        click.echo(f"  {f.note}")
