"""The synthetic pilot's events beside its traffic: the release timeline, the vendors' bill lines and
the incidents (routine ones plus the scenario's own). Part of launchkit.synth.frames' generation:
each takes the random stream frames gives it, so a pilot stays the same for a seed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from launchkit.synth.columns import text_column, timestamps
from launchkit.synth.parameters import BILL_NOISE_MAX, BILL_NOISE_SD, DAY_MS, HOUR_MS, MODEL_VENDOR, MODELS, Effects


def releases(
    start: dt.date, days: int, ref_day: int, start_ms: int, ref_at: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Release timeline: one at the start, one ~30% in (06:00 UTC), one on the reference day (00:00, or at
    `ref_at`, epoch ms, when given)."""
    marks = [(0, 0)]
    mid = round(days * 0.3)
    if 0 < mid < ref_day:
        marks.append((mid, 6))
    if ref_day > 0 and days >= 2:
        marks.append((ref_day, 0))
    times, names = [], []
    per_month: dict[tuple[int, int], int] = {}
    for i, (day, hour) in enumerate(marks):
        d = start + dt.timedelta(days=day)
        n = per_month[(d.year, d.month)] = per_month.get((d.year, d.month), 0) + 1
        at = ref_at if (ref_at is not None and day == ref_day and i) else start_ms + day * DAY_MS + hour * HOUR_MS
        times.append(at if i else np.iinfo(np.int64).min)
        names.append(f"{d.year}.{d.month:02d}.{n}")  # CalVer: year.month.n-th release that month
    return np.array(times, dtype=np.int64), np.array(names)


def release_rows(names: np.ndarray, times: np.ndarray, start_ms: int, canary: np.ndarray | None = None) -> pd.DataFrame:
    """The releases table: each release of the timeline (_releases), shipped when it took over (the first at
    the pilot's start), all regular deployments; the last one to the `canary` tenants only when given. No
    random draws, so the other tables stay as they were."""
    shipped = np.maximum(times, start_ms)
    notes = ["in production when the pilot began"] + ["scheduled deployment"] * (len(names) - 1)
    if canary is not None and len(names) > 1:
        notes[-1] = f"rolled out to {', '.join(str(t) for t in canary)} only"
    return pd.DataFrame(
        {
            "release": text_column(names),
            "shipped_at": timestamps(shipped),
            "kind": text_column(np.full(len(names), "regular")),
            "notes": text_column(np.array(notes)),
        }
    )


def bills(
    t_start: np.ndarray, model: np.ndarray, true_cost: np.ndarray, start_ms: int, rng: np.random.Generator
) -> pd.DataFrame:
    """One bill line per vendor model per UTC day: the day's true cost times (1 + noise within ±1%)."""
    day = (t_start - start_ms) // DAY_MS
    n_m = len(MODELS)
    key = day * n_m + model
    n_keys = int(key.max()) + 1 if len(key) else 0
    total = np.bincount(key, weights=true_cost, minlength=n_keys)
    used = np.bincount(key, minlength=n_keys) > 0
    keys = np.flatnonzero(used)
    noise = np.clip(rng.normal(0.0, BILL_NOISE_SD, len(keys)), -BILL_NOISE_MAX, BILL_NOISE_MAX)
    amount = np.round(total[keys] * (1 + noise), 6)
    l_day, l_model = keys // n_m, keys % n_m
    base = dt.datetime.fromtimestamp(start_ms / 1000, dt.UTC).date()
    dates = [base + dt.timedelta(days=int(d)) for d in l_day]  # at most days x models lines
    models = [MODELS[m] for m in l_model]
    vendors = [MODEL_VENDOR[m] for m in models]
    return pd.DataFrame(
        {
            "line_id": text_column(
                np.array([f"{v}-{d:%Y%m%d}-{m}" for v, d, m in zip(vendors, dates, models)], dtype=object)
            ),
            "vendor": text_column(np.array(vendors, dtype=object)),
            "usage_date": pd.Series(dates, dtype=object),
            "model": text_column(np.array(models, dtype=object)),
            "description": text_column(
                np.array([f"{m} API usage (input, cached input and output tokens)" for m in models], dtype=object)
            ),
            "amount_usd": amount,
            "invoice_id": text_column(np.array([f"inv-{v}-{d:%Y-%m}" for v, d in zip(vendors, dates)], dtype=object)),
        }
    )


_ROUTINE_INCIDENTS = (
    ("Elevated chart_render errors for one tenant", "Bad chart spec from a prompt template", "Validate chart specs"),
    ("Slow doc_search responses", "Search index rebuild during business hours", "Schedule index rebuilds at night"),
    ("SSO login failures for pilot users", "Expired IdP certificate", "Alert 14 days before expiry"),
    ("Telemetry export delayed by two hours", "Exporter queue backlog", "Scale exporter workers"),
    ("python_exec sandbox restarts", "Memory limit too low for large frames", "Raise sandbox memory limit"),
)


