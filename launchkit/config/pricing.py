"""[pricing.overrides]: negotiated prices per model, validated.

[pricing.overrides."gpt-4o"]
input_per_mtok = 2.0        # USD per million input tokens (required)
output_per_mtok = 8.0       # USD per million output tokens (required)
vendor = "openai"           # optional: the vendor for reconciliation (default: the library's)
replace_reported = false    # optional: also replace costs the telemetry reported
cache_read_per_mtok = 0.2   # optional: USD per million cache-read input tokens (default: the input price)
cache_write_per_mtok = 2.5  # optional: USD per million cache-write input tokens (default: the input price)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from launchkit.errors import ConfigError

_OVERRIDE_KEYS = frozenset(
    {"input_per_mtok", "output_per_mtok", "vendor", "replace_reported", "cache_read_per_mtok", "cache_write_per_mtok"}
)
_PRICING_KEYS = frozenset({"overrides"})


@dataclass(frozen=True)
class Override:
    """A negotiated price for one model, from [pricing.overrides."model"]."""

    model: str
    input_per_mtok: float
    output_per_mtok: float
    vendor: str | None = None
    replace_reported: bool = False
    cache_read_per_mtok: float | None = None  # None: cache reads cost the input price
    cache_write_per_mtok: float | None = None  # None: cache writes cost the input price


def parse(data: dict[str, Any], where: str | None = None) -> dict[str, Override]:
    """The [pricing.overrides] of the config, validated; ConfigError names the offending key."""
    section = data.get("pricing") or {}
    if not isinstance(section, dict):
        raise ConfigError("pricing", "must be a table", where)
    unknown = set(section) - _PRICING_KEYS
    if unknown:
        raise ConfigError(f"pricing.{sorted(unknown)[0]}", "unknown key (known: overrides)", where)
    table = section.get("overrides") or {}
    if not isinstance(table, dict):
        raise ConfigError("pricing.overrides", "must be a table of models", where)
    out: dict[str, Override] = {}
    for model, body in table.items():
        key = f'pricing.overrides."{model}"'
        if not isinstance(body, dict):
            raise ConfigError(key, "must be a table with input_per_mtok and output_per_mtok", where)
        extra = set(body) - _OVERRIDE_KEYS
        if extra:
            raise ConfigError(
                f"{key}.{sorted(extra)[0]}", f"unknown key (known: {', '.join(sorted(_OVERRIDE_KEYS))})", where
            )
        prices = {}
        for name in ("input_per_mtok", "output_per_mtok"):
            if name not in body:
                raise ConfigError(f"{key}.{name}", "is required (USD per million tokens)", where)
            value = body[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ConfigError(f"{key}.{name}", f"must be a number >= 0, got {value!r}", where)
            prices[name] = float(value)
        for name in ("cache_read_per_mtok", "cache_write_per_mtok"):
            if name in body:
                value = body[name]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float))
                    or not math.isfinite(value)
                    or value < 0
                ):
                    raise ConfigError(f"{key}.{name}", f"must be a number >= 0, got {value!r}", where)
                prices[name] = float(value)
        vendor = body.get("vendor")
        if vendor is not None and (not isinstance(vendor, str) or not vendor.strip()):
            raise ConfigError(f"{key}.vendor", f"must be a vendor name, got {vendor!r}", where)
        replace = body.get("replace_reported", False)
        if not isinstance(replace, bool):
            raise ConfigError(f"{key}.replace_reported", f"must be true or false, got {replace!r}", where)
        out[model] = Override(
            model,
            prices["input_per_mtok"],
            prices["output_per_mtok"],
            vendor.strip().lower() if vendor else None,
            replace,
            prices.get("cache_read_per_mtok"),
            prices.get("cache_write_per_mtok"),
        )
    return out
