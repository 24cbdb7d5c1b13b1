"""Inside a report notebook: its configuration, a read-only snapshot of the warehouse, the title block
and the machine-readable summary.

Notebooks read the warehouse through the snapshot (launchkit.store.snapshot), so a report, or an
analyst's open notebook, never keeps the hourly writer out. This module runs in the kernel: it
imports no papermill or nbconvert.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from launchkit import __version__
from launchkit.analytics.span import latest_day_with_data, latest_hour_with_data
from launchkit.config import Config, load_config
from launchkit.jsonclean import clean
from launchkit.reports.kinds import SUMMARY_MIME
from launchkit.reports.page import charts
from launchkit.store import snapshot
from launchkit.store.engines import Runner, runner_on
from launchkit.window import floor_hour, iso, parse_day, parse_instant, zone_name


@dataclass
class Context:
    """What a report notebook works with: the configuration and a read-only snapshot of the warehouse, read
    by the configured engine ([engine]; a lake's tables in place)."""

    config: Config
    db: Runner
    refreshed: snapshot.Refresh | None = None

    @property
    def tz(self) -> tzinfo:
        """The report zone ([reports] timezone): its calendar days and clock hours are the report's."""
        return self.config.report_zone

    @property
    def zone(self) -> str:
        """The report zone's name, as headers and axis titles print it: 'UTC', 'Europe/Berlin'."""
        return zone_name(self.config.report_zone)

    def hour(self, at: str | datetime | None, now: datetime | None = None) -> datetime:
        """The hour to report: `at` floored to the zone's clock hour, or the latest complete hour with data."""
        if at in (None, ""):
            return latest_hour_with_data(self.db, now, self.tz)
        return floor_hour(parse_instant(at, "at", self.tz), self.tz)

    def day(self, d: str | date | None) -> date:
        """The day to report (a calendar day of the zone): `d`, or the latest day with data."""
        if d in (None, ""):
            return latest_day_with_data(self.db, self.tz)
        return parse_day(d, "date")


def notebook_config(
    config_path: str | None = None, warehouse: str | None = None, config_json: str | None = None
) -> Config:
    """The configuration a notebook should use.

    `launchkit run` passes config_json (its exact effective configuration). Interactively the
    configuration is found as the CLI finds it (launchkit.config.load_config): $LAUNCHKIT_CONFIG,
    else the nearest launchkit.toml from the current folder up; `make lab` points the environment
    at the project's warehouse.
    """
    if config_json:
        cfg = Config(data=json.loads(config_json), path=Path(config_path) if config_path else None, base_dir=Path.cwd())
        if warehouse:
            cfg = cfg.with_overrides(**{"warehouse.path": str(Path(warehouse).resolve())})
        return cfg
    return load_config(config_path, warehouse=warehouse)


def open_context(
    config_path: str | None = None, warehouse: str | None = None, config_json: str | None = None
) -> Context:
    """Configuration plus a read-only connection to a current snapshot of the warehouse; `ctx.tz` is the zone
    ([reports] timezone) the report passes to every table and chart that shows times."""
    cfg = notebook_config(config_path, warehouse, config_json)
    if config_json and snapshot.snapshot_path(cfg.warehouse_path).is_file():
        r = None  # started by `launchkit run`, which has just refreshed the snapshot
    else:
        r = snapshot.refresh(cfg)
    return Context(config=cfg, db=runner_on(snapshot.connect(cfg, refresh_first=False), cfg.engine), refreshed=r)


def header(title: str, period: str, ctx: Context | None = None, extra: str | None = None) -> charts.HTMLBlock:
    """The report's title block: what, which period, from which data (escaped HTML)."""
    bits = [
        f'<p class="lk-muted" data-report-title="{charts.esc(title)}"><strong>{charts.esc(period)}</strong>'
        f" · generated {charts.esc(iso(datetime.now(UTC)))} · launchkit {charts.esc(__version__)}</p>"
    ]
    if ctx is not None and ctx.refreshed is not None and ctx.refreshed.note:
        bits.append(str(charts.note(ctx.refreshed.note, "warn", "Data may be stale").markup))
    if extra:
        bits.append(f"<p>{charts.esc(extra)}</p>")
    return charts.HTMLBlock(charts.STYLE_CSS + "".join(bits), f"{title}\n{period}")


class _Summary:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        keys = ", ".join(self.data)
        return {SUMMARY_MIME: self.data, "text/plain": f"report summary ({keys})"}


def summary(data: Mapping[str, Any]) -> _Summary:
    """Display the report's machine-readable summary (the runner collects it from the cell tagged
    `summary`; JupyterLab shows it as a JSON tree). Values are made strict JSON (NaN -> null)."""
    cleaned = clean(dict(data))
    json.dumps(cleaned, allow_nan=False)  # fail here, in the notebook, rather than in the runner
    return _Summary(cleaned)
