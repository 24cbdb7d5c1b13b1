"""launchkit.toml: found in the current folder or given with --config; validated with clear errors.

Precedence for the two paths a scheduler most often moves: command-line flag, then the
environment (LAUNCHKIT_WAREHOUSE, LAUNCHKIT_REPORTS_DIR), then the file, then the default.
Sections owned by other modules (criteria, decision, pricing) are kept as parsed and validated
by those modules, which raise ConfigError naming the key.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from launchkit.errors import ConfigError

CONFIG_FILE = "launchkit.toml"

# Every key launchkit reads, with its default. docs/configuration.md documents each one.
DEFAULTS: dict[str, Any] = {
    "warehouse": {"path": "launchkit.duckdb"},
    "reports": {"dir": "reports"},
    "ingest": {"timezone": "UTC"},
    "pilot": {"start": None, "end": None},
    "budget": {"total_usd": None, "cost_per_session_usd": 0.50},
    "ga": {"expected_sessions_per_day": 5000},
    "quality": {"min_coverage": 0.90},
    "reconciliation": {"tolerance_pct": 2.0},
    "hourly": {"inbox": "inbox", "lock_timeout_s": 30.0},
    "attributes": {
        "tenant": ["tenant.id", "tenant_id", "enduser.tenant", "app.tenant.id"],
        "user": ["enduser.id", "user.id", "user_id"],
    },
    "pricing": {"overrides": {}},
    "criteria": {},
    "decision": {},
}

# Sections whose keys are open (validated by their owning module, not here).
_OPEN_SECTIONS = {"criteria", "decision", "pricing", "attributes"}

_TYPES: dict[str, tuple[type, ...]] = {
    "warehouse.path": (str,),
    "reports.dir": (str,),
    "ingest.timezone": (str,),
    "pilot.start": (str, type(None)),
    "pilot.end": (str, type(None)),
    "budget.total_usd": (int, float, type(None)),
    "budget.cost_per_session_usd": (int, float),
    "ga.expected_sessions_per_day": (int, float),
    "quality.min_coverage": (int, float),
    "reconciliation.tolerance_pct": (int, float),
    "hourly.inbox": (str,),
    "hourly.lock_timeout_s": (int, float),
}


@dataclass(frozen=True)
class Config:
    """The merged configuration: defaults, then the file, then environment and flags."""

    data: dict[str, Any]
    path: Path | None = None
    base_dir: Path = field(default_factory=Path.cwd)

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def _path(self, dotted: str) -> Path:
        p = Path(os.path.expanduser(str(self.get(dotted))))
        return p if p.is_absolute() else self.base_dir / p

    @property
    def warehouse_path(self) -> Path:
        return self._path("warehouse.path")

    @property
    def reports_dir(self) -> Path:
        return self._path("reports.dir")

    @property
    def inbox_dir(self) -> Path:
        return self._path("hourly.inbox")

    @property
    def timezone(self) -> str:
        return str(self.get("ingest.timezone"))

    def digest(self) -> str:
        """A stable hash of the effective configuration, stored with each decision for audit."""
        blob = json.dumps(self.data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def with_overrides(self, **dotted: Any) -> "Config":
        data = copy.deepcopy(self.data)
        for key, value in dotted.items():
            section, _, name = key.partition(".")
            data.setdefault(section, {})[name] = value
        return Config(data=data, path=self.path, base_dir=self.base_dir)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _validate(data: dict[str, Any], where: str | None) -> None:
    for section, body in data.items():
        if section not in DEFAULTS:
            known = ", ".join(sorted(DEFAULTS))
            raise ConfigError(section, f"unknown section (known: {known})", where)
        if not isinstance(body, dict):
            raise ConfigError(section, "must be a table ([section])", where)
        if section in _OPEN_SECTIONS:
            continue
        for key, value in body.items():
            dotted = f"{section}.{key}"
            if dotted not in _TYPES:
                raise ConfigError(dotted, "unknown key", where)
            if isinstance(value, bool) or not isinstance(value, _TYPES[dotted]):
                names = " or ".join(t.__name__ for t in _TYPES[dotted] if t is not type(None))
                raise ConfigError(dotted, f"must be {names}, got {value!r}", where)
    tz = data.get("ingest", {}).get("timezone")
    if tz is not None:
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError("ingest.timezone", f"unknown time zone {tz!r}", where) from None
    cov = data.get("quality", {}).get("min_coverage")
    if cov is not None and not 0 <= cov <= 1:
        raise ConfigError("quality.min_coverage", f"must be between 0 and 1, got {cov!r}", where)
    for dotted in ("pilot.start", "pilot.end"):
        section, _, key = dotted.partition(".")
        value = data.get(section, {}).get(key)
        if value is not None:
            from datetime import date

            try:
                date.fromisoformat(value)
            except ValueError:
                raise ConfigError(dotted, f"must be a date YYYY-MM-DD, got {value!r}", where) from None
    for dotted in ("budget.total_usd", "budget.cost_per_session_usd", "ga.expected_sessions_per_day"):
        section, _, key = dotted.partition(".")
        value = data.get(section, {}).get(key)
        if value is not None and value < 0:
            raise ConfigError(dotted, f"must be >= 0, got {value!r}", where)


def find_config(start: Path | None = None) -> Path | None:
    """The launchkit.toml in the given (or current) folder, if there is one."""
    candidate = (start or Path.cwd()) / CONFIG_FILE
    return candidate if candidate.is_file() else None


def load_config(
    path: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
    reports_dir: str | Path | None = None,
    env: dict[str, str] | None = None,
) -> Config:
    """Load and validate the configuration; flags beat the environment, which beats the file."""
    env = os.environ if env is None else env
    file_path: Path | None
    if path is not None:
        file_path = Path(path)
        if not file_path.is_file():
            raise ConfigError("--config", f"no such file: {file_path}")
    else:
        explicit = env.get("LAUNCHKIT_CONFIG")
        file_path = Path(explicit) if explicit else find_config()
        if explicit and not file_path.is_file():
            raise ConfigError("LAUNCHKIT_CONFIG", f"no such file: {file_path}")
    user: dict[str, Any] = {}
    if file_path is not None:
        try:
            user = tomllib.loads(file_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("(file)", f"not valid TOML: {exc}", str(file_path)) from None
        _validate(user, str(file_path))
    data = _merge(DEFAULTS, user)
    base_dir = file_path.resolve().parent if file_path is not None else Path.cwd()
    overrides = {
        ("warehouse", "path"): warehouse or env.get("LAUNCHKIT_WAREHOUSE"),
        ("reports", "dir"): reports_dir or env.get("LAUNCHKIT_REPORTS_DIR"),
    }
    for (section, key), value in overrides.items():
        if value:
            data[section][key] = str(Path(value).resolve())
    return Config(data=data, path=file_path, base_dir=base_dir)
