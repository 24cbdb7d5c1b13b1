"""The synthetic provider's traffic shape and limits: sessions in bursts at the top of the hour, and a
per-minute request limit that refuses a model's turns past it (the capacity-crunch scenario)."""

from __future__ import annotations

import numpy as np

from launchkit.synth.parameters import HOUR_MS, MODEL_NAMES, Effects


def bursts(
    rng: np.random.Generator, s_tenant: np.ndarray, s_start: np.ndarray, s_user: np.ndarray, eff: Effects
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """capacity-crunch: `eff.burst_share` of the sessions start in the first `eff.burst_seconds` of their
    hour (scheduled reports firing together), the rest as drawn; sorted by start again."""
    moved = rng.random(len(s_start)) < eff.burst_share
    burst = s_start - s_start % HOUR_MS + rng.integers(0, eff.burst_seconds * 1000, len(s_start))
    s_start = np.where(moved, burst, s_start)
    order = np.lexsort((s_user, s_tenant, s_start))
    return s_tenant[order], s_start[order], s_user[order]


def by_model_key(limits: dict[str, int]) -> dict[str, int]:
    """Limits by one name per model (`gpt-4o`) as limits by the generator's model key (its raw name)."""
    raw = {name: key for key, name in MODEL_NAMES.items()}
    return {raw[m]: rpm for m, rpm in limits.items() if m in raw}


def rate_limit(tu: dict[str, np.ndarray], rpm: dict[int, int]) -> None:
    """A provider's per-minute request limit: a model's turns past `rpm` in a UTC minute (in start order)
    fail with a rate-limit error and bill no output (tu["rate_limited"]; no limit: none)."""
    limited = np.zeros(len(tu["start"]), dtype=bool)
    for m, limit in rpm.items():
        idx = np.flatnonzero(tu["model"] == m)
        if not len(idx):
            continue
        idx = idx[np.argsort(tu["start"][idx], kind="stable")]
        minute = tu["start"][idx] // 60_000
        first = np.r_[0, np.flatnonzero(np.diff(minute)) + 1]
        rank = np.arange(len(idx)) - np.repeat(first, np.diff(np.r_[first, len(idx)]))
        limited[idx[rank >= limit]] = True
    tu["rate_limited"] = limited
    tu["error"] = tu["error"] | limited
    tu["output_tokens"] = np.where(limited, 0, tu["output_tokens"])
