"""The `launchkit` command: a thin click shell over the library.

One error handler turns every LaunchkitError into one red line on stderr and exit status 1.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Any, Callable

import click

from launchkit import __version__
from launchkit.config import Config, load_config
from launchkit.errors import LaunchkitError


class LaunchkitGroup(click.Group):
    """A group whose commands report domain errors as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LaunchkitError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            ctx.exit(1)


def config_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--config / --warehouse / --reports-dir on a command; passes a loaded Config as `config`."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                  help="launchkit.toml to use (default: ./launchkit.toml if present).")
    @click.option("--warehouse", type=click.Path(dir_okay=False), default=None,
                  help="DuckDB warehouse file (overrides LAUNCHKIT_WAREHOUSE and the config).")
    @click.option("--reports-dir", type=click.Path(file_okay=False), default=None,
                  help="Reports folder (overrides LAUNCHKIT_REPORTS_DIR and the config).")
    @functools.wraps(fn)
    def wrapper(*args: Any, config_path: str | None, warehouse: str | None, reports_dir: str | None,
                **kwargs: Any) -> Any:
        config = load_config(config_path, warehouse=warehouse, reports_dir=reports_dir)
        return fn(*args, config=config, **kwargs)

    return wrapper


def _emit_json(obj: Any) -> None:
    click.echo(json.dumps(obj, default=str, allow_nan=False))


