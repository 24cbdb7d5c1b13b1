"""The incident update for the playbook's "notify users and stakeholders of impact" step, from the data.

For an incident, as of a moment: its status (open or resolved), the impact (the sessions active while it
was open, per tenant, and how many of those had a failed turn or tool call: queries/incidents/impact.sql),
how long it has lasted, the remediation (root cause and action items as recorded) and when the next update
is due. An open incident gets a next update on its severity's cadence (SEV1 every 30 minutes, SEV2 every
hour, SEV3 every 4 hours, SEV4 daily); a resolved one owes its postmortem within 24 hours of resolution (the
same rule as the postmortem criteria). Free text is redacted unless `redact=False`.

`render_markdown` writes it for a chat channel or an e-mail; the reports show it as a block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, TypedDict

import pandas as pd

from launchkit.analytics import records
from launchkit.errors import LaunchkitError
from launchkit.jsonclean import clean
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, clock, utc

CADENCE = {
    "SEV1": timedelta(minutes=30),
    "SEV2": timedelta(hours=1),
    "SEV3": timedelta(hours=4),
    "SEV4": timedelta(hours=24),
}
POSTMORTEM_WITHIN = timedelta(hours=24)
TENANTS_NAMED = 5  # tenants named in the text; the rest are counted


class Impact(TypedDict):
    rule: str
    sessions: int
    sessions_with_errors: int
    tenants: int
    by_tenant: list[dict[str, Any]]


class IncidentUpdateJson(TypedDict):
    """An incident update as strict JSON (IncidentUpdate.to_json): UTC instants as ISO text."""

    incident_id: str
    severity: str
    title: str | None
    status: str  # open / resolved
    as_of: str
    opened_at: str
    resolved_at: str | None
    duration_hours: float
    impact: Impact
    remediation: dict[str, str | None]  # root_cause, action_items
    postmortem_at: str | None
    next_update: dict[str, Any]


@dataclass
class IncidentUpdate:
    """One incident's update as of a moment; `to_json` is its strict-JSON form."""

    incident_id: str
    severity: str
    title: str | None
    as_of: datetime
    opened_at: datetime
    resolved_at: datetime | None  # None while open (as of `as_of`)
    duration_hours: float
    sessions: int
    sessions_with_errors: int
    tenants: list[dict[str, Any]] = field(default_factory=list)  # tenant_id, sessions, sessions_with_errors
    symptom: dict[str, str | None] = field(default_factory=dict)  # tool, tenant: what it names (incidents/impact)
    root_cause: str | None = None
    action_items: str | None = None
    postmortem_at: datetime | None = None
    next_update: dict[str, Any] = field(default_factory=dict)  # kind, due_at, text
    tz: tzinfo = field(
        kw_only=True
    )  # the zone its texts show times in ([reports] timezone); the JSON keeps UTC instants

    @property
    def status(self) -> str:
        return "open" if self.resolved_at is None else "resolved"

    def to_json(self) -> IncidentUpdateJson:
        return clean(
            {
                "incident_id": self.incident_id,
                "severity": self.severity,
                "title": self.title,
                "status": self.status,
                "as_of": self.as_of,
                "opened_at": self.opened_at,
                "resolved_at": self.resolved_at,
                "duration_hours": self.duration_hours,
                "impact": {
                    "rule": symptom_rule(self.symptom),
                    "sessions": self.sessions,
                    "sessions_with_errors": self.sessions_with_errors,
                    "tenants": len(self.tenants),
                    "by_tenant": self.tenants,
                },
                "remediation": {"root_cause": self.root_cause, "action_items": self.action_items},
                "postmortem_at": self.postmortem_at,
                "next_update": self.next_update,
            }
        )


def _ts(v: Any) -> datetime | None:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return pd.Timestamp(v).tz_convert(UTC).to_pydatetime()


def _text(v: Any) -> str | None:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _next_update(
    severity: str, as_of: datetime, resolved: datetime | None, postmortem: datetime | None, tz: tzinfo
) -> dict:
    if resolved is None:
        every = CADENCE.get(severity, CADENCE["SEV4"])
        due = as_of + every
        return {
            "kind": "update",
            "due_at": due,
            "text": f"next update by {when(due, tz)} (every {span(every)} for {severity})",
        }
    if postmortem is not None and postmortem <= as_of:
        return {
            "kind": "none",
            "due_at": None,
            "text": f"postmortem written {when(postmortem, tz)}; no further updates",
        }
    due = resolved + POSTMORTEM_WITHIN
    late = " (overdue)" if as_of > due else ""
    return {"kind": "postmortem", "due_at": due, "text": f"postmortem due by {when(due, tz)}{late}"}


def when(t: datetime, tz: tzinfo) -> str:
    """A moment for people, on the zone's clock: '2026-03-10 14:02 UTC', '2026-03-10 15:02 CET'."""
    return clock(t, tz)


