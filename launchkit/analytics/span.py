"""The data's own time span: its first and last activity, and the hour and day a report defaults to.

Not to be confused with launchkit.window.last_ended_hour, which asks the clock: the latest hour with
data can be days old when the exporter stopped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

from launchkit.errors import NotEnoughDataError
from launchkit.store.warehouse import QueryRunner
from launchkit.window import floor_hour, last_ended_hour, local_day

_EMPTY = "the warehouse has no sessions, turns or tool calls yet: nothing to report"


def activity_span(db: QueryRunner) -> tuple[datetime | None, datetime | None]:
    """First and last activity (a turn, a tool call or a session start); (None, None) when empty."""
    row = db.one("metrics/activity_span")
    return row["first_at"], row["last_at"]


def latest_hour_with_data(db: QueryRunner, now: datetime | None, tz: tzinfo) -> datetime:
    """Start of the latest clock hour of the zone that has data and has ended by the clock: the default for --at."""
    _, last = activity_span(db)
    if last is None:
        raise NotEnoughDataError(_EMPTY)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return min(floor_hour(last, tz), last_ended_hour(now, tz))


def latest_day_with_data(db: QueryRunner, tz: tzinfo) -> date:
    """The zone's latest calendar date that has data: the default for --date."""
    _, last = activity_span(db)
    if last is None:
        raise NotEnoughDataError(_EMPTY)
    return local_day(last, tz)
