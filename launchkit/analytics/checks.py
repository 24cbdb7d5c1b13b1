"""The hour's threshold checks: each hour-measurable GA criterion judged on one hour, and whether data arrived.

Checks use the GA criteria's thresholds (the same [criteria] settings the GA report uses): *breach*
when the hour's confidence interval lies wholly on the wrong side of the criterion's marginal (fail)
threshold, *watch* when the estimate is worse than the pass threshold without that certainty, *ok*
otherwise, *na* without data or threshold. A quiet hour with few samples therefore cannot page
anyone on noise. An hour with fewer observations than the criterion's min_sample is *low-sample*
(verdict INSUFFICIENT DATA) instead of ok or watch: too few to call it good; a breach stays a
breach, its interval is past the fail line even so. Silence is not quiet: `blindness` breaches
when traffic was expected and no data came (data_arrived), when no new data came for [hourly]
stale_after_hours while traffic was expected (data_fresh), and when the warehouse is still empty
after pilot.start.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypedDict

from launchkit import stats
from launchkit.analytics import criteria, quality
from launchkit.catalogue import METRICS
from launchkit.config import Config
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, day_start, iso, local_day

HOUR = timedelta(hours=1)

LOW_SAMPLE = "low-sample"  # status of a check with fewer observations than its criterion's min_sample


# One check of the hour: a criterion judged on the window (or data_arrived / data_fresh). status is
# ok, watch, breach, low-sample or na; verdict the criterion's (None for the two blindness checks);
# interval {"low", "high", "method", "level"} or None; pass / marginal None without a threshold.
# (A TypedDict by its functional form: "pass" is a Python keyword.)
Check = TypedDict(
    "Check",
    {
        "check": str,
        "metric": str,
        "direction": str,
        "unit": str,
        "pass": float | None,
        "marginal": float | None,
        "value": float | None,
        "interval": dict[str, Any] | None,
        "n": int | None,
        "min_sample": int | None,
        "verdict": str | None,
        "status": str,
        "note": str,
    },
)


def checks(db: QueryRunner, window: Window, config: Config) -> list[Check]:
    """Each hour-measurable GA criterion judged on this window; then data_arrived and data_fresh (`blindness`)."""
    ctx = criteria.Context(db, config, config.settings.criteria.confidence)
    dq = ctx.quality(window)
    out: list[Check] = []
    for c in config.criteria:
        spec = METRICS[c.metric]
        if not spec.hourly or c.criticality == "report-only":
            continue
        row: Check = {
            "check": c.name,
            "metric": c.metric,
            "direction": c.direction,
            "unit": spec.unit,
            "pass": c.pass_threshold,
            "marginal": c.marginal_threshold,
            "value": None,
            "interval": None,
            "n": None,
            "min_sample": c.min_sample,
            "verdict": criteria.INSUFFICIENT,
            "status": "na",
            "note": "",
        }
        if c.pass_threshold is None or c.marginal_threshold is None:
            row["note"] = f"no threshold: {c.threshold_source} is not set"
            out.append(row)
            continue
        meas = criteria.measure(ctx, c.metric, window, local_day(window.start, config.report_zone))
        row["value"], row["n"], row["note"] = meas.value, meas.n, meas.note
        iv = meas.interval
        if iv is not None:
            row["interval"] = {"low": iv.low, "high": iv.high, "method": iv.method, "level": iv.level}
        if meas.value is None or iv is None:
            row["note"] = row["note"] or "no data in this hour"
            out.append(row)
            continue
        failed = quality.failed_gates_for(c.metric, dq)
        if failed:
            row["verdict"], row["status"] = criteria.UNTRUSTED, "na"
            row["note"] = "coverage too low: " + ", ".join(failed)
            out.append(row)
            continue
        v = criteria.verdict(iv.low, iv.high, c.pass_threshold, c.marginal_threshold, c.direction, meas.value)
        worse_than_pass = meas.value < c.pass_threshold if c.direction == "higher" else meas.value > c.pass_threshold
        row["verdict"] = v
        row["status"] = "breach" if v == criteria.FAIL else ("watch" if worse_than_pass else "ok")
        if meas.n is not None and meas.n < c.min_sample:
            low = f"low sample: {meas.n:,} of {c.min_sample:,} needed"
            row["note"] = low + ("; " + row["note"] if row["note"] else "")
            if row["status"] != "breach":
                row["verdict"], row["status"] = criteria.INSUFFICIENT, LOW_SAMPLE
        out.append(row)
    out.extend(rate_limits(db, window, config))
    out.extend(blindness(db, window, config, dq))
    return out


def _blind_row(check: str, metric: str, unit: str, direction: str) -> Check:
    return {
        "check": check,
        "metric": metric,
        "direction": direction,
        "unit": unit,
        "pass": None,
        "marginal": None,
        "value": None,
        "interval": None,
        "n": None,
        "min_sample": None,
        "verdict": None,
        "status": "na",
        "note": "",
    }


def blindness(db: QueryRunner, window: Window, config: Config, dq: quality.DataQuality | None = None) -> list[Check]:
    """The two checks that a silent exporter cannot pass: data_arrived and data_fresh.

    data_arrived breaches when an hour of the window that expects traffic (quality/gaps.sql) has no
    data, and when the warehouse holds no activity at all although pilot.start has passed (before
    it: "no data yet", status na). data_fresh breaches when nothing arrived for [hourly]
    stale_after_hours before the window's end while traffic was expected (quality.freshness).
    """
    dq = dq if dq is not None else quality.assess(db, window, config)
    fresh = quality.freshness(db, window.end, config)
    arrived = _blind_row("data_arrived", "hours_with_data", "", "higher")
    stale = _blind_row("data_fresh", "hours_since_data", "h", "lower")
    stale["marginal"] = fresh["stale_after_hours"]
    last_at, since = fresh["last_at"], fresh["hours_since"]
    if last_at is None or since is None:  # empty: no activity before the window's end
        start = config.pilot_start
        if start is not None and window.end > day_start(start, config.report_zone):
            arrived["status"] = "breach"
            arrived["note"] = f"no data at all since pilot.start {start} (the warehouse is empty)"
        else:
            when = f" (pilot.start {start})" if start is not None else ""
            arrived["note"] = f"no data yet{when}"
        stale["note"] = arrived["note"]
        return [arrived, stale]
    gate = dq["gates"].get("hours_with_data")
    ok = gate["ok"] if gate is not None else None
    arrived["value"], arrived["n"] = (gate["value"], gate["denominator"]) if gate is not None else (None, None)
    if ok is False:
        expected = sum(h["expected_sessions"] or 0 for h in quality.gap_hours(db, window, config) if h["gap"])
        arrived["status"] = "breach"
        arrived["note"] = (
            f"no data in {_hours(len(dq['gap_hours']))} that normally {'has' if len(dq['gap_hours']) == 1 else 'have'} "
            f"traffic (about {expected:.0f} sessions expected): {', '.join(dq['gap_hours'])}"
        )
    elif ok:
        arrived["status"] = "ok"
    else:
        arrived["note"] = "no traffic expected in this hour" if window.end - window.start <= HOUR else ""
    stale["value"] = since
    last = iso(last_at.replace(microsecond=0))
    if fresh["stale"]:
        stale["status"] = "breach"
        stale["note"] = (
            f"no new data for {since:.1f} h (last at {last}) while about "
            f"{fresh['expected_sessions']:.0f} sessions were expected"
        )
    elif fresh["stale"] is False:
        stale["status"] = "ok"
        if since >= fresh["stale_after_hours"]:
            stale["note"] = f"no new data for {since:.1f} h (last at {last}), none expected"
    else:
        stale["note"] = f"no new data for {since:.1f} h (last at {last}); too little history to expect traffic"
    return [arrived, stale]


def _hours(n: int) -> str:
    return f"{n} hour{'s' if n != 1 else ''}"


RATE_LIMITED = "rate_limited"  # the check's name; one row per provider/model: rate_limited:openai/gpt-4o


def rate_limits(db: QueryRunner, window: Window, config: Config) -> list[Check]:
    """A stability check per provider and model: the share of the window's turns a provider refused for a
    rate limit (queries/capacity/rate_limited_hour.sql), with its Wilson interval and sample size.

    Judged as the criteria are, on [capacity] rate_limited_pass / rate_limited_fail: *breach* when the
    interval lies wholly above the fail share, *watch* when the share is above the pass share, *ok*
    otherwise; fewer turns than rate_limited_min_sample is *low-sample* (a breach stays one). A model
    with no turn in the window has no row: no turns, no share (never a 0).
    """
    cap = config.capacity
    level = config.settings.criteria.confidence
    out: list[Check] = []
    for r in db.frame("capacity/rate_limited_hour", {"start": window.start, "end": window.end}).itertuples():
        k, n = int(r.rate_limited), int(r.turns)
        iv = stats.wilson(k, n, level)
        row = _blind_row(f"{RATE_LIMITED}:{r.provider}/{r.model}", "rate_limited_share", "%", "lower")
        row["pass"], row["marginal"] = cap.rate_limited_pass, cap.rate_limited_fail
        row["value"], row["n"], row["min_sample"] = iv.estimate, n, cap.rate_limited_min_sample
        row["interval"] = {"low": iv.low, "high": iv.high, "method": iv.method, "level": iv.level}
        v = criteria.verdict(iv.low, iv.high, cap.rate_limited_pass, cap.rate_limited_fail, "lower", iv.estimate)
        share = k / n
        status = "breach" if v == criteria.FAIL else ("watch" if share > cap.rate_limited_pass else "ok")
        note = f"{r.provider}/{r.model}: {k:,} of {n:,} turns refused for rate limits"
        if n < cap.rate_limited_min_sample and status != "breach":
            v, status = criteria.INSUFFICIENT, LOW_SAMPLE
            note = f"low sample: {n:,} of {cap.rate_limited_min_sample:,} needed; {note}"
        row["verdict"], row["status"], row["note"] = v, status, note
        out.append(row)
    return out
