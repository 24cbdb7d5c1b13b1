"""The cost report's tables as files finance can open (`launchkit export cost`): one CSV per table, or one
XLSX workbook with a sheet per table.

`cost_tables` computes every table the cost report shows (spend by day, vendor, model, tenant, per day
by model and tenant, the reconciliation with vendor bills, the chargeback per tenant and cohort, the
unpriced models) from the library; the report displays these same frames with their "download CSV"
links, so the export and the report hold the same numbers. The files follow one convention for units
(`file_frame`: shares and percentages as fractions in `*_fraction` columns, amounts in `*_usd`, whole
counts, no float noise); launchkit.reports.files.sheets writes them, the workbook with number formats.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import pandas as pd

from launchkit import __version__
from launchkit.analytics import finance, pricing, reconcile
from launchkit.analytics.span import latest_day_with_data
from launchkit.config import Config
from launchkit.errors import LaunchkitError
from launchkit.ingest.formats import EXPORT_FORMATS, record_of, writer
from launchkit.store.warehouse import QueryRunner
from launchkit.window import day_start, iso, zone_name

FORMATS = EXPORT_FORMATS  # csv, xlsx: the formats whose record names an export writer

#: The cost report's tables, in the order the report shows them, with what each row is ({zone}: the
#: report zone, [reports] timezone, whose calendar days the tables use; the vendors bill per UTC day).
COST_TABLES: dict[str, str] = {
    "spend_by_day": "computed spend per {zone} day (empty: a day without turns)",
    "spend_by_vendor": "computed and billed spend per vendor over the period (vendor empty: models without a vendor)",
    "spend_by_model": "computed spend per model over the period",
    "spend_by_tenant": "computed spend per tenant over the period (sessions: session-days)",
    "spend_by_model_day": "computed spend per {zone} day and model",
    "spend_by_tenant_day": "computed spend per {zone} day and tenant",
    "reconciliation": "computed against billed spend per vendor and UTC day",
    "chargeback_tenant": "chargeback: spend per tenant with its share of the priced spend",
    "chargeback_cohort": "chargeback: spend per cohort with its share of the priced spend",
    "unpriced_models": "models whose turns have no cost, and why",
}


def cost_tables(db: QueryRunner, config: Config, first: date, last: date) -> dict[str, pd.DataFrame]:
    """Every table of the cost report over the days first..last (both included; the report zone's calendar
    days, and for the reconciliation the vendors' UTC billing days of those dates), keyed as COST_TABLES."""
    if last < first:
        raise LaunchkitError(f"the period ends ({last}) before it starts ({first})")
    tz = config.report_zone
    end = last + timedelta(days=1)
    by_model = finance.spend(db, "day", "model", start=first, end=end, tz=tz)
    by_tenant = finance.spend(db, "day", "tenant", start=first, end=end, tz=tz)
    recon = reconcile.reconcile(db, first, end, config)
    charge = finance.chargeback(db, first, end, tz)
    cov = pricing.coverage(db, day_start(first, tz), day_start(end, tz))
    model_totals = finance.totals_by(by_model, "model", ("cost_usd", "turns", "unpriced_turns", "sessions"))
    tenant_totals = finance.totals_by(by_tenant, "tenant")
    tables = {
        "spend_by_day": finance.daily_spend(db, first, last, tz),
        "spend_by_vendor": finance.vendor_totals(recon),
        "spend_by_model": model_totals.sort_values(["cost_usd", "model"], ascending=[False, True]),
        "spend_by_tenant": tenant_totals.sort_values(["cost_usd", "tenant"], ascending=[False, True]),
        "spend_by_model_day": by_model,
        "spend_by_tenant_day": by_tenant,
        "reconciliation": recon,
        "chargeback_tenant": charge["by_tenant"],
        "chargeback_cohort": charge["by_cohort"],
        "unpriced_models": pd.DataFrame(cov["unpriced_models"], columns=["model", "turns", "reason"]),
    }
    return {name: tables[name].reset_index(drop=True) for name in COST_TABLES}


#: One convention in the files: a share or a percentage is a fraction 0-1 in a column named `*_fraction`
#: (the workbook shows it as a percentage), an amount is USD in a column named `*_usd`. Report columns
#: that differ are given this way: {column: (file column, factor)}.
FILE_COLUMNS: dict[str, tuple[str, float]] = {"diff_pct": ("diff_fraction", 0.01), "share": ("share_fraction", 1.0)}


def _significant(v: object) -> object:
    """A float without the noise of binary sums (406.2526120800004 -> 406.25261208): 12 significant digits."""
    return float(f"{v:.12g}") if isinstance(v, float) and math.isfinite(v) else v


def file_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A table as the files give it: FILE_COLUMNS converted, floats to 12 significant digits, and counts a
    query summed as floats (15612.0) as whole numbers; missing stays missing."""
    out = df.copy()
    for col, (name, factor) in FILE_COLUMNS.items():
        if col in out:
            out[col] = out[col].astype(float) * factor
            out = out.rename(columns={col: name})
    for col in out.columns:
        s = out[col]
        if not pd.api.types.is_float_dtype(s.dtype):
            continue
        whole = s.dropna().map(float.is_integer).all() and not col.endswith(("_usd", "_fraction"))
        out[col] = s.round().astype("Int64") if whole else s.map(_significant).astype(float)
    return out


@dataclass
class Export:
    """What an export wrote: the files, and the tables (name -> rows)."""

    paths: list[Path]
    rows: dict[str, int] = field(default_factory=dict)


def about_table(kind: str, first: date, last: date, notes: Mapping[str, str], tz: tzinfo) -> pd.DataFrame:
    """The export's own description (what, which period, units, what each table is), as key/value rows;
    `{zone}` in a note is the zone whose calendar days the tables use."""
    zone = zone_name(tz)
    days = "days and times in UTC" if zone == "UTC" else f"days in {zone} (bills: UTC days), times in UTC"
    rows = [
        ("export", kind),
        ("from", first.isoformat()),
        ("to", last.isoformat() + " (included)"),
        ("generated_at", iso(datetime.now(UTC).replace(microsecond=0))),
        ("launchkit", __version__),
        (
            "units",
            f"amounts in USD (columns *_usd), shares and percentages as fractions 0-1 (columns *_fraction: 0.05 "
            f"is 5 %), counts as whole numbers, {days}; empty cells are missing, not 0",
        ),
    ] + [(f"table {name}", text.format(zone=zone)) for name, text in notes.items()]
    return pd.DataFrame(rows, columns=["key", "value"])


def export_cost(
    db: QueryRunner, config: Config, first: date, last: date, fmt: str = "csv", out: Path | None = None
) -> Export:
    """Write the cost report's tables for days first..last: a folder of CSV files or one XLSX workbook.

    Default place: <reports dir>/exports/cost_<first>_<last>/ (csv) or cost_<first>_<last>.xlsx.
    """
    if fmt not in FORMATS:
        raise LaunchkitError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    tables = cost_tables(db, config, first, last)
    files = {"about": about_table("cost", first, last, COST_TABLES, config.report_zone)} | {
        name: file_frame(df) for name, df in tables.items()
    }
    stem = f"cost_{first.isoformat()}_{last.isoformat()}"
    record = record_of(fmt)
    target = out or config.reports_dir / "exports" / (stem + (record.suffixes[0] if record.one_file else ""))
    if record.one_file:
        if target.is_dir():
            raise LaunchkitError(f"{target}: an {fmt.upper()} export is one file, and this is a folder")
    elif target.exists() and not target.is_dir():
        raise LaunchkitError(f"{target}: {fmt.upper()} files go into a folder, and this is a file")
    written = writer(fmt, "export")(files, target)
    paths = [written] if isinstance(written, Path) else list(written)
    return Export(paths=paths, rows={name: len(df) for name, df in tables.items()})


def period(db: QueryRunner, config: Config, start: date | None, end: date | None) -> tuple[date, date]:
    """The export's days from --from / --to (dates, both included): by default the pilot's first day and
    the latest day with data, as the cost report covers."""
    last = end or latest_day_with_data(db, config.report_zone)
    if start:
        first = start
    else:
        p = finance.pilot_period(db, config)
        first = p["start"] or last
    return first, last