def span(d: timedelta | float) -> str:
    """A duration for people: '45 min', '2 h 38 min', '3 d 4 h'."""
    minutes = round((d.total_seconds() if isinstance(d, timedelta) else d * 3600) / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def updates(db: QueryRunner, window: Window, *, redact: bool = True, tz: tzinfo) -> list[IncidentUpdate]:
    """The update of every incident open at some time in the window, as of the window's end (or its
    resolution, if earlier), oldest first; its texts give times on the clock of the zone `tz`."""
    inc = records.incidents(db, window, redact=redact)
    impact = db.frame("incidents/impact", window.params)
    out = []
    for row in inc.to_dict("records"):
        iid = str(row["incident_id"])
        rule_rows = impact[impact["incident_id"] == iid]
        mine = rule_rows[rule_rows["tenant_id"].notna()]
        opened = _ts(row["opened_at"])
        resolved = _ts(row["resolved_at"])
        if opened is None:  # required by the contract: never happens with loaded data
            continue
        if resolved is not None and resolved >= window.end:
            resolved = None  # still open as of the update
        end = resolved or window.end
        postmortem = _ts(row["postmortem_at"])
        if postmortem is not None and postmortem > window.end:
            postmortem = None  # not written yet as of the update
        out.append(
            IncidentUpdate(
                incident_id=iid,
                severity=str(row["severity"]),
                title=_text(row["title"]),
                as_of=window.end,
                opened_at=opened,
                resolved_at=resolved,
                duration_hours=(end - opened).total_seconds() / 3600,
                sessions=int(mine["sessions"].sum()),
                sessions_with_errors=int(mine["sessions_with_errors"].sum()),
                tenants=[
                    {"tenant_id": str(t), "sessions": int(n), "sessions_with_errors": int(e)}
                    for t, n, e in zip(mine["tenant_id"], mine["sessions"], mine["sessions_with_errors"])
                ],
                symptom={k: _first(rule_rows[f"symptom_{k}"]) for k in ("tool", "tenant")},
                root_cause=_text(row["root_cause"]),
                action_items=_text(row["action_items"]),
                postmortem_at=postmortem,
                next_update=_next_update(str(row["severity"]), window.end, resolved, postmortem, tz),
                tz=tz,
            )
        )
    return out


def incident_update(
    db: QueryRunner,
    incident_id: str,
    *,
    as_of: datetime | None = None,
    redact: bool = True,
    tz: tzinfo,
) -> IncidentUpdate:
    """One incident's update as of `as_of` (default: now), e.g. for `launchkit export incident`; `tz` is
    the zone its texts show times in."""
    row = db.one("incidents/opened", {"incident_id": incident_id})
    if row["opened_at"] is None:
        raise LaunchkitError(f"no incident {incident_id!r} in the warehouse")
    at = datetime.now(UTC) if as_of is None else utc(as_of)
    opened = _ts(row["opened_at"])
    if opened is None:
        raise LaunchkitError(f"no incident {incident_id!r} in the warehouse")
    if at <= opened:
        raise LaunchkitError(
            f"incident {incident_id} opened at {when(opened, tz)}: an update as of {when(at, tz)} is before it"
        )
    found = [u for u in updates(db, Window(opened, at), redact=redact, tz=tz) if u.incident_id == incident_id]
    return found[0]


def _one_line(text: str | None) -> str:
    return " ".join(str(text).split()) if text else ""


def _first(values: Any) -> str | None:
    named = [str(v) for v in values if isinstance(v, str) and v]
    return named[0] if named else None


def symptom_rule(symptom: dict[str, str | None]) -> str:
    """Which sessions an incident's impact counts (queries/incidents/impact.sql): what it names, else its window."""
    parts = []
    if symptom.get("tool"):
        parts.append(f"called {symptom['tool']}")
    if symptom.get("tenant"):
        parts.append(f"of tenant {symptom['tenant']}")
    if not parts:
        return "sessions active while it was open"
    return "sessions " + " and ".join(parts) + " while it was open"


def impact_text(u: IncidentUpdate) -> str:
    """'123 sessions in 4 tenants (t01 60, t02 40, ...) were active while it was open; 17 had an error'."""
    rule = symptom_rule(u.symptom)
    if not u.sessions:
        return f"no session met its symptom ({rule})"
    named = ", ".join(f"{t['tenant_id']} {t['sessions']:,}" for t in u.tenants[:TENANTS_NAMED])
    more = len(u.tenants) - TENANTS_NAMED
    if more > 0:
        named += f" and {more} more"
    n_t = len(u.tenants)
    verb = "was" if u.sessions == 1 else "were"
    return (
        f"{u.sessions:,} session{'' if u.sessions == 1 else 's'} in {n_t} tenant{'' if n_t == 1 else 's'} ({named}) "
        f"{verb} affected ({rule}); {u.sessions_with_errors:,} of them had a failed turn or tool call"
    )


def duration_text(u: IncidentUpdate) -> str:
    if u.resolved_at is None:
        return f"open for {span(u.duration_hours)} so far (since {when(u.opened_at, u.tz)})"
    return f"{span(u.duration_hours)}, {when(u.opened_at, u.tz)} to {when(u.resolved_at, u.tz)}"


def remediation_text(u: IncidentUpdate) -> str:
    parts = []
    if u.root_cause:
        parts.append(f"root cause: {_one_line(u.root_cause)}")
    if u.action_items:
        parts.append(f"action items: {_one_line(u.action_items)}")
    return "; ".join(parts) if parts else "not recorded yet"


def render_markdown(u: IncidentUpdate) -> str:
    """The update as Markdown for a chat channel or an e-mail (one line each: impact, duration,
    remediation, next update)."""
    head = f"**[{u.severity}] {u.incident_id}: {_one_line(u.title) or 'untitled incident'}**"
    return "\n".join(
        [
            f"{head} · {u.status.upper()} (as of {when(u.as_of, u.tz)})",
            "",
            f"- **Impact:** {impact_text(u)}",
            f"- **Duration:** {duration_text(u)}",
            f"- **Remediation:** {remediation_text(u)}",
            f"- **Next update:** {u.next_update['text']}",
        ]
    )
