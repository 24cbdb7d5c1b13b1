"""The playbook's blocks in the reports: incident updates (debrief, GA) and the pilot's retrospective (GA).

Kernel side; every piece of data text is escaped by launchkit.reports.html. The words come from
launchkit.analytics.incident_update, so the report says what `launchkit export incident` prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

import pandas as pd

from launchkit.analytics import incident_update as iu
from launchkit.reports.page import charts

_SEVERITY_STATUS = {"SEV1": "breach", "SEV2": "breach", "SEV3": "watch", "SEV4": "na"}


def incident_updates(updates: Sequence[iu.IncidentUpdate], empty: str = "no incident to report") -> charts.HTMLBlock:
    """One block per incident update: status, impact, duration, remediation, next update."""
    if not updates:
        return charts.HTMLBlock(f'<p class="lk-muted">{charts.esc(empty)}</p>', empty)
    parts, texts = [], []
    for u in updates:
        colour = charts.STATUS_COLOURS.get(
            _SEVERITY_STATUS.get(u.severity, "na") if u.resolved_at is None else "ok", charts.NEUTRAL
        )
        title = f"[{u.severity}] {u.incident_id}: {u.title or 'untitled incident'}"
        lines = [
            ("Impact", iu.impact_text(u)),
            ("Duration", iu.duration_text(u)),
            ("Remediation", iu.remediation_text(u)),
            ("Next update", str(u.next_update.get("text", ""))),
        ]
        items = "".join(f"<li><strong>{charts.esc(k)}:</strong> {charts.esc(v)}</li>" for k, v in lines)
        parts.append(
            f'<div class="lk-note" style="border-left-color:{colour}"><strong>{charts.esc(title)}</strong> '
            f"{charts.badge(u.status.upper(), 'watch' if u.resolved_at is None else 'ok')}"
            f'<span class="lk-muted"> as of {charts.esc(iu.when(u.as_of, u.tz))}</span><ul>{items}</ul></div>'
        )
        texts.append(iu.render_markdown(u))
    return charts.HTMLBlock("".join(parts), "\n\n".join(texts))


def retro_incidents(retro: Mapping[str, Any], tz: tzinfo) -> charts.HTMLBlock:
    """The pilot's incidents: severity, when opened (on `tz`'s clock), duration, impact, postmortem timeliness,
    action items."""
    rows = [
        {
            "incident": i["incident_id"],
            "severity": i["severity"],
            "title": i.get("title") or "",
            "opened": charts.moment(pd.Timestamp(i["opened_at"]), tz) if i.get("opened_at") else None,
            "hours open": i["duration_hours"],
            "sessions affected": i["impact"]["sessions"],
            "with errors": i["impact"]["sessions_with_errors"],
            "tenants": i["impact"]["tenants"],
            "postmortem": i["postmortem"],
            "action items": (i.get("remediation") or {}).get("action_items") or "—",
        }
        for i in retro.get("incidents", [])
    ]
    status = {"on time": "ok", "late": "breach", "missing": "breach", "not due yet": "na", "not due (open)": "watch"}
    return charts.table(
        pd.DataFrame(rows),
        digits={"hours open": 1},
        status={"postmortem": lambda v: status.get(str(v), "na")},
        empty="no incident during the pilot",
        tz=tz,
    )


def retro_themes(rows: Sequence[Mapping[str, Any]], empty: str) -> charts.HTMLBlock:
    """Recurring themes (theme, comments, share, example)."""
    df = pd.DataFrame(list(rows), columns=["theme", "comments", "share", "example"])
    return charts.table(df, units={"share": "%"}, empty=empty, tz=None)
