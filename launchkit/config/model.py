"""The configuration object: merged data, validated once when built, read through typed accessors."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path
from typing import Any

from launchkit.config import alerts, attributes, capacity, criteria, decision, pricing, schema
from launchkit.config import engine as engine_section
from launchkit.config.engine import EngineSettings
from launchkit.config.limits import Limits


@dataclass(frozen=True)
class Settings:
    """Every section, validated and typed."""

    criteria: criteria.CriteriaSettings
    decision: dict[str, Any]
    pricing_overrides: dict[str, pricing.Override]
    identity: dict[str, tuple[str, ...]]
    engine: EngineSettings
    alerts: alerts.AlertSettings = field(default_factory=alerts.AlertSettings)
    capacity: capacity.CapacitySettings = field(default_factory=capacity.CapacitySettings)


def parse(data: dict[str, Any], where: str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Validate every section of merged configuration data; ConfigError names the file and key.

    `env`: the environment variables a section reads (the [alerts] URLs, kept out of the file).
    """
    schema.check_fixed(data, where)
    return Settings(
        criteria=criteria.parse(data, where),
        decision=decision.parse(data, where),
        pricing_overrides=pricing.parse(data, where),
        identity=attributes.parse(data, where),
        engine=engine_section.parse(data, where),
        alerts=alerts.parse(data, where, env),
        capacity=capacity.parse(data, where),
    )


