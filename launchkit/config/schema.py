"""Every key launchkit.toml can hold, with its default, and the checks of the fixed sections.

docs/configuration.md documents each key. Open sections (criteria, decision, pricing, attributes)
have modules of their own in this package; every section is validated when the file is loaded.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any

from launchkit.config.values import number, whole
from launchkit.errors import ConfigError

DEFAULTS: dict[str, Any] = {
    "warehouse": {"path": "launchkit.duckdb"},
    "reports": {
        "dir": "reports",
        "redact": True,
        "timezone": "UTC",
        "keep_days": 0,
        # per report kind: load the reports folder's one plotly.js (true) or embed it (false: mailed alone)
        "share_plotly": {"hourly": True, "cost": False, "debrief": False, "ga": False},
        "base_url": None,  # where the reports folder is published: links in alerts and tickets point there
    },
    "ingest": {
        "timezone": "UTC",
        "earliest": "2020-01-01",
        "max_future_hours": 24,
        "workers": 0,
        "max_turn_cost_usd": 1000,
        "max_decompressed_mb": 4096,
        "max_compression_ratio": 200,
        "max_record_mb": 64,
    },
    "pilot": {"start": None, "end": None},
    "budget": {"total_usd": None, "cost_per_session_usd": 0.50, "burn_days": 7},
    "ga": {"expected_sessions_per_day": 5000, "checklist": None, "freeze_from": None, "freeze_to": None},
    "quality": {"min_coverage": 0.90, "min_llm_latency_ms": 5.0, "exclude_implausible_latency": False},
    "reconciliation": {"tolerance_pct": 2.0},
    # the evaluations the answer_quality criteria count (evaluations.name) and the value from which a score
    # says yes (correct, hallucinated): a 0-1 judge score or a boolean (1 / 0)
    "evaluations": {"correct": "correctness", "hallucination": "hallucination", "threshold": 0.5},
    "hourly": {"inbox": "inbox", "lock_timeout_s": 30.0, "stale_after_hours": 2.0},
    "backup": {"dir": None, "keep": 0, "every_hours": 24.0},
    "attributes": {
        "tenant": ["tenant.id", "tenant_id", "enduser.tenant", "app.tenant.id"],
        "user": ["enduser.id", "user.id", "user_id"],
    },
    "pricing": {"overrides": {}},
    "criteria": {},
    "decision": {},
    "engine": {"kind": "duckdb", "tables": {}},
    "capacity": {},  # launchkit.config.capacity: headroom, min_days, limits."PROVIDER/MODEL", rate_limited_*
    "alerts": {},  # launchkit.config.alerts: targets, stale_after_hours, catch_up_hours, timeout_s, retries
}

MAX_TURN_COST_BOUND = 100_000.0  # the most [ingest] max_turn_cost_usd may be (see _check_ranges)
# The report kinds a per-kind setting names (launchkit.reports.kinds.KINDS; a test checks they agree).
REPORT_KINDS = ("hourly", "cost", "debrief", "ga")

# Sections whose keys are open (each validated by its own module in launchkit.config).
OPEN_SECTIONS = frozenset({"criteria", "decision", "pricing", "attributes", "engine", "alerts", "capacity"})

_TEXT = (str,)
_OPTIONAL_TEXT = (str, type(None))
_NUMBER = (int, float)
_OPTIONAL_NUMBER = (int, float, type(None))
_BOOL = (bool,)
TYPES: dict[str, tuple[type, ...]] = {
    "warehouse.path": _TEXT,
    "reports.dir": _TEXT,
    "reports.redact": _BOOL,
    "reports.timezone": _TEXT,
    "reports.keep_days": (int,),
    "reports.share_plotly": (bool, dict),
    "reports.base_url": _OPTIONAL_TEXT,
    "ingest.timezone": _TEXT,
    "ingest.earliest": (str, date),
    "ingest.max_future_hours": _NUMBER,
    "ingest.workers": (int,),
    "ingest.max_turn_cost_usd": _NUMBER,
    "ingest.max_decompressed_mb": _NUMBER,
    "ingest.max_compression_ratio": _NUMBER,
    "ingest.max_record_mb": _NUMBER,
    "pilot.start": _OPTIONAL_TEXT,
    "pilot.end": _OPTIONAL_TEXT,
    "budget.total_usd": _OPTIONAL_NUMBER,
    "budget.cost_per_session_usd": _NUMBER,
    "budget.burn_days": (int,),
    "ga.expected_sessions_per_day": _NUMBER,
    "ga.checklist": _OPTIONAL_TEXT,
    "ga.freeze_from": _OPTIONAL_TEXT,
    "ga.freeze_to": _OPTIONAL_TEXT,
    "quality.min_coverage": _NUMBER,
    "quality.min_llm_latency_ms": _NUMBER,
    "quality.exclude_implausible_latency": _BOOL,
    "reconciliation.tolerance_pct": _NUMBER,
    "evaluations.correct": _TEXT,
    "evaluations.hallucination": _TEXT,
    "evaluations.threshold": _NUMBER,
    "hourly.inbox": _TEXT,
    "hourly.lock_timeout_s": _NUMBER,
    "hourly.stale_after_hours": _NUMBER,
    "backup.dir": _OPTIONAL_TEXT,
    "backup.keep": (int,),
    "backup.every_hours": _NUMBER,
}


def check_fixed(data: dict[str, Any], where: str | None) -> None:
    """Sections known, fixed keys known and of the right type and range; ConfigError names the key."""
    for section, body in data.items():
        if section not in DEFAULTS:
            raise ConfigError(section, f"unknown section (known: {', '.join(sorted(DEFAULTS))})", where)
        if not isinstance(body, dict):
            raise ConfigError(section, "must be a table ([section])", where)
        if section in OPEN_SECTIONS:
            continue
        for key, value in body.items():
            dotted = f"{section}.{key}"
            if dotted not in TYPES:
                raise ConfigError(dotted, "unknown key", where)
            if (isinstance(value, bool) and bool not in TYPES[dotted]) or not isinstance(value, TYPES[dotted]):
                names = " or ".join(t.__name__ for t in TYPES[dotted] if t is not type(None))
                raise ConfigError(dotted, f"must be {names}, got {value!r}", where)
            if (
                isinstance(value, str)
                and dotted
                in (
                    "warehouse.path",
                    "reports.dir",
                    "hourly.inbox",
                    "backup.dir",
                    "evaluations.correct",
                    "evaluations.hallucination",
                )
                and not value.strip()
            ):
                raise ConfigError(dotted, "must not be empty", where)
    _check_ranges(data, where)


def _get(data: dict[str, Any], dotted: str) -> Any:
    section, _, key = dotted.partition(".")
    return (data.get(section) or {}).get(key)


def _check_ranges(data: dict[str, Any], where: str | None) -> None:
    for dotted in ("ingest.timezone", "reports.timezone"):
        tz = _get(data, dotted)
        if tz is not None:
            try:
                zoneinfo.ZoneInfo(tz)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ConfigError(dotted, f"unknown time zone {tz!r}", where) from None
    earliest = _get(data, "ingest.earliest")
    if isinstance(earliest, str):
        try:
            date.fromisoformat(earliest)
        except ValueError:
            raise ConfigError("ingest.earliest", f"must be a date YYYY-MM-DD, got {earliest!r}", where) from None
    elif isinstance(earliest, datetime):  # a TOML date-time: the window starts on a day
        raise ConfigError("ingest.earliest", f"must be a date YYYY-MM-DD, got {earliest!r}", where)
    number("ingest.max_future_hours", _get(data, "ingest.max_future_hours"), allow_none=True, low=0, where=where)
    # A turn's cost is summed exactly per session as DECIMAL(18, 9) (below 1e9 dollars): at the highest cap a
    # session of 10,000 turns still fits (launchkit.ingest.compile rejects a turn above it).
    number(
        "ingest.max_turn_cost_usd",
        _get(data, "ingest.max_turn_cost_usd"),
        allow_none=True,
        low=0,
        low_open=True,
        high=MAX_TURN_COST_BOUND,
        where=where,
    )
    number(
        "ingest.max_decompressed_mb",
        _get(data, "ingest.max_decompressed_mb"),
        allow_none=True,
        low=1,
        high=1 << 20,
        where=where,
    )
    number(
        "ingest.max_compression_ratio",
        _get(data, "ingest.max_compression_ratio"),
        allow_none=True,
        low=2,
        high=100_000,
        where=where,
    )
    number("ingest.max_record_mb", _get(data, "ingest.max_record_mb"), allow_none=True, low=1, high=1024, where=where)
    number("quality.min_coverage", _get(data, "quality.min_coverage"), allow_none=True, low=0, high=1, where=where)
    for dotted in (
        "budget.total_usd",
        "budget.cost_per_session_usd",
        "ga.expected_sessions_per_day",
        "reconciliation.tolerance_pct",
        "quality.min_llm_latency_ms",
    ):
        number(dotted, _get(data, dotted), allow_none=True, low=0, where=where)
    for dotted in ("hourly.lock_timeout_s", "hourly.stale_after_hours", "backup.every_hours"):
        number(dotted, _get(data, dotted), allow_none=True, low=0, low_open=True, where=where)
    workers = _get(data, "ingest.workers")
    if workers is not None:
        whole("ingest.workers", workers, 0, where)
    keep = _get(data, "backup.keep")
    if keep is not None:
        whole("backup.keep", keep, 0, where)
    base = _get(data, "reports.base_url")
    if isinstance(base, str) and not base.startswith(("https://", "http://")):
        raise ConfigError("reports.base_url", f"must be an http(s) URL, got {base!r}", where)
    share = _get(data, "reports.share_plotly")
    if isinstance(share, dict):
        for kind, value in share.items():
            if kind not in REPORT_KINDS:
                raise ConfigError(
                    f"reports.share_plotly.{kind}", f"unknown report (one of {', '.join(REPORT_KINDS)})", where
                )
            if not isinstance(value, bool):
                raise ConfigError(f"reports.share_plotly.{kind}", f"must be true or false, got {value!r}", where)
    burn_days = _get(data, "budget.burn_days")
    if burn_days is not None:
        whole("budget.burn_days", burn_days, 1, where)
    keep_days = _get(data, "reports.keep_days")
    if keep_days is not None:
        whole("reports.keep_days", keep_days, 0, where)
    days: dict[str, date] = {}
    for dotted in ("pilot.start", "pilot.end", "ga.freeze_from", "ga.freeze_to"):
        value = _get(data, dotted)
        if value is not None:
            try:
                days[dotted] = date.fromisoformat(value)
            except ValueError:
                raise ConfigError(dotted, f"must be a date YYYY-MM-DD, got {value!r}", where) from None
    if "pilot.end" in days and "pilot.start" in days and days["pilot.end"] < days["pilot.start"]:
        raise ConfigError("pilot.end", f"is before pilot.start ({days['pilot.end']} < {days['pilot.start']})", where)
    # the deployment freeze before GA: both days or neither, the last not before the first
    if ("ga.freeze_from" in days) != ("ga.freeze_to" in days):
        given, missing = (
            ("ga.freeze_from", "ga.freeze_to") if "ga.freeze_from" in days else ("ga.freeze_to", "ga.freeze_from")
        )
        raise ConfigError(missing, f"must be set with {given} (the freeze's first and last day)", where)
    if "ga.freeze_to" in days and days["ga.freeze_to"] < days["ga.freeze_from"]:
        raise ConfigError(
            "ga.freeze_to", f"is before ga.freeze_from ({days['ga.freeze_to']} < {days['ga.freeze_from']})", where
        )
