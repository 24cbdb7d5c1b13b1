"""[engine]: which engine runs the metric queries, and where the contract tables live when read in place.

    [engine]
    kind = "duckdb"                # "duckdb" (default) or "spark"
    master = "local[2]"            # spark: the master of a session launchkit starts (default local[2])
    remote = "sc://host:15002"     # spark: a Spark Connect server instead (not with master)
    [engine.tables]                # contract tables read where they live (the others: the warehouse file)
    turns = "lake/turns"           # contains "/" or a URI scheme: a path (Parquet or Delta folder)
    sessions = "prod.telemetry.sessions"   # anything else: a catalog table name (spark only)
    [engine.conf]                  # spark: extra settings of a session launchkit starts
    "spark.driver.memory" = "4g"

launchkit's own small tables (model prices, decisions, the load manifest and rejects, settings) stay
in the DuckDB warehouse file whatever the engine. Relative paths are relative to the config file's
folder; the Config object resolves them (launchkit.config.model.Config.engine).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from launchkit.contract import TABLES
from launchkit.errors import ConfigError

KINDS = ("duckdb", "spark")
DEFAULT_MASTER = "local[2]"
# The telemetry tables that grow with usage: Spark reads them where they live, so they must be mapped.
EVENT_TABLES = ("sessions", "turns", "tool_calls", "feedback")
_KEYS = frozenset({"kind", "master", "remote", "tables", "conf"})
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_CATALOG_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")


@dataclass(frozen=True)
class TableSource:
    """Where one contract table is read: a path (a folder of Parquet, or a Delta table) or a catalog table."""

    table: str
    location: str  # a resolved path or URI (kind "path"), or a catalog name (kind "catalog")
    kind: Literal["path", "catalog"]

    @property
    def is_uri(self) -> bool:
        return bool(_URI.match(self.location))


@dataclass(frozen=True)
class EngineSettings:
    """The [engine] section, validated. `tables` maps the contract tables read in place."""

    kind: str = "duckdb"
    master: str = DEFAULT_MASTER
    remote: str | None = None
    tables: dict[str, TableSource] = field(default_factory=dict)
    conf: dict[str, str] = field(default_factory=dict)

    @property
    def in_place(self) -> bool:
        """True when some contract tables are read where they live (a lake) instead of the warehouse file."""
        return bool(self.tables)

    def resolved(self, base_dir: Path) -> EngineSettings:
        """A copy whose relative paths are made absolute against `base_dir` (the config file's folder)."""
        out = {}
        for name, src in self.tables.items():
            loc = src.location
            if src.kind == "path" and not src.is_uri:
                p = Path(loc).expanduser()
                loc = str(p if p.is_absolute() else (base_dir / p).resolve())
            out[name] = TableSource(name, loc, src.kind)
        return EngineSettings(self.kind, self.master, self.remote, out, dict(self.conf))


def source(table: str, value: Any, where: str | None = None) -> TableSource:
    """One [engine.tables] entry: a path when it contains '/' or a URI scheme, else a catalog table name."""
    key = f"engine.tables.{table}"
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(key, f"must be a path or a catalog table name (text), got {value!r}", where)
    value = value.strip()
    if "/" in value or _URI.match(value):
        return TableSource(table, value, "path")
    if not _CATALOG_NAME.match(value):
        raise ConfigError(
            key,
            f"{value!r} is neither a path (it has no '/') nor a catalog table name ([catalog.][database.]table)",
            where,
        )
    return TableSource(table, value, "catalog")


def parse(data: dict[str, Any], where: str | None = None) -> EngineSettings:
    """The [engine] section of merged configuration data, validated; ConfigError names the offending key."""
    section = data.get("engine") or {}
    if not isinstance(section, dict):
        raise ConfigError("engine", "must be a table ([engine])", where)
    extra = set(section) - _KEYS
    if extra:
        raise ConfigError(f"engine.{sorted(extra)[0]}", f"unknown key (known: {', '.join(sorted(_KEYS))})", where)
    kind = section.get("kind", "duckdb")
    if kind not in KINDS:
        raise ConfigError("engine.kind", f"must be one of {', '.join(KINDS)}, got {kind!r}", where)
    master, remote = section.get("master"), section.get("remote")
    if master is not None and (not isinstance(master, str) or not master.strip()):
        raise ConfigError("engine.master", f"must be a Spark master URL such as local[2], got {master!r}", where)
    if remote is not None and (not isinstance(remote, str) or not remote.startswith("sc://")):
        raise ConfigError("engine.remote", f"must be a Spark Connect URL sc://host:port, got {remote!r}", where)
    if master is not None and remote is not None:
        raise ConfigError(
            "engine.remote", "set engine.master (a session launchkit starts) or engine.remote, not both", where
        )
    tables_in = section.get("tables") or {}
    if not isinstance(tables_in, dict):
        raise ConfigError("engine.tables", "must be a table of contract table = path or catalog name", where)
    tables: dict[str, TableSource] = {}
    for name, value in tables_in.items():
        if name not in TABLES:
            raise ConfigError(
                f"engine.tables.{name}", f"not a contract table (one of {', '.join(sorted(TABLES))})", where
            )
        tables[name] = source(name, value, where)
    if kind == "duckdb":
        for name, src in tables.items():
            if src.kind == "catalog":
                raise ConfigError(
                    f"engine.tables.{name}",
                    f"{src.location!r} is a catalog table name, which only kind = 'spark' reads "
                    "(DuckDB reads paths: a folder of Parquet files)",
                    where,
                )
    else:
        missing = [t for t in EVENT_TABLES if t not in tables]
        if missing:
            raise ConfigError(
                "engine.tables",
                f"kind = 'spark' reads the event tables where they live: map {', '.join(missing)} "
                "to a path or a catalog table",
                where,
            )
    conf_in = section.get("conf") or {}
    if not isinstance(conf_in, dict):
        raise ConfigError("engine.conf", "must be a table of Spark settings", where)
    conf: dict[str, str] = {}
    for k, v in conf_in.items():
        if isinstance(v, dict | list) or v is None:
            raise ConfigError(f"engine.conf.{k}", f"must be text, a number or true/false, got {v!r}", where)
        conf[str(k)] = str(v).lower() if isinstance(v, bool) else str(v)
    return EngineSettings(kind, master or DEFAULT_MASTER, remote, tables, conf)
