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
@json_option
@config_options
def restore(source: str, force: bool, as_json: bool, config: Config) -> None:
    """Rebuild the warehouse from a backup folder, after checking every file against its manifest.

    The restored warehouse's row counts equal the manifest's, or nothing is replaced. An existing
    warehouse is replaced only with --force. Stop the hourly schedule and close notebooks first
    (the command waits hourly.lock_timeout_s for them, then exits 75).

    \b
    Example:
        launchkit restore backups/2026-03-18 --force
    """
    from launchkit.jobs import backup as job

    r = job.restore(config, Path(source), force=force)
    if as_json:
        emit_json(
            {
                "warehouse": str(r.warehouse),
                "backup": str(r.manifest.folder),
                "created_at": r.manifest.created_at,
                "tables": r.manifest.tables,
                "replaced": str(r.replaced) if r.replaced else None,
            }
        )
        return
    kept = f"; the replaced warehouse is kept as {r.replaced}" if r.replaced else ""
    click.echo(
        f"restored {r.warehouse} from {r.manifest.folder} (backup of {r.manifest.created_at}): "
        f"{r.manifest.rows} rows in {len(r.manifest.tables)} tables, counts equal the manifest{kept}"
    )
