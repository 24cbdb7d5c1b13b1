"""The records behind the numbers, as tables a report shows: feedback given and incidents open in a window,
the tool calls that failed, and one session's timeline (what a comment or a failed call opens).

Their free text (comments; incident titles, root causes, action items) leaves the warehouse in reports
and exports, so it is redacted here by default (launchkit.redact: e-mail, phone, card and SSN become
`[email]`, `[phone]`, `[card]`, `[ssn]`); `redact=False` (config `[reports] redact = false`, or
`launchkit run --no-redact`) keeps the original for an internal debrief. The warehouse keeps it either way.
"""

from __future__ import annotations

import pandas as pd

from launchkit.redact import redact_series
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window

FEEDBACK_TEXT = ("comment",)
INCIDENT_TEXT = ("title", "root_cause", "action_items")
TIMELINE_TEXT = ("detail",)  # a comment, or the session's user, cohort and release


def redact_columns(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """A copy of `df` whose free-text `columns` are redacted (missing values, dtype and index kept)."""
    out = df.copy()
    for col in columns:
        if col in out.columns:
            out[col] = redact_series(out[col])
    return out


def feedback(db: QueryRunner, window: Window, *, redact: bool = True) -> pd.DataFrame:
    """Feedback submitted in the window (feedback_id, session_id, submitted_at, tenant_id, rating, thumbs, comment);
    the comment redacted unless `redact` is False."""
    df = db.frame("reports/feedback", window.params)
    return redact_columns(df, FEEDBACK_TEXT) if redact else df


def incidents(db: QueryRunner, window: Window, *, redact: bool = True) -> pd.DataFrame:
    """Incidents open at some time in the window, with their timeline; title, root cause and action items
    redacted unless `redact` is False."""
    df = db.frame("reports/incidents", window.params)
    return redact_columns(df, INCIDENT_TEXT) if redact else df


def failed_calls(db: QueryRunner, window: Window) -> pd.DataFrame:
    """Tool calls started in the window whose status is not ok (error or timeout: as the success rate
    counts them): call_id, session_id, started_at, tenant_id, tool_name, status, error_type, duration_ms."""
    return db.frame("reports/failed_calls", window.params)


def session_timeline(db: QueryRunner, session_id: str, *, redact: bool = True) -> pd.DataFrame:
    """One session's events in time order: its start (tenant; user, cohort, release), each turn (model, status,
    latency, error type, cost, tokens), tool call (tool, status, duration, error type) and feedback (rating,
    thumbs, the comment redacted unless `redact` is False). Columns: occurred_at, kind, name, status, duration_ms,
    error_type, cost_usd, tokens, detail. Empty for an unknown session."""
    df = db.frame("reports/session_timeline", {"session_id": session_id})
    return redact_columns(df, TIMELINE_TEXT) if redact else df
