"""The JSON an alert carries (what a webhook receives, a command reads on stdin, Slack is sent a message of).

    {"idempotency_key": "launchkit:<site>:breach:2026-03-05T14:<hash>",
     "event": "breach" | "cleared" | "failed" | "stale",
     "summary_line": "hourly 2026-03-05T14:00Z BREACH: tool_success 91.2 % (fail line 93.0 %) ...",
     "hour": "2026-03-05T14:00:00Z" | null,
     "checks": [{"check", "metric", "unit", "value", "pass", "marginal", "status", "n", "note", "lead",
                 "value_text", "pass_text", "marginal_text", "first_breached_hour", "new" | "cleared_hour"}],
     "detail": "the failure, or the gap of a stale schedule" | "",
     "report": "reports/hourly/2026-03-05T14.html" | null,
     "exit_status": 3 | null, "site": "<hash of the warehouse path>", "launchkit_version": "0.1.0"}

Values are as the JSON summary of the report has them (rates as fractions, with the unit); the
`_text` fields are as the report shows them. A breach's `lead` names its culprit as the debrief's reasons
do ("tool sql_query: 35.2 % of tool calls fail (was 1.8 %); 6 of 8 tenants affected",
launchkit.analytics.explain.hour_leads) and opens its clause of the summary line. Free text (detail, each check's note) is redacted like
the reports ([reports] redact) before the payload is stored or sent, and the summary line is composed
from the redacted text: like a report, the redaction runs on the free text, not on the numbers and
hours launchkit writes around it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from launchkit import __version__
from launchkit.catalogue import check_name
from launchkit.jobs.alerts.decide import Event
from launchkit.redact import redact as redact_text
from launchkit.redact import redact_fields
from launchkit.reports.text import fmt
from launchkit.window import iso

FREE_TEXT = frozenset({"note"})  # a check's free text; the event's own is its detail

_CHECK_KEYS = (
    "check",
    "metric",
    "unit",
    "value",
    "pass",
    "marginal",
    "status",
    "n",
    "note",
    "lead",
    "first_breached_hour",
    "new",
    "cleared_hour",
)


def site_id(warehouse_path: Path) -> str:
    """A short stable name of a deployment (its warehouse file), so two deployments' keys never collide."""
    return hashlib.sha256(str(warehouse_path.resolve()).encode()).hexdigest()[:8]


def _check(c: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: c.get(k) for k in _CHECK_KEYS if k in c}
    unit = str(c.get("unit") or "")
    for k in ("value", "pass", "marginal"):
        out[f"{k}_text"] = fmt(c.get(k), unit)
    return out


def _describe(c: Mapping[str, Any]) -> str:
    """One check as a clause of the summary line, by its display name (catalogue.check_name, as the hourly
    report's tiles and tables say it): the value against its fail line, or its note."""
    name = check_name(str(c["check"]), c.get("metric"))
    if c.get("value") is None or c.get("marginal") is None:
        what = f"{name}: {c.get('note') or c.get('status')}"
    else:
        unit = str(c.get("unit") or "")
        what = f"{name} {fmt(c.get('value'), unit)} (pass {fmt(c.get('pass'), unit)}, fail line {fmt(c.get('marginal'), unit)})"
    if c.get("lead") and not c.get("cleared_hour"):
        what = f"{c['lead']} [{what}]"
    if c.get("cleared_hour"):
        return f"{what}, breached since {c['first_breached_hour']}"
    if c.get("first_breached_hour") and not c.get("new"):
        return f"{what}, since {c['first_breached_hour']}"
    return what


def summary_line(event: Event) -> str:
    """The alert in one line, as a chat notification or a pager shows it."""
    hour = f"hourly {event.hour:%Y-%m-%dT%H:%MZ}" if event.hour is not None else "hourly"
    if event.kind == "breach":
        return f"{hour} BREACH: " + "; ".join(_describe(c) for c in event.checks)
    if event.kind == "cleared":
        return f"{hour} CLEARED: " + "; ".join(_describe(c) for c in event.checks)
    if event.kind == "failed":
        first = event.detail.strip().splitlines()[0] if event.detail.strip() else "the run failed"
        return first if first.startswith("hourly ") else f"{hour} FAILED: {first}"
    return f"launchkit hourly STALE: {event.detail}"


def build(
    event: Event,
    *,
    site: str,
    report: str | None = None,
    exit_status: int | None = None,
    redact: bool = True,
) -> dict[str, Any]:
    """The payload of one event (see the module docstring), redacted unless `redact` is False."""
    if redact:
        event = replace(
            event, detail=redact_text(event.detail) or "", checks=tuple(redact_fields(list(event.checks), FREE_TEXT))
        )
    payload: dict[str, Any] = {
        "idempotency_key": f"launchkit:{site}:{event.key}",
        "event": event.kind,
        "summary_line": summary_line(event),
        "hour": iso(event.hour) if event.hour is not None else None,
        "checks": [_check(c) for c in event.checks],
        "detail": event.detail,
        "report": report,
        "exit_status": exit_status,
        "site": site,
        "launchkit_version": __version__,
    }
    return payload
