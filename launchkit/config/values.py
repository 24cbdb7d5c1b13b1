"""Checks shared by every config section: a value of the right type and range, or ConfigError naming the key."""

from __future__ import annotations

import math
from typing import Any

from launchkit.errors import ConfigError


def number(
    key: str,
    value: Any,
    *,
    allow_none: bool = False,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    where: str | None = None,
) -> float | None:
    """A finite number (bool is not a number) within [low, high] (or (low, high] with low_open)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key, f"must be a number, got {value!r}", where)
    if not math.isfinite(value):
        raise ConfigError(key, f"must be a finite number, got {value!r}", where)
    if low is not None and (value <= low if low_open else value < low):
        raise ConfigError(key, f"must be {'>' if low_open else '>='} {low:g}, got {value!r}", where)
    if high is not None and value > high:
        raise ConfigError(key, f"must be <= {high:g}, got {value!r}", where)
    return float(value)


def whole(key: str, value: Any, low: int, where: str | None = None) -> int:
    """A whole number >= low (a float like 7.0 is not accepted: config ints are written as ints)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(key, f"must be a whole number >= {low}, got {value!r}", where)
    return int(value)


def table(key: str, value: Any, where: str | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(key, "must be a table", where)
    return value


def unknown_keys(key: str, body: dict[str, Any], known: set[str] | frozenset[str], where: str | None = None) -> None:
    extra = set(body) - set(known)
    if extra:
        raise ConfigError(f"{key}.{sorted(extra)[0]}", f"unknown key (known: {', '.join(sorted(known))})", where)
