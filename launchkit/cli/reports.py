"""Commands that write reports: `run` (any report) and `hourly` (the scheduled run).

Thin shells over launchkit.reports.run.execute and launchkit.jobs.hourly; docs/reports.md and
docs/scheduling.md describe what they write, docs/cli.md their exit statuses.
"""

from __future__ import annotations

import sys
from datetime import date, datetime

import click

from launchkit import exits
from launchkit.cli.options import at_option, config_options, day_option, engine_option, no_redact_option
from launchkit.config import Config

KIND_CHOICES = ["hourly", "cost", "debrief", "ga", "all"]


@click.command("run")
@click.argument("kind", type=click.Choice(KIND_CHOICES))
@at_option(
    "ISO time: the hour to report for `hourly` (e.g. 2026-03-05T14:00Z), or its day for the others. "
    "Without an offset: on the clock of [reports] timezone. Default: the latest complete hour / day with data."
)
@day_option(
    "Day for cost, debrief and ga (YYYY-MM-DD, a day of [reports] timezone). Default: the latest day with data."
)
@click.option("--pdf", is_flag=True, help="Also print each report to PDF with headless Chromium.")
@no_redact_option(
    "Show free text (comments, incident titles) as written, for an internal debrief: e-mail addresses, "
    "phone, card and social-security numbers are otherwise replaced by [email], [phone], [card], [ssn] "
    "(config: [reports] redact)."
)
@config_options
@engine_option
def run(kind: str, at: datetime | None, day: date | None, pdf: bool, redact: bool, config: Config) -> None:
    """Execute a report notebook and write reports/<kind>/<stamp>.html, .ipynb and .json, then the index.

    KIND is hourly, cost, debrief, ga, or all (every report for the latest data). Prints the
    files written (with `all`, a bar on stderr counts the reports when it is a terminal). Notebooks read a read-only snapshot of the warehouse, so a report never keeps
    the hourly writer out.

    \b
    Example:
        launchkit run hourly --at 2026-03-18T14:00Z
        launchkit run debrief --date 2026-03-18 --pdf
        launchkit run debrief --no-redact
        launchkit run all
    """
    from launchkit.reports.run import execute
    from launchkit.store.atomic import check_folder

    execute.skip_slow_optional_imports()
    check_folder(config.reports_dir)  # a file in its place: one line before any kernel starts
    if config.engine.in_place:  # a lake changes without launchkit: price its new (model, day) keys first
        from launchkit.jobs.load import prepare_lake

        prepare_lake(config)
    if kind == "all":
        if at or day:
            raise click.UsageError("'run all' renders the latest data; use a single kind with --at / --date")
        from launchkit.cli.progress import Bar

        with Bar("reports") as bar:  # on a terminal only
            written = execute.run_all(config, pdf=pdf, redact=redact, progress=bar)
        for path in written:
            click.echo(f"report: {path}")
        return
    if day and kind == "hourly":
        raise click.UsageError("hourly takes --at (an hour), not --date")
    r = execute.run_report(kind, config, at=at, day=day, pdf=pdf, redact=redact)
    for note in r.notes:
        click.secho(f"note: {note}", fg="yellow", err=True)
    click.echo(f"{kind} {r.stamp}: {r.summary.get('headline', '')}")
    for p in (r.html, r.ipynb, r.json, r.pdf):
        if p is not None:
            click.echo(f"wrote {p}")
    click.echo(f"index: {config.reports_dir / 'index.html'}")


@click.command("hourly")
@at_option(
    "Report this hour instead of the last complete one (ISO time, e.g. 2026-03-05T14:00Z; without an offset "
    "on the clock of [reports] timezone): for backfills."
)
@click.option("--pdf", is_flag=True, help="Also print the report to PDF with headless Chromium.")
@config_options
@engine_option
def hourly(at: datetime | None, pdf: bool, config: Config) -> None:
    """The scheduled hourly run: load new files from hourly.inbox, render the last complete hour, print one line.

    Exit status: 0 all well; 3 a threshold was breached (report written); 1 the run failed;
    75 another run held the lock longer than hourly.lock_timeout_s (try again later).
    Safe to run twice, while another run goes, and while notebooks are open. On data of the past (the
    demo's pilot is in March 2026) give the hour with --at: the plain command reports the last hour of
    the clock, and counts every hour since the data as missing.

    \b
    Example:
        launchkit hourly --at 2026-03-18T15:00Z
        5 * * * *  cd /srv/launchkit && .venv/bin/launchkit hourly >> logs/hourly.log 2>&1
    """
    from launchkit.jobs.hourly import run_hourly
    from launchkit.reports.run import execute

    execute.skip_slow_optional_imports()
    result = run_hourly(config, at=at, pdf=pdf)
    # OK and BREACH are results (stdout); FAILED and BUSY are problems (stderr, so cron mails them).
    click.echo(result.line, err=result.status not in (exits.OK, exits.BREACH))
    sys.exit(result.status)
