"""The hour's threshold checks: each hour-measurable GA criterion judged on one hour, and whether data arrived.

Checks use the GA criteria's thresholds (the same [criteria] settings the GA report uses): *breach*
when the hour's confidence interval lies wholly on the wrong side of the criterion's marginal (fail)
threshold, *watch* when the estimate is worse than the pass threshold without that certainty, *ok*
otherwise, *na* without data or threshold. A quiet hour with few samples therefore cannot page
anyone on noise. An hour with fewer observations than the criterion's min_sample is *low-sample*
(verdict INSUFFICIENT DATA) instead of ok or watch: too few to call it good; a breach stays a
breach, its interval is past the fail line even so.
"""

from __future__ import annotations

from typing import Any

from launchkit.analytics import criteria, quality
from launchkit.catalogue import METRICS
from launchkit.config import Config
from launchkit.store.runner import QueryRunner
from launchkit.window import Window

LOW_SAMPLE = "low-sample"  # status of a check with fewer observations than its criterion's min_sample


def checks(db: QueryRunner, window: Window, config: Config) -> list[dict[str, Any]]:
    """Each hour-measurable GA criterion judged on this window; also whether expected data arrived."""
    ctx = criteria.Context(db, config, config.settings.criteria.confidence)
    dq = ctx.quality(window)
    out: list[dict[str, Any]] = []
    for c in config.criteria:
        spec = METRICS[c.metric]
        if not spec.hourly or c.criticality == "report-only":
            continue
        row: dict[str, Any] = {
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
        meas = criteria.measure(ctx, c.metric, window, window.start.date())
        row.update(value=meas.value, n=meas.n, note=meas.note)
        iv = meas.interval
        if iv is not None:
            row["interval"] = {"low": iv.low, "high": iv.high, "method": iv.method, "level": iv.level}
        if meas.value is None or iv is None:
            row["note"] = row["note"] or "no data in this hour"
            out.append(row)
            continue
        failed = quality.failed_gates_for(c.metric, dq)
        if failed:
            row.update(verdict=criteria.UNTRUSTED, status="na", note="coverage too low: " + ", ".join(failed))
            out.append(row)
            continue
        v = criteria.verdict(iv.low, iv.high, c.pass_threshold, c.marginal_threshold, c.direction)
        worse_than_pass = meas.value < c.pass_threshold if c.direction == "higher" else meas.value > c.pass_threshold
        row["verdict"] = v
        row["status"] = "breach" if v == criteria.FAIL else ("watch" if worse_than_pass else "ok")
        if meas.n is not None and meas.n < c.min_sample:
            low = f"low sample: {meas.n:,} of {c.min_sample:,} needed"
            row["note"] = low + ("; " + row["note"] if row["note"] else "")
            if row["status"] != "breach":
                row.update(verdict=criteria.INSUFFICIENT, status=LOW_SAMPLE)
        out.append(row)
    gate = dq["gates"].get("hours_with_data", {})
    out.append(
        {
            "check": "data_arrived",
            "metric": "hours_with_data",
            "direction": "higher",
            "unit": "",
            "pass": None,
            "marginal": None,
            "value": gate.get("value"),
            "interval": None,
            "n": gate.get("denominator"),
            "min_sample": None,
            "verdict": None,
            "status": "breach" if gate.get("ok") is False else ("ok" if gate.get("ok") else "na"),
            "note": "no data in an hour that normally has traffic" if gate.get("ok") is False else "",
        }
    )
    return out
