"""[capacity]: the providers' per-minute rate limits, and how much headroom a projection must keep.

    [capacity]
    headroom = 0.2                  # keep a projected minute under 80 % of a limit (0..0.9)
    min_days = 3                    # fewer observed pilot days: INSUFFICIENT DATA
    rate_limited_pass = 0.01        # hourly check: share of a model's turns refused for rate limits, ok up to
    rate_limited_fail = 0.05        # breach when the share is surely above (its interval wholly above)
    rate_limited_min_sample = 20    # fewer turns of a model in the hour: INSUFFICIENT DATA, never ok
    [capacity.limits."openai/gpt-4o"]
    rpm = 10000                     # requests per minute
    tpm = 30000000                  # tokens (input + output) per minute
    [capacity.limits."anthropic/claude-sonnet-4"]
    rpm = 4000
    itpm = 2000000                  # input tokens per minute (Anthropic counts input and output apart)
    otpm = 400000                   # output tokens per minute

A limit's key is PROVIDER/MODEL as launchkit names them (`launchkit metrics --by model` shows the
models; providers are one name each: openai, anthropic, google, aws, ...), compared without regard to
case; any subset of rpm, tpm, itpm, otpm may be given. docs/capacity.md says where each provider
publishes its tiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from launchkit.config.values import number, table, unknown_keys, whole
from launchkit.errors import ConfigError

# limit kind -> what it counts per minute (the column of the per-minute load it is checked against)
LIMIT_KINDS: dict[str, str] = {
    "rpm": "requests",
    "tpm": "total_tokens",
    "itpm": "input_tokens",
    "otpm": "output_tokens",
}
DEFAULT_HEADROOM = 0.2
DEFAULT_MIN_DAYS = 3
# The hourly report's rate-limit check (launchkit.analytics.checks.rate_limits): a provider refusing
# 1 in 100 of a model's turns is worth a look; 1 in 20, surely so, is a stability breach.
DEFAULT_RATE_LIMITED_PASS = 0.01
DEFAULT_RATE_LIMITED_FAIL = 0.05
DEFAULT_RATE_LIMITED_MIN_SAMPLE = 20
_KEYS = frozenset(
    {"headroom", "min_days", "limits", "rate_limited_pass", "rate_limited_fail", "rate_limited_min_sample"}
)


@dataclass(frozen=True)
class Limit:
    """One configured limit: PROVIDER/MODEL, its kind (rpm, tpm, itpm, otpm) and its value per minute."""

    provider: str
    model: str
    kind: str
    per_minute: float

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.model}"

    @property
    def measure(self) -> str:
        return LIMIT_KINDS[self.kind]


@dataclass(frozen=True)
class CapacitySettings:
    headroom: float = DEFAULT_HEADROOM
    min_days: int = DEFAULT_MIN_DAYS
    limits: tuple[Limit, ...] = field(default_factory=tuple)
    rate_limited_pass: float = DEFAULT_RATE_LIMITED_PASS
    rate_limited_fail: float = DEFAULT_RATE_LIMITED_FAIL
    rate_limited_min_sample: int = DEFAULT_RATE_LIMITED_MIN_SAMPLE


def _limits(body: Any, where: str | None) -> tuple[Limit, ...]:
    out = []
    for name, spec in table("capacity.limits", body, where).items():
        key = f'capacity.limits."{name}"'
        provider, sep, model = str(name).strip().lower().partition("/")
        if not sep or not provider.strip() or not model.strip():
            raise ConfigError(key, 'must be named PROVIDER/MODEL, e.g. [capacity.limits."openai/gpt-4o"]', where)
        spec = table(key, spec, where)
        unknown_keys(key, spec, frozenset(LIMIT_KINDS), where)
        if not spec:
            raise ConfigError(key, f"names no limit (give any of {', '.join(LIMIT_KINDS)})", where)
        for kind, value in spec.items():
            per_minute = number(f"{key}.{kind}", value, low=0, low_open=True, where=where)
            assert per_minute is not None
            out.append(Limit(provider.strip(), model.strip(), kind, per_minute))
    return tuple(sorted(out, key=lambda lim: (lim.key, list(LIMIT_KINDS).index(lim.kind))))


def parse(data: dict[str, Any], where: str | None = None) -> CapacitySettings:
    """The [capacity] section of merged configuration data, validated; ConfigError names the key."""
    section = data.get("capacity") or {}
    if not isinstance(section, dict):
        raise ConfigError("capacity", "must be a table ([capacity])", where)
    unknown_keys("capacity", section, _KEYS, where)
    headroom = number("capacity.headroom", section.get("headroom", DEFAULT_HEADROOM), low=0, high=0.9, where=where)
    assert headroom is not None
    min_days = whole("capacity.min_days", section.get("min_days", DEFAULT_MIN_DAYS), 1, where)
    ok = number(
        "capacity.rate_limited_pass",
        section.get("rate_limited_pass", DEFAULT_RATE_LIMITED_PASS),
        low=0,
        high=1,
        where=where,
    )
    fail = number(
        "capacity.rate_limited_fail",
        section.get("rate_limited_fail", DEFAULT_RATE_LIMITED_FAIL),
        low=0,
        high=1,
        where=where,
    )
    assert ok is not None and fail is not None
    if fail < ok:
        raise ConfigError(
            "capacity.rate_limited_fail", f"must be at least capacity.rate_limited_pass ({ok:g}), got {fail:g}", where
        )
    sample = section.get("rate_limited_min_sample", DEFAULT_RATE_LIMITED_MIN_SAMPLE)
    min_sample = whole("capacity.rate_limited_min_sample", sample, 1, where)
    return CapacitySettings(headroom, min_days, _limits(section.get("limits") or {}, where), ok, fail, min_sample)