@click.group(cls=LaunchkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="launchkit")
def cli() -> None:
    """launchkit: take an AI analyst assistant from pilot to GA with numbers you can trust.

    \b
    Example:
        launchkit demo && launchkit status
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--table", type=str, default=None, help="Contract table for every file (default: from the file name prefix).")
@click.option("--format", "fmt", type=str, default=None,
              help="csv, parquet, jsonl, otlp, otel-json or langfuse (default: detected).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
@config_options
def ingest(paths: tuple[str, ...], table: str | None, fmt: str | None, as_json: bool, config: Config) -> None:
    """Load files into the warehouse: every row loaded, updated, a duplicate, or rejected with a reason.

    A folder loads every file in it. A file whose content was loaded before is skipped. Exits 1
    when any file failed as a whole (the other files still load).

    \b
    Example:
        launchkit ingest exports/ --json
        launchkit ingest tool_calls_2026-03-02T10.csv
    """
    from launchkit import ingest as ingest_mod
    from launchkit import warehouse

    con = warehouse.connect(config.warehouse_path, wait_s=float(config.get("hourly.lock_timeout_s")))
    try:
        failed = False
        announced: set[str] = set()
        for r in ingest_mod.ingest(con, paths, config=config, table=table, fmt=fmt):
            failed |= not r.ok
            if as_json:
                _emit_json(r.to_json())
            else:
                if r.detected and r.format and r.file not in announced:
                    announced.add(r.file)
                    click.echo(f"detected format {r.format}: {r.file}")
                if r.ok:
                    click.echo(r.summary())
                else:
                    click.secho(r.summary(), fg="red", err=True)
    finally:
        con.close()
    if failed:
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@config_options
def status(as_json: bool, config: Config) -> None:
    """Show tables with row counts and time ranges, the last loads and rejects by reason.

    \b
    Example:
        launchkit status --json
    """
    from launchkit import warehouse
    from launchkit.status import status as get_status

    con = warehouse.connect(config.warehouse_path, read_only=True, wait_s=10)
    try:
        s = get_status(con)
    finally:
        con.close()
    if as_json:
        _emit_json(s)
        return
    click.echo(f"warehouse {config.warehouse_path} (schema version {s['schema_version']})")
    def when(v: str | None) -> str:
        return v[:16].replace("T", " ") + " UTC" if v else "-"

    click.echo(f"{'table':<14}{'rows':>10}  {'first':<22}{'last':<22}")
    for t in s["tables"]:
        click.echo(f"{t['table_name']:<14}{t['row_count']:>10}  {when(t['first_at']):<22}{when(t['last_at']):<22}")
    totals = s["loads"]
    click.echo(
        f"loads: {totals['files_loaded']} files loaded, {totals['files_failed']} failed; rows: "
        f"{totals['rows_read']} read, {totals['loaded']} loaded, {totals['updated']} updated, "
        f"{totals['duplicates']} duplicates, {totals['rejected']} rejected"
    )
    if s["rejects_by_reason"]:
        click.echo("rejects by reason:")
        for r in s["rejects_by_reason"]:
            click.echo(f"  {r['row_count']:>7}  {r['table_name']}.{r['column_name'] or '-'}: {r['reason']}")
    if s["last_loads"]:
        click.echo("last loads:")
        for r in s["last_loads"][:5]:
            click.echo(f"  #{r['load_id']} {r['status']:<7} {r['table_name'] or '-':<12} {r['path']}")


@cli.command()
@click.option("--days", type=click.IntRange(1, 366), default=14, show_default=True, help="Days of pilot.")
@click.option("--tenants", type=click.IntRange(1, 500), default=8, show_default=True, help="Tenants in the allowlist.")
@click.option("--seed", type=click.IntRange(min=0), default=7, show_default=True, help="Random seed (same seed, same files).")
@click.option("--scenario", type=str, default="healthy", show_default=True,
              help="healthy, latency-regression, tool-outage, cost-overrun or low-traffic.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), default="2026-03-02", show_default=True,
              help="First day of the pilot (UTC).")
@click.option("--sessions-per-hour", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Peak traffic level (default: a realistic pilot).")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "otlp"]), default="csv", show_default=True,
              help="File format to write.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder to write into.")
def synth(days: int, tenants: int, seed: int, scenario: str, start: Any, sessions_per_hour: float | None,
          fmt: str, out_dir: str) -> None:
    """Write a synthetic pilot as hourly export files, with its ground truth beside them.

    \b
    Example:
        launchkit synth --days 14 --tenants 8 --seed 7 --scenario tool-outage --out data/pilot
    """
    from launchkit import synth as synth_mod

    if scenario not in synth_mod.SCENARIOS:
        raise LaunchkitError(f"unknown scenario '{scenario}' (one of {', '.join(synth_mod.SCENARIOS)})")
    if fmt == "otlp":  # sessions, turns and tool calls as OTLP/JSON traces; the other tables as CSV
        from launchkit.synth_otlp import write_otlp

        pilot = synth_mod.generate_frames(days=days, tenants=tenants, seed=seed, scenario=scenario,
                                          start=start.date(), sessions_per_hour=sessions_per_hour)
        files = write_otlp(pilot, Path(out_dir))
        click.echo(f"wrote {len(files)} files to {out_dir} (OTLP/JSON traces); ground truth: {Path(out_dir) / 'ground_truth.json'}")
        return
    result = synth_mod.generate(
        Path(out_dir), days=days, tenants=tenants, seed=seed, scenario=scenario, start=start.date(),
        sessions_per_hour=sessions_per_hour, fmt=fmt,
    )
    counts = ", ".join(f"{k} {v}" for k, v in result.row_counts.items())
    click.echo(f"wrote {len(result.files)} files to {out_dir} ({counts}); ground truth: {result.ground_truth}")


@cli.command()
@click.option("--days", type=click.IntRange(1, 366), default=14, show_default=True, help="Days of pilot.")
@click.option("--seed", type=click.IntRange(min=0), default=7, show_default=True, help="Random seed.")
@click.option("--scenario", type=str, default="healthy", show_default=True, help="Synthetic scenario.")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where to write the synthetic files (default: data/demo beside the warehouse).")
@click.option("--reports/--no-reports", "with_reports", default=True, show_default=True,
              help="Render the reports after loading.")
@config_options
def demo(days: int, seed: int, scenario: str, data_dir: str | None, with_reports: bool, config: Config) -> None:
    """Generate a synthetic pilot, load it into the warehouse and render the reports.

    \b
    Example:
        launchkit demo --days 14 --seed 7
    """
    from launchkit import ingest as ingest_mod
    from launchkit import synth as synth_mod
    from launchkit import warehouse

    out = Path(data_dir) if data_dir else config.warehouse_path.parent / "data" / "demo"
    result = synth_mod.generate(out, days=days, tenants=8, seed=seed, scenario=scenario)
    click.echo(f"synthetic pilot ({scenario}, {days} days, seed {seed}): {len(result.files)} files in {out}")
    con = warehouse.connect(config.warehouse_path, wait_s=30)
    try:
        results = ingest_mod.ingest(con, [out], config=config)
    finally:
        con.close()
    totals = {k: sum(getattr(r, k) for r in results) for k in ("rows_read", "loaded", "updated", "duplicates", "rejected")}
    passed = sum(r.passed_over for r in results)
    skipped = sum(r.skipped for r in results) - passed
    failed = [r for r in results if not r.ok]
    click.echo(
        f"ingested {len(results) - skipped - passed} files ({skipped} already loaded) into {config.warehouse_path}: "
        + ", ".join(f"{v} {k}" for k, v in totals.items())
    )
    for r in failed:
        click.secho(r.summary(), fg="red", err=True)
    if failed:
        sys.exit(1)
    if with_reports:
        _run_all_reports(config)


def _window(hour: str | None, day: str | None, start: str | None, end: str | None):
    from launchkit.metrics import Window

    chosen = [x for x in (hour, day, start or end) if x]
    if len(chosen) != 1:
        raise LaunchkitError("give exactly one of --hour, --date, or --from with --to")
    try:
        if hour:
            return Window.hour(hour)
        if day:
            return Window.day(day)
        if not (start and end):
            raise LaunchkitError("--from and --to go together")
        return Window.range(start, end)
    except ValueError as exc:
        raise LaunchkitError(f"bad time: {exc}") from None


def _read_con(config: Config):
    from launchkit import warehouse

    return warehouse.connect(config.warehouse_path, read_only=True, wait_s=float(config.get("hourly.lock_timeout_s")))


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "no data"
    if isinstance(v, float):
        return f"{v:,.4g}{unit}"
    return f"{v}{unit}"


@cli.command()
@click.option("--hour", type=str, default=None, help="One clock hour, e.g. 2026-03-02T10:00Z.")
@click.option("--date", "day", type=str, default=None, help="One UTC day, e.g. 2026-03-02.")
@click.option("--from", "start", type=str, default=None, help="Range start (a date is the whole day).")
@click.option("--to", "end", type=str, default=None, help="Range end (a date is included whole).")
@click.option("--by", type=click.Choice(["tenant", "cohort", "release", "model", "tool"]), default=None,
              help="Also print a breakdown by this dimension.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@config_options
def metrics(hour: str | None, day: str | None, start: str | None, end: str | None, by: str | None,
            as_json: bool, config: Config) -> None:
    """Print the window's metrics: sessions, tool success, errors, latency, cost, feedback, data quality.

    Rates are fractions 0-1; "no data" (null in JSON) is never shown as 0.

    \b
    Example:
        launchkit metrics --hour 2026-03-02T10:00Z --json
        launchkit metrics --from 2026-03-02 --to 2026-03-08 --by tool
    """
    from launchkit import metrics as metrics_mod

    window = _window(hour, day, start, end)
    con = _read_con(config)
    try:
        out = metrics_mod.compute(con, window, config)
        table = metrics_mod.breakdown(con, window, by) if by else None
    finally:
        con.close()
    if by:
        out["breakdown"] = {"by": by, "rows": json.loads(table.to_json(orient="records", date_format="iso"))}
    if as_json:
        _emit_json(out)
        return
    m = out["metrics"]
    click.echo(f"window {out['window']['start']} .. {out['window']['end']}")
    rows = [
        ("active sessions", _fmt(m.get("active_sessions"))),
        ("new sessions", _fmt(m.get("new_sessions"))),
        ("tool-call success", _fmt(m.get("tool_call_success_rate"))),
        ("turn error rate", _fmt(m.get("turn_error_rate"))),
        ("latency p50/p95/p99 ms", " / ".join(_fmt(m["latency_ms"].get(k)) for k in ("p50", "p95", "p99"))),
        ("ttft p50/p95 ms", " / ".join(_fmt(m["ttft_ms"].get(k)) for k in ("p50", "p95"))),
        ("total cost", _fmt(m.get("total_cost_usd"), " USD")),
        ("cost per session", _fmt(m.get("cost_per_session"), " USD")),
        ("feedback responses", _fmt(m["feedback"].get("responses"))),
        ("CSAT", _fmt(m["feedback"].get("csat"))),
        ("thumbs-up rate", _fmt(m["feedback"].get("thumbs_up_rate"))),
    ]
    for label, value in rows:
        click.echo(f"  {label:<24}{value}")
    if table is not None:
        click.echo(table.to_string(index=False))


@cli.command()
@click.option("--date", "day", type=str, required=True, help="The day to decide on (UTC), e.g. 2026-03-10.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision record as one JSON object.")
@click.option("--no-store", is_flag=True, help="Do not record the decision in the warehouse.")
@config_options
def decide(day: str, as_json: bool, no_store: bool, config: Config) -> None:
    """Recommend EXPAND, HOLD or ROLLBACK for a day, with its reasons, and record the decision.

    \b
    Example:
        launchkit decide --date 2026-03-10 --json
    """
    from launchkit import decision, warehouse

    con = warehouse.connect(config.warehouse_path, wait_s=float(config.get("hourly.lock_timeout_s")))
    try:
        d = decision.decide(con, day, config, store=not no_store)
    finally:
        con.close()
    out = d.to_json()
    if as_json:
        _emit_json(out)
        return
    click.echo(f"{out.get('day', day)}: {out['recommendation']}")
    for reason in out.get("reasons", []):
        click.echo(f"  - {reason.get('message', reason) if isinstance(reason, dict) else reason}")


@cli.command()
@click.option("--date", "day", type=str, required=True, help="Evaluate the criteria as of this day (UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print the readiness summary as one JSON object.")
@config_options
def readiness(day: str, as_json: bool, config: Config) -> None:
    """Check the GA success criteria as of a day: verdict per criterion, blockers, GA readiness.

    \b
    Example:
        launchkit readiness --date 2026-03-15 --json
    """
    from launchkit import criteria

    con = _read_con(config)
    try:
        r = criteria.evaluate(con, day, config)
    finally:
        con.close()
    out = r.to_json()
    if as_json:
        _emit_json(out)
        return
    click.echo(f"GA ready: {'yes' if out.get('ready') else 'no'}")
    for c in out.get("criteria", []):
        click.echo(f"  {c.get('verdict', '?'):<18} {c.get('name', '?')}")
    for b in out.get("blockers", []):
        click.echo(f"  blocker: {b.get('message', b) if isinstance(b, dict) else b}")


def _run_all_reports(config: Config) -> None:
    try:
        from launchkit import reports
    except ImportError:
        click.echo("reports: not available yet")
        return
    for path in reports.run_all(config):
        click.echo(f"report: {path}")


# The report commands live beside the presentation layer; they use config_options defined above.
from launchkit.cli_reports import hourly as _hourly_cmd, run as _run_cmd  # noqa: E402

cli.add_command(_run_cmd)
cli.add_command(_hourly_cmd)


def main() -> None:
    cli(prog_name="launchkit")


if __name__ == "__main__":  # pragma: no cover
    main()
