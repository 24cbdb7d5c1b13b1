"""[attributes]: which span or trace attributes name a session's tenant and user, validated."""

from __future__ import annotations

from typing import Any

from launchkit.errors import ConfigError

KEYS = ("tenant", "user")


def parse(data: dict[str, Any], where: str | None = None) -> dict[str, tuple[str, ...]]:
    """The configured tenant and user attribute names, first match wins."""
    section = data.get("attributes") or {}
    if not isinstance(section, dict):
        raise ConfigError("attributes", "must be a table", where)
    extra = set(section) - set(KEYS)
    if extra:
        raise ConfigError(f"attributes.{sorted(extra)[0]}", "unknown key (known: tenant, user)", where)
    out: dict[str, tuple[str, ...]] = {}
    for key in KEYS:
        names = section.get(key)
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, (list, tuple)) or not names or not all(isinstance(n, str) and n for n in names):
            raise ConfigError(f"attributes.{key}", f"must be a non-empty list of attribute names, got {names!r}", where)
        out[key] = tuple(names)
    return out
