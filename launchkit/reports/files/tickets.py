"""A day's negative feedback and incidents as tickets: a CSV in Jira's CSV-import columns (`launchkit export
tickets`), one row per item, with stable ids and a state file so the next export writes only what is new.

Columns (Jira's importer maps a header to a field; Summary is required, a repeated Labels header gives
an issue several labels): Issue ID (stable: `LK-F-` / `LK-I-` and 12 hex digits of the SHA-256 of the
feedback_id / incident_id), External ID (`feedback:<feedback_id>` / `incident:<incident_id>`, for a
custom field), Summary, Issue Type (Task for feedback, Bug for an incident), Priority (an incident's
severity SEV1..SEV4 as Highest..Low; feedback rated 1 Medium, else Low), Description, Created
(`yyyy-MM-dd HH:mm` on the clock of [reports] timezone, default UTC: Jira reads it in
the importing user's zone, the team's), Labels (launchkit, feedback / incident, the severity, `theme-...`).

Negative feedback: rating 1 or 2 of 5, or thumbs down. Its themes are the day's recurring themes among
negative comments (launchkit.analytics.themes) that the comment uses. The day's incidents are those
open at some time during the day. Free text is redacted (launchkit.redact) unless `redact=False`.

The state file (JSON) records every Issue ID exported with when; it is read before and rewritten whole
(atomically) after the CSV is written, so a crash in between exports an item again rather than never.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from launchkit.analytics import records, themes
from launchkit.errors import LaunchkitError
from launchkit.reports.files.sheets import csv_rows
from launchkit.store import atomic
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, iso, local

STATE_SCHEMA = "launchkit.tickets-state/1"
COLUMNS = ["Issue ID", "External ID", "Summary", "Issue Type", "Priority", "Description", "Created"]
PRIORITY_BY_SEVERITY = {"SEV1": "Highest", "SEV2": "High", "SEV3": "Medium", "SEV4": "Low"}
SUMMARY_CHARS = 120  # Jira allows 255; a summary is a line, the description holds the whole text


@dataclass(frozen=True)
class Ticket:
    """One item to file: its stable id, the Jira fields and labels."""

    issue_id: str
    external_id: str
    summary: str
    issue_type: str
    priority: str
    description: str
    created: datetime | None
    labels: tuple[str, ...]


def stable_id(kind: str, source_id: str) -> str:
    """`LK-F-…` (feedback) or `LK-I-…` (incident): the same for the same source id on every run and machine."""
    digest = hashlib.sha256(f"{kind}:{source_id}".encode()).hexdigest()[:12]
    return f"LK-{kind[0].upper()}-{digest}"


def is_negative(rating: Any, thumbs: Any) -> bool:
    """Rated 1 or 2 of 5, or thumbs down."""
    low = rating is not None and not pd.isna(rating) and float(rating) <= 2
    return bool(low or (isinstance(thumbs, str) and thumbs.strip().lower() == "down"))


def _text(v: Any) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _rating(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _when(v: Any) -> datetime | None:
    if v is None or pd.isna(v):
        return None
    return pd.Timestamp(v).to_pydatetime().astimezone(UTC)


def _one_line(text: str, limit: int = SUMMARY_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _label(text: str) -> str:
    """A Jira label: no spaces (Jira splits on them)."""
    return "-".join(text.split())


def feedback_tickets(fb: pd.DataFrame, *, redact: bool = True) -> list[Ticket]:
    """Tickets for the negative feedback among `fb` (records.feedback rows), with the themes each one uses."""
    neg = fb[[is_negative(r, t) for r, t in zip(fb["rating"], fb["thumbs"])]]
    recurring = themes.themes(neg["comment"], redact=redact)["theme"].tolist() if len(neg) else []
    out = []
    for row in neg.itertuples(index=False):
        comment = _text(row.comment)
        used = [t for t in recurring if comment and t in themes.terms(comment)]
        stars = _rating(row.rating)
        rating = "no rating" if stars is None else f"rating {stars}/5"
        thumbs = _text(row.thumbs) or "no thumbs"
        summary = f"Pilot feedback ({rating}): " + (_one_line(comment) if comment else f"{thumbs}, no comment")
        created = _when(row.submitted_at)
        description = "\n".join(
            [
                f"Negative feedback from the pilot (launchkit feedback_id {row.feedback_id}).",
                f"Submitted: {iso(created) if created else 'unknown'}",
                f"Tenant: {_text(row.tenant_id) or 'unknown'}",
                f"Rating: {rating}; thumbs: {thumbs}",
                f"Themes: {', '.join(used) if used else 'none recurring'}",
                "",
                "Comment:",
                comment or "(none)",
            ]
        )
        low = stars is not None and stars <= 1
        out.append(
            Ticket(
                issue_id=stable_id("feedback", str(row.feedback_id)),
                external_id=f"feedback:{row.feedback_id}",
                summary=summary,
                issue_type="Task",
                priority="Medium" if low else "Low",
                description=description,
                created=created,
                labels=("launchkit", "feedback", *(_label(f"theme-{t}") for t in used)),
            )
        )
    return out


def incident_tickets(inc: pd.DataFrame) -> list[Ticket]:
    """Tickets for incidents (records.incidents rows)."""
    out = []
    for row in inc.itertuples(index=False):
        severity = _text(row.severity) or "unknown severity"
        title = _text(row.title) or "(untitled)"
        opened, resolved, postmortem = _when(row.opened_at), _when(row.resolved_at), _when(row.postmortem_at)
        description = "\n".join(
            [
                f"Incident {row.incident_id} ({severity}) from the pilot.",
                f"Opened: {iso(opened) if opened else 'unknown'}",
                f"Resolved: {iso(resolved) if resolved else 'not yet'}",
                f"Postmortem: {iso(postmortem) if postmortem else 'none yet'}",
                "",
                f"Title: {title}",
                f"Root cause: {_text(row.root_cause) or 'not recorded'}",
                f"Action items: {_text(row.action_items) or 'none recorded'}",
            ]
        )
        out.append(
            Ticket(
                issue_id=stable_id("incident", str(row.incident_id)),
                external_id=f"incident:{row.incident_id}",
                summary=f"[{severity}] {_one_line(title)}",
                issue_type="Bug",
                priority=PRIORITY_BY_SEVERITY.get(severity.upper(), "Medium"),
                description=description,
                created=opened,
                labels=("launchkit", "incident", *([_label(severity.lower())] if _text(row.severity) else [])),
            )
        )
    return out


def day_tickets(db: QueryRunner, day: date, *, redact: bool = True, tz: tzinfo) -> list[Ticket]:
    """The day's incidents (open at some time during it), then its negative feedback, oldest first; the
    day is a calendar day of the zone `tz` ([reports] timezone)."""
    w = Window.day(day, tz=tz)
    inc = records.incidents(db, w, redact=redact)
    fb = records.feedback(db, w, redact=redact)
    return incident_tickets(inc) + feedback_tickets(fb, redact=redact)


def csv_text(tickets: Iterable[Ticket], tz: tzinfo) -> str:
    """Jira CSV: the columns above, then as many `Labels` columns as the most-labelled ticket needs;
    Created on the clock of the zone `tz`."""
    items = list(tickets)
    n_labels = max((len(t.labels) for t in items), default=1)
    rows = []
    for t in items:
        created = local(t.created, tz).strftime("%Y-%m-%d %H:%M") if t.created else ""
        labels = list(t.labels) + [""] * (n_labels - len(t.labels))
        rows.append([t.issue_id, t.external_id, t.summary, t.issue_type, t.priority, t.description, created, *labels])
    return csv_rows(COLUMNS + ["Labels"] * n_labels, rows)


def read_state(path: Path) -> dict[str, Any]:
    """The state file's exported ids ({} when the file does not exist yet); a broken file is one clear error."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LaunchkitError(f"{path}: not a launchkit tickets state file ({type(exc).__name__}: {exc})") from None
    if not isinstance(data, dict) or data.get("schema") != STATE_SCHEMA or not isinstance(data.get("exported"), dict):
        raise LaunchkitError(f"{path}: not a launchkit tickets state file (expected schema {STATE_SCHEMA})")
    return dict(data["exported"])


