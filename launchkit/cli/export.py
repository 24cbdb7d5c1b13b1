"""`launchkit export`: data for the tools people already use: the cost report's tables for finance
(CSV or XLSX), the day's negative feedback and incidents as tickets for Jira's CSV import.

Thin shells over launchkit.reports.files.exports and launchkit.reports.files.tickets; they read the warehouse
read-only, so they never keep the hourly writer out.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from launchkit.cli.options import at_option, config_options, day_option, no_redact_option
from launchkit.config import Config
from launchkit.ingest.formats import EXPORT_FORMATS


@click.group("export")
def export() -> None:
    """Write data for other tools: the cost tables for spreadsheets, tickets for Jira.

    \b
    Example:
        launchkit export cost --from 2026-03-05 --to 2026-03-18 --format xlsx
        launchkit export tickets --date 2026-03-18 --since reports/exports/tickets-state.json
    """


@export.command("cost")
@day_option(
    "First day (YYYY-MM-DD, a day of [reports] timezone). Default: the pilot's first day.", name="--from", dest="start"
)
@day_option(
    "Last day, included (a day of [reports] timezone). Default: the latest day with data.", name="--to", dest="end"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="csv",
    show_default=True,
    help="csv: one file per table in a folder; xlsx: one workbook, one sheet per table (needs launchkit[xlsx]).",
)
@click.option(
    "--out",
    type=click.Path(),
    default=None,
    help="Folder (csv) or .xlsx file to write. Default: <reports dir>/exports/cost_<from>_<to>[.xlsx].",
)
@config_options
def cost(start: date | None, end: date | None, fmt: str, out: str | None, config: Config) -> None:
    """Write every table of the cost report: spend by day, vendor, model and tenant (also per day), the
    reconciliation with vendor bills, the chargeback per tenant and cohort, and the unpriced models.

    Values are raw (USD amounts unformatted, shares 0-1, ISO dates, UTC); missing values are empty,
    never 0. An `about` table says what each table is.

    \b
    Example:
        launchkit export cost --from 2026-03-12 --to 2026-03-18 --out reports/exports/week-11
    """
    from launchkit.reports.files import exports
    from launchkit.store.warehouse import Warehouse

    with Warehouse.open(config.warehouse_path, read_only=True, wait_s=config.lock_timeout_s) as wh:
        first, last = exports.period(wh, config, start, end)
        result = exports.export_cost(wh, config, first, last, fmt, Path(out) if out else None)
    from launchkit.reports.text import plural

    click.echo(
        f"cost tables {first} to {last}: " + ", ".join(f"{k} {plural(v, 'row')}" for k, v in result.rows.items())
    )
    for p in result.paths:
        click.echo(f"wrote {p}")


@export.command("tickets")
@day_option("Day (YYYY-MM-DD, a day of [reports] timezone). Default: the latest day with data.")
@click.option(
    "--since",
    "state",
    type=click.Path(dir_okay=False),
    default=None,
    help="State file: items recorded there are not written again, and the ones written are added "
    "(created on first use).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV file. Default: <reports dir>/exports/tickets_<date>.csv.",
)
@no_redact_option("Keep personal data in the text (config: [reports] redact).")
@config_options
def tickets(day: date | None, state: str | None, out: str | None, redact: bool, config: Config) -> None:
    """Write the day's negative feedback (rating 1-2 or thumbs down) and its incidents as a CSV for Jira's
    CSV import: one ticket per incident and one per theme of the feedback (its count, ratings, tenants and
    example sessions), each with a stable Issue ID.

    Free text is redacted ([email], [phone], [card], [ssn]) unless --no-redact or [reports] redact = false.
    With --since, nothing already recorded in the state file is written again, a second export of a day
    goes to a new file (tickets_<date>-2.csv) and the state is updated once the file is written; when
    nothing is new, no file is written.

    \b
    Example:
        launchkit export tickets --date 2026-03-17 --since reports/exports/tickets-state.json
    """
    from launchkit.analytics.span import latest_day_with_data
    from launchkit.reports.files import tickets as tickets_mod
    from launchkit.store.warehouse import Warehouse

    with Warehouse.open(config.warehouse_path, read_only=True, wait_s=config.lock_timeout_s) as wh:
        d = day or latest_day_with_data(wh, config.report_zone)
        target = Path(out) if out else config.reports_dir / "exports" / f"tickets_{d.isoformat()}.csv"
        debrief = config.reports_dir / "debrief" / f"{d.isoformat()}.html"
        link = config.report_link(debrief) if config.get("reports.base_url") else None  # a local path helps no one
        result = tickets_mod.export_tickets(
            wh, d, target, state=Path(state) if state else None, redact=redact, tz=config.report_zone, link=link
        )
    from launchkit.reports.text import plural

    kinds = [t.issue_type for t in result.written]
    line = (
        f"tickets {d}: {plural(len(result.written), 'new ticket')} ({plural(kinds.count('Bug'), 'incident')}, "
        f"{plural(kinds.count('Task'), 'feedback theme')})"
    )
    click.echo(line + (f", {plural(result.already, 'ticket')} of the day exported before" if state else ""))
    click.echo(f"wrote {result.path}" if result.path else "nothing new: no file written")


@export.command("incident")
@click.option("--incident", "incident_id", type=str, required=True, help="The incident's id (incidents.incident_id).")
@at_option(
    "The update as of this moment (ISO-8601, e.g. 2026-03-10T15:00Z; without an offset on the clock of "
    "[reports] timezone). Default: now."
)
@click.option("--json", "as_json", is_flag=True, help="Print the update as one JSON object instead of Markdown.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write it to this file (Markdown, or JSON with --json).",
)
@no_redact_option("Keep personal data in the text (config: [reports] redact).")
@config_options
def incident(
    incident_id: str, at: datetime | None, as_json: bool, out: str | None, redact: bool, config: Config
) -> None:
    """Print an incident update for users and stakeholders: impact (sessions that met its symptom while it was
    open: called the tool or belong to the tenant it names, else every active session; per tenant, and how
    many had an error), duration, remediation (root cause, action items) and the next
    update (by severity: SEV1 every 30 min, SEV2 hourly, SEV3 every 4 h, SEV4 daily; once resolved, the
    postmortem within 24 h).

    Markdown for a chat channel or an e-mail; free text is redacted ([email], [phone], [card], [ssn])
    unless --no-redact or [reports] redact = false.

    \b
    Example:
        launchkit export incident --incident inc-7-002 --at 2026-03-17T13:00Z
    """
    import json

    from launchkit.analytics import incident_update
    from launchkit.jsonclean import clean
    from launchkit.store.atomic import write_text
    from launchkit.store.warehouse import Warehouse

    with Warehouse.open(config.warehouse_path, read_only=True, wait_s=config.lock_timeout_s) as wh:
        u = incident_update.incident_update(wh, incident_id, as_of=at, redact=redact, tz=config.report_zone)
    text = (
        json.dumps(clean(u.to_json()), allow_nan=False, ensure_ascii=False)
        if as_json
        else incident_update.render_markdown(u)
    )
    click.echo(text)
    if out:
        write_text(Path(out), text + "\n")
