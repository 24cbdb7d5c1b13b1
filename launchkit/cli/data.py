"""Commands that load and describe data: ingest, status, synth, demo."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from launchkit import exits
from launchkit.cli.options import config_options, emit_json, exit_with, json_option, pilot_options
from launchkit.config import Config
from launchkit.ingest.formats import LAKE_FORMATS, SYNTH_FORMATS
from launchkit.visible import printable


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--table", type=str, default=None, help="Contract table for every file (default: from the file name prefix)."
)
@click.option(
    "--format",
    "fmt",
    type=str,
    default=None,
    help="csv, parquet, jsonl, otlp, otel-json, otel-js, phoenix, langfuse or span-attributes (default: detected).",
)
@json_option
@config_options
def ingest(paths: tuple[str, ...], table: str | None, fmt: str | None, as_json: bool, config: Config) -> None:
    """Load files into the warehouse: every row loaded, updated, a duplicate, or rejected with a reason.

    A folder loads every file in it. A file whose content was loaded before is skipped. Rows held
    earlier for a reason that can change (the clock, the configuration) are re-evaluated first.
    Turns that need a price are priced, and the read-only snapshot is published. Exits 1 when any
    file failed as a whole (the other files still load; a file that failed for a passing reason, a
    full disk, is not recorded and loads when named again) or rows are held (HELD lines say which
    and why), 4 when a trace file loaded with warnings (a span that names a model or carries token
    usage was not loaded) or when every row of the files read was rejected. With --json, one JSON
    object per file. On a terminal, a bar on stderr shows the files, bytes and rows done
    and the file being loaded; in a log or a pipe nothing is added to the lines.

    \b
    Example:
        launchkit ingest data/demo --json
        launchkit ingest data/demo/tool_calls_2026-03-18.csv
    """
    from launchkit.cli.progress import Bar
    from launchkit.jobs import load
    from launchkit.store.warehouse import Warehouse

    with (
        Warehouse.open(config.warehouse_path, wait_s=config.lock_timeout_s) as wh,
        Bar("ingest", poll=wh.con.query_progress) as bar,
    ):
        job = load.run(wh, paths, config, table=table, fmt=fmt, progress=bar)
    announced: set[str] = set()
    for r in job.results:
        if as_json:
            emit_json(r.to_json())
            continue
        if r.detected and r.format and r.file not in announced:
            announced.add(r.file)
            click.echo(f"detected format {r.format}: {printable(r.file)}")
        if r.ok:
            click.echo(r.summary())
        else:
            click.secho(r.summary(), fg="red", err=True)
    _report_held(job, as_json)
    if job.all_rejected and not as_json:
        click.secho(job.all_rejected_line(), fg="yellow", err=True)
    exit_with(job.status())


def _report_held(job: Any, as_json: bool) -> None:
    """The rows still held (launchkit.ingest.held), one line each: red on stderr, or JSON objects."""
    for h in job.held:
        if as_json:
            emit_json({"held": h.path, "table": h.table, "reason": h.reason, "rows": h.rows})
        else:
            click.secho(h.line(), fg="red", err=True)


@click.command()
@click.option(
    "--drop", is_flag=True, help="Give the held rows up: each stays a reject, for good, and is not re-evaluated."
)
@json_option
@config_options
def reprocess(drop: bool, as_json: bool, config: Config) -> None:
    """Re-evaluate now the rows held for a reason that can change, and load those it no longer applies to.

    A row rejected as too far in the future (the loader's clock ran behind), before [ingest] earliest
    or above [ingest] max_turn_cost_usd is held, not given up: every `ingest` and `hourly` run
    re-evaluates it first; this does it on demand (after fixing the clock or the configuration).
    Exits 0 when nothing is held any more, 1 while rows stay held (HELD lines say which and why).

    \b
    Example:
        launchkit reprocess
        launchkit reprocess --drop
    """
    from launchkit.ingest import held
    from launchkit.jobs import load
    from launchkit.store.warehouse import Warehouse

    with Warehouse.open(config.warehouse_path, wait_s=config.lock_timeout_s) as wh:
        dropped = held.drop(wh.con) if drop else 0
        job = load.run(wh, [], config)
    for r in job.results:
        if as_json:
            emit_json(r.to_json())
        else:
            click.echo(r.summary())
    if dropped and not as_json:
        click.echo(f"gave up {dropped} held row{'s' if dropped != 1 else ''}: they stay rejected")
    _report_held(job, as_json)
    if not job.results and not job.held and not dropped and not as_json:
        click.echo("nothing held: no row waits for the clock or the configuration")
    exit_with(job.status())


@click.command()
@click.option(
    "--check-stale",
    "check_stale",
    is_flag=True,
    help="Only the dead-man's switch: one line, exit 3 when the last successful `launchkit hourly` run is older "
    "than [alerts] stale_after_hours (or there is none), for a second scheduler to run.",
)
@click.option(
    "--alert",
    "send_alert",
    is_flag=True,
    help="With --check-stale: also send a stale schedule to the [alerts] targets (once per gap).",
)
@json_option
@config_options
def status(check_stale: bool, send_alert: bool, as_json: bool, config: Config) -> None:
    """Show tables with row counts and time ranges, the last loads and rejects by reason, and the
    hourly schedule's health (STALE when its last successful run is older than [alerts] stale_after_hours).

    Reads every value of the warehouse file first, so a damaged file is reported here (one line
    naming it and the restore command, exit 1) rather than by the next load or report. With
    --check-stale, only the schedule's line (exit 3 when stale; cron it apart from the hourly run,
    docs/alerts.md).

    \b
    Example:
        launchkit status --json
        launchkit status --check-stale || notify-oncall "launchkit hourly is not running"
    """
    from launchkit.jobs.alerts import notify
    from launchkit.store.status import status as get_status
    from launchkit.store.warehouse import Warehouse

    if send_alert and not check_stale:
        raise click.UsageError("--alert goes with --check-stale")
    with Warehouse.open(config.warehouse_path, read_only=True, wait_s=config.lock_timeout_s) as wh:
        health = notify.health(wh, config)
        s = None if check_stale else get_status(wh)
    if check_stale:
        sent = notify.alert_stale(config, health) if send_alert else None
        if as_json:
            emit_json({"hourly": health.to_json()} | ({"alerts": sent.line()} if sent is not None else {}))
        else:
            click.echo(health.line())
            said = sent.line() if sent is not None else None
            if said:
                click.echo(said)
        exit_with(exits.BREACH if health.stale else exits.OK)
        return
    assert s is not None
    if as_json:
        emit_json(s | {"hourly": health.to_json()})
        return
    click.echo(f"warehouse {config.warehouse_path} (schema version {s['schema_version']})")
    v = s["verified"]
    click.echo(f"read every value of its {v['tables']} tables ({v['rows']} rows): no damage found")
    click.echo(health.line())

    def when(v: str | None) -> str:
        return v[:16].replace("T", " ") + " UTC" if v else "-"

    click.echo(f"{'table':<14}{'rows':>10}  {'first':<22}{'last':<22}")
    for t in s["tables"]:
        click.echo(f"{t['table_name']:<14}{t['row_count']:>10}  {when(t['first_at']):<22}{when(t['last_at']):<22}")
    totals = s["loads"]
    click.echo(
        f"loads: {totals['files_loaded']} files loaded, {totals['files_failed']} failed; rows: "
        f"{totals['rows_read']} read = {totals['loaded']} loaded + {totals['updated']} updated + "
        f"{totals['duplicates']} duplicates + {totals['rejected']} rejected + {totals['ignored']} ignored"
    )
    if s["ignored_by_reason"]:
        click.echo("ignored by reason:")
        for r in s["ignored_by_reason"]:
            click.echo(f"  {r['records']:>7}  {r['reason']}")
    if s["loads_with_warnings"]:
        click.echo(f"loads with warnings: {len(s['loads_with_warnings'])} (launchkit status --json lists them)")
    if s["rejects_by_reason"]:
        click.echo("rejects by reason:")
        for r in s["rejects_by_reason"]:
            click.echo(f"  {r['row_count']:>7}  {r['table_name']}.{r['column_name'] or '-'}: {printable(r['reason'])}")
    if s["last_loads"]:
        click.echo("last loads:")
        for r in s["last_loads"][:5]:
            click.echo(f"  #{r['load_id']} {r['status']:<7} {r['table_name'] or '-':<12} {printable(r['path'])}")


@click.command()
@pilot_options(
    start_default="2026-03-02",
    start_help="First day of the pilot (UTC).",
    sessions_help="Peak traffic level (default: a realistic pilot).",
)
@click.option("--tenants", type=click.IntRange(1, 500), default=8, show_default=True, help="Tenants in the allowlist.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*SYNTH_FORMATS, "otlp"]),
    default="csv",
    show_default=True,
    help="File format to write.",
)
@click.option(
    "--partition-by",
    "partition_by",
    type=click.Choice(["day"]),
    default=None,
    help="With --format parquet: write a lake instead of export files (one folder per table, hive partitions "
    "day=YYYY-MM-DD) that DuckDB and Spark read in place ([engine.tables]).",
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder to write into.")
def synth(
    days: int,
    tenants: int,
    seed: int,
    scenario: str,
    start: date,
    sessions_per_hour: float | None,
    fmt: str,
    partition_by: str | None,
    out_dir: str,
) -> None:
    """Write a synthetic pilot as hourly export files, with its ground truth beside them.

    \b
    Example:
        launchkit synth --days 14 --tenants 8 --seed 7 --scenario tool-outage --out data/pilot
        launchkit synth --days 7 --format parquet --partition-by day --out lake
    """
    from launchkit import synth as synth_mod

    if partition_by is not None:
        if fmt not in LAKE_FORMATS:
            raise click.UsageError("--partition-by writes a Parquet lake: use it with --format parquet")
        from launchkit.synth.lake import write_lake

        pilot = synth_mod.generate_frames(
            days=days,
            tenants=tenants,
            seed=seed,
            scenario=scenario,
            start=start,
            sessions_per_hour=sessions_per_hour,
        )
        files = write_lake(pilot, Path(out_dir), partition_by)
        counts = ", ".join(f"{k} {len(v)}" for k, v in pilot.frames.items())
        click.echo(
            f"wrote a lake of {len(files) - 1} Parquet files to {out_dir} ({counts}), partitioned by {partition_by}; "
            f"ground truth: {Path(out_dir) / 'ground_truth.json'}"
        )
        return
    if fmt == "otlp":  # sessions, turns and tool calls as OTLP/JSON traces; the other tables as CSV
        from launchkit.synth.otlp import write_otlp

        pilot = synth_mod.generate_frames(
            days=days,
            tenants=tenants,
            seed=seed,
            scenario=scenario,
            start=start,
            sessions_per_hour=sessions_per_hour,
        )
        files = write_otlp(pilot, Path(out_dir))
        click.echo(
            f"wrote {len(files)} files to {out_dir} (OTLP/JSON traces); ground truth: {Path(out_dir) / 'ground_truth.json'}"
        )
        return
    result = synth_mod.generate(
        Path(out_dir),
        days=days,
        tenants=tenants,
        seed=seed,
        scenario=scenario,
        start=start,
        sessions_per_hour=sessions_per_hour,
        fmt=fmt,
    )
    counts = ", ".join(f"{k} {v}" for k, v in result.row_counts.items())
    click.echo(f"wrote {len(result.files)} files to {out_dir} ({counts}); ground truth: {result.ground_truth}")


@click.command()
@pilot_options(
    start_help="First day of the pilot (UTC; default 2026-03-05, a Thursday: 14 days end on a Wednesday).",
    sessions_help="Mean sessions per hour in weekday business hours once every tenant is on (default 250).",
)
@click.option(
    "--report-days",
    type=click.IntRange(1, 366),
    default=3,
    show_default=True,
    help="Daily reports for this many last days (and the hourly report for their busiest hour).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to write the synthetic files (default: data/demo beside the warehouse).",
)
@click.option(
    "--reports/--no-reports", "with_reports", default=True, show_default=True, help="Render the reports after loading."
)
@config_options
def demo(
    days: int,
    seed: int,
    scenario: str,
    start: date | None,
    sessions_per_hour: float | None,
    report_days: int,
    data_dir: str | None,
    with_reports: bool,
    config: Config,
) -> None:
    """Generate a synthetic pilot, load it into the warehouse and render the reports.

    The pilot is busy (a few hundred sessions an hour at peak) and ends on a weekday. Without a
    launchkit.toml, the demo writes one beside the warehouse with the pilot's period and a budget
    (and says where the budget came from). A scenario other than healthy ends on a HOLD or ROLLBACK
    day; running another scenario replaces the earlier demo pilot's warehouse.

    \b
    Example:
        launchkit demo
        launchkit demo --scenario tool-outage --report-days 1
    """
    import json

    from launchkit import synth as synth_mod
    from launchkit.cli.progress import Bar
    from launchkit.jobs import demo as demo_job
    from launchkit.jobs import load
    from launchkit.store.warehouse import Warehouse
    from launchkit.synth import parameters as synth_params

    if with_reports:
        from launchkit.store.atomic import check_folder

        check_folder(config.reports_dir)
    out = Path(data_dir) if data_dir else config.warehouse_path.parent / "data" / "demo"
    pilot = synth_mod.generate_frames(
        days=days,
        tenants=8,
        seed=seed,
        scenario=scenario,
        start=start or synth_params.DEMO_START,
        sessions_per_hour=sessions_per_hour or synth_params.DEMO_SESSIONS_PER_HOUR,
        recent_incident=True,
    )
    replaced = demo_job.replace_other_pilot(config, out, pilot)
    if replaced:
        click.echo(replaced)
    files = synth_mod.write_pilot(pilot, out, per="day")
    gt = pilot.ground_truth
    click.echo(
        f"synthetic pilot ({scenario}, {days} days from {gt['start']} to {gt['end']}, seed {seed}): "
        f"{gt['row_counts']['sessions']:,} sessions in {len(files)} files in {out}"
    )
    config, said = demo_job.config_for(config, pilot)
    click.echo(said)
    with (
        Warehouse.open(config.warehouse_path, wait_s=config.lock_timeout_s) as wh,
        Bar("ingest", poll=wh.con.query_progress) as bar,
    ):
        results = load.run(wh, [out], config, progress=bar).results
    totals = {
        k: sum(getattr(r, k) for r in results) for k in ("rows_read", "loaded", "updated", "duplicates", "rejected")
    }
    passed = sum(r.passed_over for r in results)
    skipped = sum(r.skipped for r in results) - passed
    failed = [r for r in results if not r.ok]
    click.echo(
        f"ingested {len(results) - skipped - passed} files ({skipped} already loaded) into {config.warehouse_path}: "
        + ", ".join(f"{v:,} {k}" for k, v in totals.items())
    )
    for r in failed:
        click.secho(r.summary(), fg="red", err=True)
    if failed:
        exit_with(exits.FAILED)
    if with_reports:
        from launchkit.reports.run import execute

        execute.skip_slow_optional_imports()
        with Bar("reports") as reports_bar:
            written = execute.run_all(config, days=report_days, hour="busiest", progress=reports_bar)
        for path in written:
            summary = path.with_suffix(".json")
            headline = json.loads(summary.read_text(encoding="utf-8")).get("headline") if summary.is_file() else None
            click.echo(f"report: {path}" + (f"  ({headline})" if headline else ""))
        _record_hourly_run(config, written)


def _record_hourly_run(config: Config, written: list[Path]) -> None:
    """Run the scheduled hourly job once for the hour the demo reported, so `launchkit status` shows the
    schedule's health line for a real run (the demo has no schedule: it goes STALE after
    [hourly] stale_after_hours, as an unscheduled deployment would)."""
    from launchkit.jobs.hourly import run_hourly

    hour = next((p.stem for p in written if p.parent.name == "hourly"), None)
    if hour is None:
        return
    from launchkit.window import parse_instant

    # the stamp is the hour on the clock of [reports] timezone
    result = run_hourly(config, at=parse_instant(f"{hour}:00", "hour", config.report_zone))
    click.echo(result.line.splitlines()[0], err=result.status not in (exits.OK, exits.BREACH))