def write_state(path: Path, exported: Mapping[str, Any]) -> Path:
    """Rewrite the state file whole (temporary file, then rename)."""
    body = {"schema": STATE_SCHEMA, "exported": dict(sorted(exported.items()))}
    return atomic.write_text(path, json.dumps(body, indent=1, sort_keys=True) + "\n")


@dataclass
class TicketExport:
    """What `export_tickets` did: the file written (None when nothing was new) and the counts."""

    path: Path | None
    written: list[Ticket]
    already: int  # items of the day exported before (in the state file)


def export_tickets(
    db: QueryRunner,
    day: date,
    out: Path,
    *,
    state: Path | None = None,
    redact: bool = True,
    now: datetime | None = None,
    tz: tzinfo,
) -> TicketExport:
    """Write the day's tickets to `out`; with `state`, only those not recorded there, then record them.

    Nothing new: no file is written (an earlier export's file stays as it was) and the state is unchanged.
    """
    tickets = day_tickets(db, day, redact=redact, tz=tz)
    seen = read_state(state) if state is not None else {}
    new = [t for t in tickets if t.issue_id not in seen]
    if not new:
        return TicketExport(path=None, written=[], already=len(tickets))
    atomic.write_text(out, csv_text(new, tz))  # no byte-order mark: Jira's importer would read it into the first header
    if state is not None:
        stamp = iso((now or datetime.now(UTC)).replace(microsecond=0))
        for t in new:
            seen[t.issue_id] = {"external_id": t.external_id, "day": day.isoformat(), "exported_at": stamp}
        write_state(state, seen)
    return TicketExport(path=out, written=new, already=len(tickets) - len(new))
