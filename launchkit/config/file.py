"""Finding and loading launchkit.toml: one search rule, one precedence, validated at load.

The file: --config, else $LAUNCHKIT_CONFIG, else the first launchkit.toml in the current folder or
one of its parents (as git finds its repository), else none (the defaults). `none` (as --config or
$LAUNCHKIT_CONFIG) says "no file, the defaults" and skips the search: a scheduler or a test that
must not pick up a launchkit.toml lying in a parent folder says so. Relative paths in it
are relative to its folder. Precedence for the paths a scheduler most often moves: command-line
flag, then the environment (LAUNCHKIT_WAREHOUSE, LAUNCHKIT_REPORTS_DIR), then the file, then the
default.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from launchkit.config.alerts import ENV_VARS as ALERT_ENV_VARS
from launchkit.config.model import Config
from launchkit.config.schema import DEFAULTS, check_fixed
from launchkit.errors import ConfigError

CONFIG_FILE = "launchkit.toml"
NO_CONFIG = "none"
"""The value of --config or $LAUNCHKIT_CONFIG that means: no file, the defaults, no upward search."""


def find_config(start: Path | None = None) -> Path | None:
    """The launchkit.toml in `start` (default: the current folder) or its nearest parent that has one."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


def merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of `base` with the tables of `over` merged in (values of `over` win)."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def read_file(path: Path) -> dict[str, Any]:
    """The parsed TOML of a config file; ConfigError (one line) for anything unreadable."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError("(file)", f"not UTF-8 text (byte {exc.start})", str(path)) from None
    except OSError as exc:
        raise ConfigError("(file)", f"cannot read it: {exc.strerror or exc}", str(path)) from None
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("(file)", f"not valid TOML: {exc}", str(path)) from None
    check_fixed(data, str(path))
    return data


def load_config(
    path: str | Path | None = None,
    *,
    warehouse: str | Path | None = None,
    reports_dir: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Load and validate the configuration; flags beat the environment, which beats the file."""
    env = os.environ if env is None else env
    file_path: Path | None
    if path is not None and str(path).strip().lower() == NO_CONFIG:
        file_path = None
    elif path is not None:
        file_path = Path(path)
        if not file_path.is_file():
            raise ConfigError("--config", f"no such file: {file_path}")
    else:
        explicit = env.get("LAUNCHKIT_CONFIG")
        if explicit and explicit.strip().lower() == NO_CONFIG:
            file_path, explicit = None, None
        else:
            file_path = Path(explicit) if explicit else find_config()
        if explicit and file_path is not None and not file_path.is_file():
            raise ConfigError("LAUNCHKIT_CONFIG", f"no such file: {file_path}")
    user = read_file(file_path) if file_path is not None else {}
    data = merge(DEFAULTS, user)
    base_dir = file_path.resolve().parent if file_path is not None else Path.cwd()
    overrides = {
        ("warehouse", "path"): warehouse or env.get("LAUNCHKIT_WAREHOUSE"),
        ("reports", "dir"): reports_dir or env.get("LAUNCHKIT_REPORTS_DIR"),
    }
    for (section, key), value in overrides.items():
        if value:
            data[section][key] = str(Path(value).resolve())
    alert_env = {k: env[k] for k in ALERT_ENV_VARS if env.get(k)}
    return Config(data=data, path=file_path, base_dir=base_dir, env=alert_env)