@dataclass(frozen=True)
class Config:
    """The merged configuration (defaults, the file, environment, flags), validated when built."""

    data: dict[str, Any]
    path: Path | None = None
    base_dir: Path = field(default_factory=Path.cwd)
    # the environment variables a section reads (launchkit.config.alerts.ENV_VARS): never in `data`,
    # so never in a notebook's parameters, a digest or a log
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    settings: Settings = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", parse(self.data, str(self.path) if self.path else None, self.env))

    def get(self, dotted: str, default: Any = None) -> Any:
        """The raw value of a dotted key ('budget.total_usd'), or `default` when absent."""
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def _path(self, dotted: str) -> Path:
        p = Path(os.path.expanduser(str(self.get(dotted))))
        return p if p.is_absolute() else self.base_dir / p

    # --- paths
    @property
    def warehouse_path(self) -> Path:
        return self._path("warehouse.path")

    @property
    def reports_dir(self) -> Path:
        return self._path("reports.dir")

    def report_link(self, path: str | Path) -> str:
        """Where a reader opens a report file: under [reports] base_url (the published reports folder)
        when it is set and the file is in the reports folder, else the file's path."""
        base = self.get("reports.base_url")
        try:
            rel = Path(path).resolve().relative_to(self.reports_dir.resolve())
        except ValueError:
            return str(path)
        return f"{str(base).rstrip('/')}/{rel.as_posix()}" if base else str(path)

    @property
    def inbox_dir(self) -> Path:
        return self._path("hourly.inbox")

    @property
    def checklist_path(self) -> Path | None:
        """The go/no-go checklist file ([ga] checklist), or None for the packaged default."""
        return self._path("ga.checklist") if self.get("ga.checklist") else None

    # --- typed values
    @property
    def redact(self) -> bool:
        """Whether free text (comments, incident titles) is redacted in reports and exports ([reports] redact)."""
        return bool(self.get("reports.redact", True))

    @property
    def keep_days(self) -> int:
        """Hourly reports whose hour ended more than this many days before the newest one's are pruned
        by the hourly run ([reports] keep_days; 0: every report is kept)."""
        return int(self.get("reports.keep_days", 0))

    def share_plotly(self, kind: str) -> bool:
        """Whether a report of this kind loads the reports folder's one plotly.js instead of embedding it
        ([reports] share_plotly: a table per kind, by default only the hourly series shares, so a cost,
        debrief or GA report draws wherever it is mailed; `true` alone: every kind but GA shares)."""
        v = self.get("reports.share_plotly")
        if isinstance(v, dict):
            return bool(v.get(kind, kind == "hourly"))
        return bool(v) and kind != "ga"

    @property
    def timezone(self) -> str:
        return str(self.get("ingest.timezone"))

    @property
    def report_zone(self) -> tzinfo:
        """The zone whose calendar days and clock hours the reports and commands use ([reports] timezone,
        default UTC); the warehouse stays UTC (launchkit.window)."""
        return zoneinfo.ZoneInfo(str(self.get("reports.timezone") or "UTC"))

    @property
    def earliest(self) -> date:
        """The first plausible day of data ([ingest] earliest): earlier times reject their row."""
        v = self.get("ingest.earliest")
        return v if isinstance(v, date) else date.fromisoformat(str(v))

    @property
    def max_future_hours(self) -> float:
        """How far past the time of a load a time may lie ([ingest] max_future_hours)."""
        return float(self.get("ingest.max_future_hours"))

    @property
    def max_turn_cost_usd(self) -> float:
        """The most one turn may cost ([ingest] max_turn_cost_usd): a costlier turn is held, not loaded."""
        return float(self.get("ingest.max_turn_cost_usd"))

    @property
    def input_limits(self) -> Limits:
        """What one input may cost to read ([ingest] max_decompressed_mb, max_compression_ratio, max_record_mb)."""
        return Limits(
            max_bytes=int(float(self.get("ingest.max_decompressed_mb")) * (1 << 20)),
            max_ratio=float(self.get("ingest.max_compression_ratio")),
            max_record=int(float(self.get("ingest.max_record_mb")) * (1 << 20)),
        )

    @property
    def ingest_workers(self) -> int:
        """Worker processes that map a large trace file ([ingest] workers; 0: one per CPU, at most 4; 1: none)."""
        return int(self.get("ingest.workers"))

    @property
    def lock_timeout_s(self) -> float:
        """How long a writer waits for the warehouse or the hourly lock ([hourly] lock_timeout_s)."""
        return float(self.get("hourly.lock_timeout_s"))

    @property
    def stale_after_hours(self) -> float:
        """Hours without new data, while traffic is expected, that make the hourly run breach ([hourly])."""
        return float(self.get("hourly.stale_after_hours"))

    @property
    def backup_dir(self) -> Path | None:
        """Where the hourly run keeps its backups ([backup] dir), or None: beside the warehouse, in backups/."""
        return self._path("backup.dir") if self.get("backup.dir") else None

    @property
    def backup_keep(self) -> int:
        """How many backups the hourly run keeps ([backup] keep; 0: it makes none)."""
        return int(self.get("backup.keep"))

    @property
    def backup_every_hours(self) -> float:
        """The hourly run makes a backup when the newest is at least this old ([backup] every_hours)."""
        return float(self.get("backup.every_hours"))

    @property
    def min_coverage(self) -> float:
        return float(self.get("quality.min_coverage"))

    @property
    def min_llm_latency_ms(self) -> float:
        """An LLM latency under this is implausible (a data-quality finding)."""
        return float(self.get("quality.min_llm_latency_ms"))

    @property
    def exclude_implausible_latency(self) -> bool:
        """Whether implausible latencies are left out of the percentiles (else only reported)."""
        return bool(self.get("quality.exclude_implausible_latency"))

    def evaluation_name(self, key: str) -> str:
        """The evaluations.name an [evaluations] key ("correct", "hallucination") counts."""
        return str(self.get(f"evaluations.{key}"))

    @property
    def evaluation_threshold(self) -> float:
        """The value from which an evaluation says yes (correct, hallucinated)."""
        return float(self.get("evaluations.threshold"))

    @property
    def tolerance_pct(self) -> float:
        return float(self.get("reconciliation.tolerance_pct"))

    @property
    def budget_total_usd(self) -> float | None:
        v = self.get("budget.total_usd")
        return None if v is None else float(v)

    @property
    def burn_days(self) -> int:
        """The days the recent burn rate and the cost forecast are measured over ([budget] burn_days)."""
        return int(self.get("budget.burn_days"))

    @property
    def cost_per_session_usd(self) -> float:
        return float(self.get("budget.cost_per_session_usd"))

    @property
    def expected_sessions_per_day(self) -> float:
        return float(self.get("ga.expected_sessions_per_day"))

    @property
    def pilot_start(self) -> date | None:
        v = self.get("pilot.start")
        return date.fromisoformat(v) if v else None

    @property
    def pilot_end(self) -> date | None:
        v = self.get("pilot.end")
        return date.fromisoformat(v) if v else None

    @property
    def freeze(self) -> tuple[date, date] | None:
        """The deployment freeze before GA, first and last day included ([ga] freeze_from, freeze_to), or None."""
        a, b = self.get("ga.freeze_from"), self.get("ga.freeze_to")
        return (date.fromisoformat(a), date.fromisoformat(b)) if a and b else None

    @property
    def criteria(self) -> tuple[criteria.Criterion, ...]:
        return self.settings.criteria.criteria

    @property
    def decision(self) -> dict[str, Any]:
        return dict(self.settings.decision)

    @property
    def pricing_overrides(self) -> dict[str, pricing.Override]:
        return self.settings.pricing_overrides

    @property
    def capacity(self) -> capacity.CapacitySettings:
        """[capacity]: the providers' per-minute limits and the headroom a projection keeps."""
        return self.settings.capacity

    @property
    def alerts(self) -> alerts.AlertSettings:
        """Where and how the hourly run sends alerts ([alerts] and the LAUNCHKIT_ALERT_* variables)."""
        return self.settings.alerts

    @property
    def identity_attributes(self) -> dict[str, tuple[str, ...]]:
        return self.settings.identity

    @property
    def engine(self) -> EngineSettings:
        """[engine]: the engine that runs the queries and the tables it reads in place (paths made absolute)."""
        return self.settings.engine.resolved(self.base_dir)

    def digest(self) -> str:
        """A stable hash of the effective configuration, stored with each decision for audit.

        Which engine runs the queries (engine.kind, master, remote, conf) is left out: it does not change
        a number (tests/test_engines.py holds DuckDB and Spark to the same results), so a decision made on
        either engine from the same data and settings carries the same digest. Where the tables live
        (engine.tables) is kept, as warehouse.path is."""
        data = {k: v for k, v in self.data.items() if k != "engine"}
        tables = (self.data.get("engine") or {}).get("tables")
        if tables:
            data["engine"] = {"tables": tables}
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def with_overrides(self, **dotted: Any) -> Config:
        """A copy with some keys set ('section.key' = value); validated like a loaded file."""
        data = copy.deepcopy(self.data)
        for key, value in dotted.items():
            section, _, name = key.partition(".")
            data.setdefault(section, {})[name] = value
        return Config(data=data, path=self.path, base_dir=self.base_dir, env=self.env)
