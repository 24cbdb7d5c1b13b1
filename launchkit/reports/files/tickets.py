"""A day's negative feedback and incidents as tickets: a CSV in Jira's CSV-import columns (`launchkit export
tickets`), one row per incident and one per theme of the day's negative feedback, with stable ids and a
state file so the next export writes only what is new.

Columns (Jira's importer maps a header to a field; Summary is required, a repeated Labels header gives
an issue several labels): Issue ID (stable: `LK-F-` / `LK-I-` and 12 hex digits of the SHA-256 of
`<day>:<theme>` / the incident_id), External ID (`feedback:<day>:<theme>` / `incident:<incident_id>`,
for a custom field), Summary, Issue Type (Task for feedback, Bug for an incident), Priority (an
incident's severity SEV1..SEV4 as Highest..Low; feedback Medium when an item is rated 1, else Low),
Description, Created (`yyyy-MM-dd HH:mm` on the clock of [reports] timezone, default UTC: Jira reads it
in the importing user's zone, the team's), Labels (launchkit, feedback / incident, the severity,
`theme-...`).

Negative feedback: rating 1 or 2 of 5, or thumbs down, grouped by the day's recurring themes among
negative comments (launchkit.analytics.themes; a comment may count under several), then "other
comments" (no recurring theme) and "no comment": one ticket per group with its count, ratings,
tenants and example sessions. The day's incidents are those open at some time during the day. Free
text is redacted (launchkit.redact) unless `redact=False`.

The state file (JSON) records every Issue ID exported, when, in which file, and the feedback it
covered; feedback that joins an exported theme later that day gets a ticket of its own (`#2`). It is
rewritten whole (atomically) only after the CSV is on disk, and with a state the CSV never replaces
an earlier export's file: a crash in between exports an item again rather than never.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from launchkit.analytics import records, themes
from launchkit.analytics.triage import is_negative
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
    items: tuple[str, ...] = ()  # the feedback_ids a feedback ticket covers (kept in the state file)


def stable_id(kind: str, source_id: str) -> str:
    """`LK-F-…` (feedback) or `LK-I-…` (incident): the same for the same source id on every run and machine."""
    digest = hashlib.sha256(f"{kind}:{source_id}".encode()).hexdigest()[:12]
    return f"LK-{kind[0].upper()}-{digest}"


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


NO_COMMENT, OTHER = "no comment", "other comments"  # the groups of negative feedback without a recurring theme
EXAMPLES = 5  # example items a feedback ticket quotes (the count says how many there are)


def _stars(stars: int | None, thumbs: str) -> str:
    """'Rated 2 of 5, thumbs down', 'thumbs down', 'rated 1 of 5'."""
    parts = [f"rated {stars} of 5"] if stars is not None else []
    parts += [f"thumbs {thumbs}"] if thumbs else []
    return ", ".join(parts) or "no rating"


def feedback_groups(fb: pd.DataFrame, *, redact: bool = True) -> dict[str, pd.DataFrame]:
    """The negative feedback among `fb` (records.feedback rows) by theme: each of the day's recurring themes
    with the comments that use it (a comment may use several), then the comments that use none
    ("other comments") and the ratings and thumbs without a comment ("no comment")."""
    neg = fb[[is_negative(r, t) for r, t in zip(fb["rating"], fb["thumbs"])]]
    if not len(neg):
        return {}
    comments = [_text(c) for c in neg["comment"]]
    recurring = themes.themes(neg["comment"], redact=redact)["theme"].tolist()
    used = [set(themes.terms(c)) if c else set() for c in comments]
    groups: dict[str, pd.DataFrame] = {t: neg[[t in u for u in used]] for t in recurring}
    groups[OTHER] = neg[[bool(c) and not (u & set(recurring)) for c, u in zip(comments, used)]]
    groups[NO_COMMENT] = neg[[not c for c in comments]]
    return {k: v for k, v in groups.items() if len(v)}


def _group_summary(day: date, key: str, n: int) -> str:
    what = f"{n:,} negative feedback item{'' if n == 1 else 's'}"
    if key == NO_COMMENT:
        return f"Pilot feedback {day}: {what} without a comment"
    if key == OTHER:
        return f"Pilot feedback {day}: {what} on other subjects"
    return f"Pilot feedback {day}: {what} about “{key}”"


def group_ticket(day: date, key: str, items: pd.DataFrame, part: int = 1) -> Ticket:
    """One ticket for a theme's negative feedback of a day: its count, how it was rated, the tenants,
    and up to EXAMPLES example sessions with their comments. `part` > 1: feedback that joined the theme
    after an earlier export of the day (a ticket of its own, so that none is lost)."""
    n = len(items)
    stars = [_rating(r) for r in items["rating"]]
    low = sum(1 for s in stars if s is not None and s <= 2)
    down = sum(1 for t in items["thumbs"] if _text(t).strip().lower() == "down")
    tenants = items["tenant_id"].map(lambda t: _text(t) or "unknown").value_counts()
    lines = [
        _group_summary(day, key, n) + ("" if part == 1 else f" (more since the last export, part {part})") + ".",
        f"Ratings of 1 or 2 of 5: {low}; thumbs down: {down}.",
        "Tenants: " + ", ".join(f"{t} ({c})" for t, c in tenants.items()) + ".",
        "",
        f"Examples ({min(n, EXAMPLES)} of {n}):",
    ]
    for row in items.head(EXAMPLES).itertuples(index=False):
        when = _when(row.submitted_at)
        said = _one_line(_text(row.comment), 300) or "(no comment)"
        lines.append(
            f"* session {_text(row.session_id) or 'unknown'} (tenant {_text(row.tenant_id) or 'unknown'}, "
            f"{iso(when) if when else 'time unknown'}, {_stars(_rating(row.rating), _text(row.thumbs))}): {said}"
        )
    source = f"{day.isoformat()}:{key}" + ("" if part == 1 else f"#{part}")
    theme = [] if key in (NO_COMMENT, OTHER) else [_label(f"theme-{key}")]
    return Ticket(
        issue_id=stable_id("feedback", source),
        external_id=f"feedback:{source}",
        summary=_one_line(_group_summary(day, key, n)),
        issue_type="Task",
        priority="Medium" if any(s is not None and s <= 1 for s in stars) else "Low",
        description="\n".join(lines),
        created=min((w for w in map(_when, items["submitted_at"]) if w is not None), default=None),
        labels=("launchkit", "feedback", *theme),
        items=tuple(str(x) for x in items["feedback_id"]),
    )


def feedback_tickets(
    fb: pd.DataFrame, day: date, *, redact: bool = True, seen: Mapping[str, Any] | None = None
) -> list[Ticket]:
    """One ticket per theme of the day's negative feedback. With `seen` (a state's exported tickets),
    a theme already exported gets a further ticket only for the feedback that joined it since."""
    out = []
    for key, items in feedback_groups(fb, redact=redact).items():
        covered: set[str] = set()
        part = 1
        while (prior := stable_id("feedback", f"{day.isoformat()}:{key}" + ("" if part == 1 else f"#{part}"))) in (
            seen or {}
        ):
            covered |= set((seen or {})[prior].get("items", []))
            part += 1
        fresh = items[~items["feedback_id"].astype(str).isin(covered)]
        if len(fresh):
            out.append(group_ticket(day, key, fresh, part))
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


def day_tickets(
    db: QueryRunner, day: date, *, redact: bool = True, tz: tzinfo, seen: Mapping[str, Any] | None = None
) -> list[Ticket]:
    """The day's incidents (open at some time during it), then its negative feedback by theme; the day is
    a calendar day of the zone `tz` ([reports] timezone). `seen`: see feedback_tickets."""
    w = Window.day(day, tz=tz)
    inc = records.incidents(db, w, redact=redact)
    fb = records.feedback(db, w, redact=redact)
    return incident_tickets(inc) + feedback_tickets(fb, day, redact=redact, seen=seen)


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
    link: str | None = None,
) -> TicketExport:
    """Write the day's tickets to `out`; with `state`, only those not recorded there, then record them.

    With a state, the file never replaces an earlier one (a second export of the day is `<name>-2.csv`),
    and the state records the new tickets only once their file is on disk: what the state says was
    exported is in some file. Nothing new: no file is written and the state is unchanged.
    """
    seen = read_state(state) if state is not None else {}
    tickets = day_tickets(db, day, redact=redact, tz=tz, seen=seen)
    new = [t for t in tickets if t.issue_id not in seen]
    if link:  # the day's debrief where readers open it ([reports] base_url)
        new = [replace(t, description=f"{t.description}\n\nThe day's debrief: {link}") for t in new]
    already = sum(1 for v in seen.values() if isinstance(v, dict) and v.get("day") == day.isoformat())
    if not new:
        return TicketExport(path=None, written=[], already=already)
    data = csv_text(new, tz).encode("utf-8")  # no byte-order mark: Jira's importer would read it into the first header
    if state is None:
        return TicketExport(path=atomic.write_bytes(out, data), written=new, already=0)
    path = atomic.write_new(out, data)
    stamp = iso((now or datetime.now(UTC)).replace(microsecond=0))
    for t in new:
        seen[t.issue_id] = {
            "external_id": t.external_id,
            "day": day.isoformat(),
            "exported_at": stamp,
            "file": path.name,
        }
        if t.items:
            seen[t.issue_id]["items"] = list(t.items)
    write_state(state, seen)
    return TicketExport(path=path, written=new, already=already)