def incidents(
    scenario: str,
    seed: int,
    days: int,
    start_ms: int,
    ref_day: int,
    rng: np.random.Generator,
    release: str,
    recent: bool = False,
    eff: Effects | None = None,
) -> pd.DataFrame:
    """1-3 routine SEV3/SEV4 incidents (resolved, postmortem within 24 h) plus the scenario's own,
    and with `recent` one more on the second-to-last day (see generate_frames)."""
    n = int(rng.integers(1, 4))
    last_day = (
        # quality-drop as healthy: its only problem is in the answers (launchkit.synth.judge)
        max(ref_day - 1, 0)
        if scenario not in ("healthy", "low-traffic", "capacity-crunch", "quality-drop")
        else max(days - 2, 0)
    )
    pick = rng.permutation(len(_ROUTINE_INCIDENTS))[:n]
    day = np.sort(rng.integers(0, last_day + 1, n))
    opened = start_ms + day * DAY_MS + rng.integers(8 * 3600, 17 * 3600, n) * 1000
    resolved = opened + rng.integers(20 * 60, 6 * 3600, n) * 1000
    postmortem = resolved + rng.integers(2 * 3600, 22 * 3600, n) * 1000
    sev = np.where(rng.random(n) < 0.5, "SEV3", "SEV4")
    rows = [
        {
            "opened": int(opened[i]),
            "severity": str(sev[i]),
            "resolved": int(resolved[i]),
            "postmortem": int(postmortem[i]),
            "title": _ROUTINE_INCIDENTS[p][0],
            "root_cause": _ROUTINE_INCIDENTS[p][1],
            "action_items": _ROUTINE_INCIDENTS[p][2],
        }
        for i, p in enumerate(pick)
    ]
    eff = eff or Effects()
    ref_ms = start_ms + ref_day * DAY_MS + eff.start_hour * HOUR_MS
    extra = {
        "latency-regression": ("SEV3", ref_ms + 14 * HOUR_MS, f"Slow answers since release {release}"),
        "tool-outage": (
            "SEV2",
            ref_ms + 9 * HOUR_MS,
            f"{eff.tool} failing for many queries: warehouse connector errors",
        ),
        "tenant-outage": ("SEV3", ref_ms + 3 * HOUR_MS, "Tool calls failing for one tenant"),
        "release-regression": ("SEV3", ref_ms + 6 * HOUR_MS, f"Errors in answers since release {release}"),
        "model-regression": ("SEV3", ref_ms + 6 * HOUR_MS, f"{eff.model} answers slow"),
        "cost-overrun": ("SEV3", ref_ms + DAY_MS + 10 * HOUR_MS, "Token spend per session up ~3x"),
    }.get(scenario)
    if extra is not None:
        sev_x, opened_x, title_x = extra
        opened_x = min(opened_x + int(rng.integers(0, 3600)) * 1000, start_ms + days * DAY_MS - 1000)
        rows.append(
            {
                "opened": opened_x,
                "severity": sev_x,
                "resolved": None,
                "postmortem": None,
                "title": title_x,
                "root_cause": None,
                "action_items": None,
            }
        )
    if recent:
        rows.append(_recent_incident(seed, days, start_ms, [str(r["title"]) for r in rows]))
    rows.sort(key=lambda r: str(r["opened"]))
    na = np.array([r["resolved"] is None for r in rows])
    return pd.DataFrame(
        {
            "incident_id": text_column(np.array([f"inc-{seed}-{i + 1:03d}" for i in range(len(rows))], dtype=object)),
            "severity": text_column(np.array([r["severity"] for r in rows], dtype=object)),
            "opened_at": timestamps(np.array([r["opened"] for r in rows], dtype=np.int64)),
            "resolved_at": timestamps(np.array([r["resolved"] or 0 for r in rows], dtype=np.int64), na),
            "title": text_column(np.array([r["title"] for r in rows], dtype=object)),
            "root_cause": text_column(np.array([r["root_cause"] for r in rows], dtype=object), na),
            "postmortem_at": timestamps(np.array([r["postmortem"] or 0 for r in rows], dtype=np.int64), na),
            "action_items": text_column(np.array([r["action_items"] for r in rows], dtype=object), na),
        }
    )


def _recent_incident(seed: int, days: int, start_ms: int, taken: list[str]) -> dict[str, Any]:
    """A routine SEV3 on the second-to-last day (the only day of a 1-day pilot): opened 10:00-13:00,
    resolved 1-3 h later, postmortem 3-12 h after that, so before the data ends. Its own stream."""
    rng = np.random.default_rng([seed, 0x1C])  # not one of the spawned streams: they stay as they were
    free = [i for i, r in enumerate(_ROUTINE_INCIDENTS) if r[0] not in taken] or list(range(len(_ROUTINE_INCIDENTS)))
    pick = free[int(rng.integers(0, len(free)))]
    day = max(days - 2, 0)
    opened = start_ms + day * DAY_MS + int(rng.integers(10 * 3600, 13 * 3600)) * 1000
    resolved = opened + int(rng.integers(3600, 3 * 3600)) * 1000
    postmortem = min(resolved + int(rng.integers(3 * 3600, 12 * 3600)) * 1000, start_ms + days * DAY_MS - 1000)
    title, cause, action = _ROUTINE_INCIDENTS[pick]
    return {
        "opened": opened,
        "severity": "SEV3",
        "resolved": resolved,
        "postmortem": postmortem,
        "title": title,
        "root_cause": cause,
        "action_items": action,
    }
