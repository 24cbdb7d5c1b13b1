"""Generating a synthetic pilot in memory: every contract table and the ground truth.

Vectorised numpy, deterministic for a seed: every random draw comes from one numpy Generator per
component, all spawned from the seed, so the same arguments give the same rows and, for one seed, a
problem scenario differs from `healthy` only in what the problem changes (low-traffic aside, whose
traffic differs).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from launchkit.contract import TABLES
from launchkit.errors import ConfigError
from launchkit.synth import events, judge, provider
from launchkit.synth.columns import numbered, text_column, timestamps, within, zfill
from launchkit.synth.parameters import (
    BAD_LATENCY_MS,
    CACHE_PRICES_PER_MTOK,
    CACHE_WRITES_BILLED,
    COMMENTS,
    DAY_MS,
    DEFAULT_SESSIONS_PER_HOUR,
    DEFAULT_START,
    DEMO_RPM,
    FEEDBACK_RATE,
    FEEDBACK_RATE_BAD,
    HOUR_MS,
    HOUR_PROFILE,
    LOW_TRAFFIC_SESSIONS_PER_HOUR,
    MODEL_INPUT_TOKENS,
    MODEL_LATENCY_MS,
    MODEL_NAMES,
    MODEL_OUTPUT_TOKENS,
    MODEL_SHARE,
    MODEL_VENDOR,
    MODELS,
    PRICES_PER_MTOK,
    RATE_LIMIT_ERROR,
    RATING_BAD,
    RATING_GOOD,
    SCENARIO_EFFECTS,
    SCENARIOS,
    THUMBS_UP_BY_RATING,
    TOOL_DURATION_MS,
    TOOL_ERRORS,
    TOOL_FAIL_RATE,
    TOOL_SHARE,
    TOOL_TIMEOUT_MS,
    TOOL_TIMEOUT_SHARE,
    TOOLS,
    TURN_ERROR_RATE,
    TURN_ERROR_TYPES,
    UNPRICED_SHARE,
    WEEKDAY_FACTOR,
    Effects,
    epoch_ms,
    problem_day_index,
)
from launchkit.synth.truth import ground_truth


@dataclass
class SynthPilot:
    """A generated pilot: the seven contract tables (no _load_id) and what was injected."""

    frames: dict[str, pd.DataFrame]
    ground_truth: dict[str, Any]


def _validate(days: int, tenants: int, seed: int, scenario: str, sessions_per_hour: float | None) -> None:
    if scenario not in SCENARIOS:
        raise ConfigError("synth.scenario", f"unknown scenario {scenario!r} (known: {', '.join(SCENARIOS)})")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ConfigError("synth.days", f"must be a whole number >= 1, got {days!r}")
    if scenario not in ("healthy", "low-traffic", "capacity-crunch") and days < 2:
        raise ConfigError("synth.days", f"scenario {scenario!r} needs at least 2 days (a before and an after)")
    if isinstance(tenants, bool) or not isinstance(tenants, int) or not 1 <= tenants <= 999:
        raise ConfigError("synth.tenants", f"must be a whole number from 1 to 999, got {tenants!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError("synth.seed", f"must be a whole number >= 0, got {seed!r}")
    if sessions_per_hour is not None and not (sessions_per_hour > 0 and math.isfinite(sessions_per_hour)):
        raise ConfigError("synth.sessions_per_hour", f"must be a positive number, got {sessions_per_hour!r}")


def generate_frames(
    *,
    days: int = 14,
    tenants: int = 8,
    seed: int = 7,
    scenario: str = "healthy",
    start: dt.date = DEFAULT_START,
    sessions_per_hour: float | None = None,
    recent_incident: bool = False,
    effects: Effects | None = None,
) -> SynthPilot:
    """Generate a synthetic pilot in memory: contract tables (UTC timestamps) and its ground truth.

    `sessions_per_hour` is the mean number of sessions per hour in weekday business hours once all
    tenants are enabled (default 40); nights and weekends get a fraction of it. The low-traffic
    scenario caps it at 2. `recent_incident` adds a routine incident on the second-to-last day,
    resolved, with its postmortem before the data ends (the demo shows it in its last debriefs);
    it comes from a stream of its own, so every other row is the same with or without it. `effects` sets the
    size and reach of the scenario's problem (launchkit.synth.parameters.Effects; default: its defaults).
    """
    _validate(days, tenants, seed, scenario, sessions_per_hour)
    eff = effects or Effects()
    kind, confined = SCENARIO_EFFECTS[scenario]
    if scenario == "low-traffic":
        rate = min(sessions_per_hour or LOW_TRAFFIC_SESSIONS_PER_HOUR, LOW_TRAFFIC_SESSIONS_PER_HOUR)
    else:
        rate = float(sessions_per_hour or DEFAULT_SESSIONS_PER_HOUR)
    # one stream per component, so a change in one component's draws leaves the others alone
    r_rollout, r_traffic, r_turns, r_tools, r_feedback, r_bills, r_incidents, r_misc, r_cache = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(9)
    )
    start_ms = epoch_ms(start)
    end_ms = start_ms + days * DAY_MS
    ref_day = problem_day_index(days)
    problem_ms = start_ms + ref_day * DAY_MS + eff.start_hour * HOUR_MS if kind is not None else None
    tenant_ids = numbered("t", tenants, width=2 if tenants < 100 else 3)  # t01..t08

    ro = _rollout(r_rollout, tenants, days, start, start_ms)
    s_tenant, s_start, s_user = _traffic(r_traffic, rate, days, start, start_ms, ro)
    if scenario == "capacity-crunch":  # a stream of its own: the other scenarios' rows stay as they were
        s_tenant, s_start, s_user = provider.bursts(
            np.random.default_rng([seed, 0xB125]), s_tenant, s_start, s_user, eff
        )
    n_sess = len(s_start)
    release_at = problem_ms if scenario == "release-regression" else None
    release_times, release_names = events.releases(start, days, ref_day, start_ms, release_at)
    s_release = release_names[np.searchsorted(release_times, s_start, side="right") - 1]
    hit_tenants = _hit_tenants(confined, eff, tenant_ids, ro)
    s_hit = np.ones(n_sess, dtype=bool) if hit_tenants is None else np.isin(s_tenant, hit_tenants)
    if confined == "release" and len(release_names) > 1:  # the others stay on the release before
        s_release = np.where(s_hit | (s_start < (problem_ms or 0)), s_release, release_names[-2])
    tu = _turns(r_turns, s_start, kind, problem_ms, eff, s_hit, confined == "model")
    limits = dict(eff.rpm_limits) or (DEMO_RPM if scenario == "capacity-crunch" else {})
    provider.rate_limit(tu, {MODELS.index(m): rpm for m, rpm in provider.by_model_key(limits).items()})
    _prompt_cache(r_cache, tu)
    tc = _tool_calls(r_tools, tu, kind, problem_ms, eff, s_hit[tu["session"]], confined == "tool")
    t_sess, c_turn = tu["session"], tc["turn"]

    # sessions end after their last turn or tool call; a few exports lack ended_at
    s_last = np.maximum.reduceat(tu["end"], tu["first"]) if len(t_sess) else np.zeros(0, dtype=np.int64)
    if len(c_turn):
        np.maximum.at(s_last, t_sess[c_turn], tc["end"])
    s_end = s_last + r_misc.integers(5_000, 120_000, n_sess)
    s_end_missing = r_misc.random(n_sess) < 0.015
    # a bad experience (any failed turn or tool call, or a slow turn) colours the feedback
    bad = np.zeros(n_sess, dtype=bool)
    bad[t_sess[tu["error"] | (tu["latency"] > BAD_LATENCY_MS)]] = True
    bad[t_sess[c_turn[tc["failed"]]]] = True
    fb = _feedback(r_feedback, bad)
    f_at = s_last + fb["delay"]
    if kind == "csat" and problem_ms is not None:
        _lower_ratings(np.random.default_rng([seed, 0xC5A7]), fb, s_hit & (f_at >= problem_ms), eff.csat_drop)

    # keep sessions that finished inside the pilot window, then number everything
    keep = s_end < end_ms
    t_keep = keep[t_sess]
    c_keep = t_keep[c_turn]
    fo = np.flatnonzero(keep & fb["gives"] & (f_at < end_ms))
    fo = fo[np.lexsort((fo, f_at[fo]))]
    sess_idx = np.cumsum(keep) - 1  # index among kept sessions
    turn_idx = np.cumsum(t_keep) - 1  # index among kept turns
    session_ids = numbered(f"s-{seed}-", int(keep.sum()))
    t_sid = session_ids[sess_idx[t_sess[t_keep]]]
    turn_ids = np.char.add(np.char.add(t_sid, "-t"), (tu["k"] + 1)[t_keep].astype(str))
    c_tid = turn_ids[turn_idx[c_turn[c_keep]]]
    call_ids = np.char.add(np.char.add(c_tid, "-c"), (tc["j"] + 1)[c_keep].astype(str))
    user_ids = np.char.add(np.char.add(tenant_ids[s_tenant], "-u"), zfill(s_user, 3))
    true_cost = tu["cost"][t_keep]

    frames = {
        "sessions": pd.DataFrame(
            {
                "session_id": text_column(session_ids),
                "tenant_id": text_column(tenant_ids[s_tenant[keep]]),
                "user_id": text_column(user_ids[keep]),
                "started_at": timestamps(s_start[keep]),
                "ended_at": timestamps(s_end[keep], s_end_missing[keep]),
                "cohort": text_column(np.full(len(session_ids), "pilot")),
                "release": text_column(s_release[keep]),
            }
        ),
        "turns": pd.DataFrame(
            {
                "turn_id": text_column(turn_ids),
                "session_id": text_column(t_sid),
                "started_at": timestamps(tu["start"][t_keep]),
                "model": text_column(np.array([MODEL_NAMES[m] for m in MODELS])[tu["model"][t_keep]]),
                "status": text_column(np.where(tu["error"][t_keep], "error", "ok")),
                "latency_ms": tu["latency"][t_keep],
                "ttft_ms": tu["ttft"][t_keep],
                "input_tokens": tu["input_tokens"][t_keep],
                "output_tokens": tu["output_tokens"][t_keep],
                "cost_usd": np.where(tu["unpriced"][t_keep], np.nan, true_cost),
                "cache_read_tokens": pd.Series(tu["cache_read"][t_keep], dtype="Int64"),
                "cache_write_tokens": pd.Series(tu["cache_write"][t_keep], dtype="Int64").mask(
                    ~CACHE_WRITES_BILLED[tu["model"][t_keep]]
                ),
                "provider": text_column(np.array([MODEL_VENDOR[m] for m in MODELS])[tu["model"][t_keep]]),
                "model_raw": text_column(np.array(MODELS)[tu["model"][t_keep]]),
                "error_type": text_column(
                    np.where(
                        tu["rate_limited"][t_keep],
                        RATE_LIMIT_ERROR,
                        TURN_ERROR_TYPES[tu["start"][t_keep] % len(TURN_ERROR_TYPES)],
                    ),
                    ~tu["error"][t_keep],
                ),
            }
        ),
        "tool_calls": pd.DataFrame(
            {
                "call_id": text_column(call_ids),
                "session_id": text_column(session_ids[sess_idx[t_sess[c_turn[c_keep]]]]),
                "turn_id": text_column(c_tid),
                "tool_name": text_column(np.array(TOOLS)[tc["tool"][c_keep]]),
                "started_at": timestamps(tc["start"][c_keep]),
                "duration_ms": tc["duration"][c_keep],
                "status": text_column(tc["status"][c_keep]),
                "error_type": text_column(tc["error_type"][c_keep], ~tc["failed"][c_keep]),
            }
        ),
        "feedback": pd.DataFrame(
            {
                "feedback_id": text_column(numbered(f"f-{seed}-", len(fo))),
                "session_id": text_column(session_ids[sess_idx[fo]], fb["no_session"][fo]),
                "user_id": text_column(user_ids[fo]),
                "submitted_at": timestamps(f_at[fo]),
                "rating": pd.Series(fb["rating"][fo], dtype="Int64").mask(~fb["has_rating"][fo]),
                "thumbs": text_column(np.where(fb["up"][fo], "up", "down"), ~fb["has_thumbs"][fo]),
                "comment": text_column(fb["comment"][fo], ~fb["has_comment"][fo]),
            }
        ),
        "vendor_costs": events.bills(tu["start"][t_keep], tu["model"][t_keep], true_cost, start_ms, r_bills),
        "incidents": events.incidents(
            scenario, seed, days, start_ms, ref_day, r_incidents, str(release_names[-1]), recent_incident, eff
        ),
        "releases": events.release_rows(
            release_names, release_times, start_ms, None if hit_tenants is None else tenant_ids[hit_tenants]
        ),
        "rollout": pd.DataFrame(
            {
                "tenant_id": text_column(tenant_ids),
                "cohort": text_column(np.full(tenants, "pilot")),
                "enabled_at": timestamps(ro["enabled"]),
                "disabled_at": timestamps(np.where(ro["never"], 0, ro["disabled"]), ro["never"]),
            }
        ),
    }
    drop_at = problem_ms if kind == "answer_quality" else None
    frames["evaluations"] = judge.evaluations(
        np.random.default_rng([seed, 0xE7A1]), frames["turns"], seed, drop_at, eff, end_ms
    )
    frames = {name: frames[name][TABLES[name].column_names] for name in TABLES}
    truth = ground_truth(
        scenario=scenario,
        seed=seed,
        days=days,
        tenants=tenants,
        start=start,
        rate=rate,
        ref_day=ref_day,
        problem_ms=problem_ms,
        frames=frames,
        true_cost=true_cost,
        disabled_tenant=None if ro["disabled_tenant"] is None else str(tenant_ids[ro["disabled_tenant"]]),
        release_names=release_names,
        release_times=release_times,
        effects=eff,
        segment=_segment(confined, eff, tenant_ids, hit_tenants, release_names),
    )
    return SynthPilot(frames=frames, ground_truth=truth)


def _hit_tenants(confined: str | None, eff: Effects, tenant_ids: np.ndarray, ro: dict[str, Any]) -> np.ndarray | None:
    """The tenants (indexes) a problem confined to a tenant or a release reaches; None: every tenant.

    tenant: `eff.tenant`, else the busiest tenant of the first wave that is never disabled (no draws, so
    the other rows stay as they were); release: the first `eff.release_share` of the tenants (at least one)."""
    if confined == "tenant":
        if eff.tenant is not None:
            if eff.tenant not in set(tenant_ids.tolist()):
                raise ConfigError(
                    "synth.effects.tenant", f"no tenant {eff.tenant!r} (tenants: {', '.join(tenant_ids)})"
                )
            return np.flatnonzero(tenant_ids == eff.tenant)
        first = (ro["enabled"] - ro["enabled"].min()) < DAY_MS
        ok = np.flatnonzero(first & ro["never"]) if (first & ro["never"]).any() else np.flatnonzero(first)
        return ok[[int(np.argmax(ro["weight"][ok]))]]
    if confined == "release":
        return np.arange(max(1, math.ceil(len(tenant_ids) * eff.release_share)))
    return None


def _segment(
    confined: str | None, eff: Effects, tenant_ids: np.ndarray, hit: np.ndarray | None, names: np.ndarray
) -> dict[str, Any] | None:
    """The segment a problem is confined to, as the ground truth states it: {"by", "value"} (a release's
    also names its tenants)."""
    if confined == "tool":
        return {"by": "tool", "value": eff.tool}
    if confined == "model":
        return {"by": "model", "value": eff.model}
    if confined == "tenant" and hit is not None:
        return {"by": "tenant", "value": str(tenant_ids[hit[0]])}
    if confined == "release" and hit is not None:
        return {"by": "release", "value": str(names[-1]), "tenants": [str(t) for t in tenant_ids[hit]]}
    return None


def _lower_ratings(rng: np.random.Generator, fb: dict[str, np.ndarray], hit: np.ndarray, drop: float) -> None:
    """Lower CSAT by `drop` (a share: 0.05 = 5 points) among the feedback `hit` marks: each rating of 4-5
    there becomes a 3 with probability drop / (its share of 4-5 ratings), so the expected CSAT falls by
    `drop`. Its own stream (the other rows stay as they were)."""
    u = rng.random(len(hit))
    rated = hit & fb["has_rating"]
    high = rated & (fb["rating"] >= 4)
    if not high.any():
        return
    p = min(1.0, drop / (high.sum() / rated.sum()))
    fb["rating"] = np.where(high & (u < p), 3, fb["rating"])


def _rollout(rng: np.random.Generator, tenants: int, days: int, start: dt.date, start_ms: int) -> dict[str, Any]:
    """The allowlist: half the tenants on day 1 (07:xx UTC), the rest over the first half of the
    pilot on weekdays, one early tenant paused ~80% in. Tenant sizes are lognormal weights."""
    n0 = max(1, math.ceil(tenants / 2))
    enable_day = np.zeros(tenants, dtype=np.int64)
    if tenants > n0:
        later = np.round(np.linspace(1, max(1, (days - 1) // 2), tenants - n0)).astype(np.int64)
        dow = (start.weekday() + later) % 7
        shifted = later + np.where(dow == 5, 2, np.where(dow == 6, 1, 0))  # no go-lives at weekends
        enable_day[n0:] = np.minimum(np.where(shifted < days, shifted, later), days - 1)
    enabled = start_ms + enable_day * DAY_MS + 7 * HOUR_MS + rng.integers(0, 3600, tenants) * 1000
    never = np.ones(tenants, dtype=bool)
    disabled = np.full(tenants, np.iinfo(np.int64).max)
    disabled_tenant: int | None = None
    if tenants >= 4 and days >= 7:
        k = int(rng.integers(0, n0))
        disabled[k] = start_ms + int(days * 0.8) * DAY_MS + 17 * HOUR_MS + int(rng.integers(0, 3600)) * 1000
        never[k] = False
        disabled_tenant = k
    weight = rng.lognormal(0.0, 0.6, tenants)
    n_users = np.clip(np.round(6 + 30 * weight / weight.mean()), 3, 200).astype(np.int64)
    return {
        "enabled": enabled,
        "disabled": disabled,
        "never": never,
        "disabled_tenant": disabled_tenant,
        "weight": weight,
        "n_users": n_users,
    }


def _traffic(
    rng: np.random.Generator, rate: float, days: int, start: dt.date, start_ms: int, ro: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sessions (tenant, start ms, user number), sorted by start: Poisson per (tenant, hour) with
    mean rate x hour-of-day x weekday x tenant share, only in hours the tenant is enabled throughout."""
    hours = days * 24
    tenants = len(ro["weight"])
    hour_ms = start_ms + np.arange(hours, dtype=np.int64) * HOUR_MS
    dow = (start.weekday() + np.arange(hours) // 24) % 7
    shape = HOUR_PROFILE[np.arange(hours) % 24] * WEEKDAY_FACTOR[dow]
    active = (hour_ms[None, :] >= ro["enabled"][:, None]) & (hour_ms[None, :] + HOUR_MS <= ro["disabled"][:, None])
    lam = rate * shape[None, :] * (ro["weight"] / ro["weight"].sum())[:, None] * active
    counts = rng.poisson(lam).ravel()  # tenant-major
    s_tenant = np.repeat(np.repeat(np.arange(tenants), hours), counts)
    s_hour = np.repeat(np.tile(np.arange(hours), tenants), counts)
    s_start = hour_ms[s_hour] + rng.integers(0, HOUR_MS, len(s_tenant))
    s_user = (
        np.floor(ro["n_users"][s_tenant] * rng.random(len(s_tenant)) ** 2).astype(np.int64) + 1
    )  # a few heavy users
    order = np.lexsort((s_user, s_tenant, s_start))
    return s_tenant[order], s_start[order], s_user[order]


def _turns(
    rng: np.random.Generator,
    s_start: np.ndarray,
    kind: str | None,
    problem_ms: int | None,
    eff: Effects,
    s_hit: np.ndarray,
    by_model: bool,
) -> dict[str, np.ndarray]:
    """1-8 turns per session (geometric), each with model, status, latency, tokens and cost,
    timed one after another; a latency, token or turn-error effect applies from problem_ms to the turns
    of the sessions `s_hit` marks (and of `eff.model` only, when `by_model`)."""
    n_turns = np.minimum(rng.geometric(0.38, len(s_start)), 8)
    t_sess, t_k = within(n_turns)
    n = len(t_sess)
    model = rng.choice(len(MODELS), size=n, p=MODEL_SHARE)
    u_error = rng.random(n)
    error = u_error < TURN_ERROR_RATE
    latency = MODEL_LATENCY_MS[model] * rng.lognormal(0.0, 0.48, n)
    slow = rng.random(n) < 0.03  # the heavy tail: retries, long generations, cold caches
    latency = np.where(slow, latency * rng.lognormal(1.0, 0.35, n), latency)
    ttft_frac = rng.beta(2.0, 6.0, n)
    in_tok = MODEL_INPUT_TOKENS[model] * (1 + 0.35 * t_k) * rng.lognormal(0.0, 0.5, n)  # context grows
    out_tok = MODEL_OUTPUT_TOKENS[model] * rng.lognormal(0.0, 0.6, n)
    think = np.minimum(rng.lognormal(np.log(25_000), 0.9, n), 900_000.0)
    first_gap = rng.uniform(200, 3000, n)
    unpriced = rng.random(n) < UNPRICED_SHARE
    first = np.cumsum(n_turns) - n_turns
    start = _turn_starts(s_start, t_sess, t_k, first, n_turns, latency, think, first_gap)
    # effects apply to turns that started after the problem began on the healthy timeline
    after = start >= problem_ms if problem_ms is not None else np.zeros(n, dtype=bool)
    after &= s_hit[t_sess]
    if by_model:
        after &= np.array([MODEL_NAMES[m] for m in MODELS])[model] == eff.model
    if kind == "latency":
        latency = np.where(after, latency * eff.latency_multiplier, latency)
        start = _turn_starts(s_start, t_sess, t_k, first, n_turns, latency, think, first_gap)
    if kind == "tokens":
        in_tok = np.where(after, in_tok * eff.token_multiplier, in_tok)
        out_tok = np.where(after, out_tok * eff.token_multiplier, out_tok)
    if kind == "turn_errors":
        error = np.where(after, u_error < eff.turn_error_rate, error)
    latency = np.round(latency, 1)
    in_tok = np.maximum(np.round(in_tok), 1).astype(np.int64)
    out_tok = np.where(error, 0, np.maximum(np.round(out_tok), 1)).astype(np.int64)  # failed calls bill input only
    return {
        "session": t_sess,
        "k": t_k,
        "first": first,
        "model": model,
        "error": error,
        "start": start,
        "latency": latency,
        "ttft": np.round(latency * ttft_frac, 1),
        "input_tokens": in_tok,
        "output_tokens": out_tok,
        "unpriced": unpriced,
        "end": start + np.ceil(latency).astype(np.int64),
    }


def _prompt_cache(rng: np.random.Generator, tu: dict[str, np.ndarray]) -> None:
    """Prompt-cache tokens of each turn (subsets of its input tokens), and its true cost from them.

    A later turn of a session re-sends the conversation so far: most of its input is a cache read
    (a share ~ Beta(8, 3)); a first turn reads only the shared system prompt (~ Beta(2, 5)). OpenAI
    caches whole 128-token blocks of prompts of 1024 tokens or more, on its own and without billing
    the writes; Anthropic writes what follows the cached prefix (a share ~ Beta(6, 2) of the rest).
    Cost = uncached input x input price + reads x read price + writes x write price + output.
    """
    n = len(tu["model"])
    in_tok = tu["input_tokens"]
    share = np.where(tu["k"] > 0, rng.beta(8.0, 3.0, n), rng.beta(2.0, 5.0, n))
    write_share = rng.beta(6.0, 2.0, n)
    billed_writes = CACHE_WRITES_BILLED[tu["model"]]
    openai_read = np.where(in_tok >= 1024, np.floor(in_tok * share / 128) * 128, 0)
    read = np.where(billed_writes, np.round(in_tok * share), openai_read).astype(np.int64)
    write = np.where(billed_writes, np.round((in_tok - read) * write_share), 0).astype(np.int64)
    price = np.array([PRICES_PER_MTOK[m] for m in MODELS])[tu["model"]]
    cache = np.array([(r, w if w is not None else np.nan) for r, w in (CACHE_PRICES_PER_MTOK[m] for m in MODELS)])[
        tu["model"]
    ]
    uncached = in_tok - read - write
    cost = uncached * price[:, 0] + read * cache[:, 0] + np.where(billed_writes, write * cache[:, 1], 0.0)
    tu["cache_read"] = read
    tu["cache_write"] = write
    tu["cost"] = np.round((cost + tu["output_tokens"] * price[:, 1]) / 1e6, 8)


def _tool_calls(
    rng: np.random.Generator,
    tu: dict[str, np.ndarray],
    kind: str | None,
    problem_ms: int | None,
    eff: Effects,
    t_hit: np.ndarray,
    by_tool: bool,
) -> dict[str, np.ndarray]:
    """0-3 tool calls per turn, spread over the turn after its first token, failing at per-tool
    rates (a share as timeouts); a tool-failure effect raises the failure rate from problem_ms of the
    calls of the turns `t_hit` marks (and of `eff.tool` only, when `by_tool`)."""
    n_calls = rng.choice(4, size=len(tu["start"]), p=[0.35, 0.35, 0.20, 0.10])
    c_turn, c_j = within(n_calls)
    n = len(c_turn)
    tool = rng.choice(len(TOOLS), size=n, p=TOOL_SHARE)
    u_fail = rng.random(n)
    u_timeout = rng.random(n)
    u_kind = rng.integers(0, 1 << 30, n)
    dur = TOOL_DURATION_MS[tool] * rng.lognormal(0.0, 0.6, n)
    pos = (c_j + rng.random(n)) / np.maximum(n_calls[c_turn], 1)
    ttft, latency = tu["ttft"][c_turn], tu["latency"][c_turn]
    start = tu["start"][c_turn] + np.round(ttft + (latency - ttft) * pos).astype(np.int64)
    fail_rate = TOOL_FAIL_RATE[tool]
    timeout_share = TOOL_TIMEOUT_SHARE[tool]
    hit = np.zeros(n, dtype=bool)
    if kind == "tool_failures" and problem_ms is not None:
        hit = (start >= problem_ms) & t_hit[c_turn]
        if by_tool:
            hit &= tool == TOOLS.index(eff.tool)
        fail_rate = np.where(hit, eff.tool_fail_rate, fail_rate)
        timeout_share = np.where(hit, eff.tool_timeout_share, timeout_share)
    failed = u_fail < fail_rate
    timed_out = failed & (u_timeout < timeout_share)
    errored = failed & ~timed_out
    err_names = np.array([e for errs in TOOL_ERRORS for e in errs] + ["connection_refused"])
    err_count = np.array([len(e) for e in TOOL_ERRORS])
    err_idx = (np.cumsum(err_count) - err_count)[tool] + u_kind % err_count[tool]
    err_idx = np.where(hit & errored & (u_kind % 4 != 0), len(err_names) - 1, err_idx)  # the outage's signature
    dur = np.where(timed_out, TOOL_TIMEOUT_MS + dur % 500, np.where(errored, dur * 0.3, dur))
    dur = np.round(dur, 1)
    return {
        "turn": c_turn,
        "j": c_j,
        "tool": tool,
        "start": start,
        "duration": dur,
        "failed": failed,
        "status": np.where(timed_out, "timeout", np.where(errored, "error", "ok")),
        "error_type": np.where(timed_out, "timeout", err_names[err_idx]),
        "end": start + np.ceil(dur).astype(np.int64),
    }


def _feedback(rng: np.random.Generator, bad: np.ndarray) -> dict[str, np.ndarray]:
    """Per session: whether it leaves feedback (~25%, more after a bad session), and what: rating
    only, thumbs only or both, skewed high after a good session, and sometimes a comment."""
    n = len(bad)
    draw = rng.random(n)
    kind = rng.choice(3, size=n, p=[0.2, 0.3, 0.5])  # rating only, thumbs only, both
    u_rating = rng.random(n)
    u_thumbs = rng.random(n)
    u_comment = rng.random(n)
    u_pick = rng.integers(0, 1 << 30, n)
    delay = np.minimum(rng.lognormal(np.log(60_000), 1.2, n), 6 * HOUR_MS).astype(np.int64)
    no_session = rng.random(n) < 0.02
    rating = 1 + np.where(
        bad,
        np.searchsorted(np.cumsum(RATING_BAD), u_rating, side="right"),
        np.searchsorted(np.cumsum(RATING_GOOD), u_rating, side="right"),
    )
    rating = np.minimum(rating, 5)
    has_rating, has_thumbs = kind != 1, kind != 0
    p_up = np.where(has_rating, THUMBS_UP_BY_RATING[rating - 1], np.where(bad, 0.45, 0.92))
    up = u_thumbs < p_up
    sentiment = np.where(has_rating, np.where(rating >= 4, 0, np.where(rating == 3, 1, 2)), np.where(up, 0, 2))
    comment = np.empty(n, dtype=object)
    for k, key in enumerate(("pos", "neu", "neg")):  # one vectorised pick per sentiment
        options = np.array(COMMENTS[key], dtype=object)
        m = sentiment == k
        comment[m] = options[u_pick[m] % len(options)]
    return {
        "gives": draw < np.where(bad, FEEDBACK_RATE_BAD, FEEDBACK_RATE),
        "delay": delay,
        "no_session": no_session,
        "rating": rating,
        "has_rating": has_rating,
        "has_thumbs": has_thumbs,
        "up": up,
        "comment": comment,
        "has_comment": u_comment < 0.35,
    }


def _turn_starts(
    s_start: np.ndarray,
    t_sess: np.ndarray,
    t_k: np.ndarray,
    first: np.ndarray,
    n_turns: np.ndarray,
    latency: np.ndarray,
    think: np.ndarray,
    first_gap: np.ndarray,
) -> np.ndarray:
    """Turn start times (ms): a session's first turn shortly after it starts, each next one after
    the previous turn's latency plus think time (a cumulative sum restarted per session)."""
    gap = np.where(t_k == 0, first_gap, think + np.concatenate(([0.0], latency[:-1])))
    cs = np.cumsum(gap)
    return s_start[t_sess] + np.round(cs - np.repeat(cs[first] - gap[first], n_turns)).astype(np.int64)
