"""The one time parser and the half-open UTC window every metric is computed over.

Every entry point (CLI flags, notebook parameters, library calls) reads times and dates here, so a
value means the same everywhere: an ISO 8601 time with `Z` or an offset is that instant; one with
neither is UTC; a date is a UTC calendar day. A value that cannot be read raises TimeValueError
naming what it was for (`--at`, `--date`, ...). Times outside the years 1..9999 cannot be stored
and are refused too. What a user asks a report or a command for must also lie in [EARLIEST, LATEST)
(`reportable`): the date arithmetic behind a report (look-backs of weeks, trends, forecasts) then
stays well inside what Python, pandas and DuckDB hold, and no telemetry is older than 1970.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from launchkit.errors import TimeValueError

UTC = UTC
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive
_TIME_EXAMPLE = "an ISO time (e.g. 2026-03-02T10:00Z)"
_DATE_EXAMPLE = "a date YYYY-MM-DD (e.g. 2026-03-02)"


def parse_instant(value: datetime | date | str, what: str = "time") -> datetime:
    """An aware UTC datetime from a datetime (naive = UTC), a date (its midnight) or an ISO string."""
    if isinstance(value, datetime):
        ts = value
    elif isinstance(value, date):
        return day_start(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            ts = datetime.fromisoformat(text)
        except ValueError:
            raise TimeValueError(what, value, _TIME_EXAMPLE) from None
    else:
        raise TimeValueError(what, value, _TIME_EXAMPLE)
    try:
        return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)
    except (OverflowError, ValueError):
        raise TimeValueError(what, value, "a time between the years 1 and 9999 in UTC") from None


def parse_day(value: date | str, what: str = "date") -> date:
    """A date from a date, a datetime (its UTC day) or 'YYYY-MM-DD'."""
    if isinstance(value, datetime):
        return parse_instant(value, what).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TimeValueError(what, value, _DATE_EXAMPLE)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise TimeValueError(what, value, _DATE_EXAMPLE) from None


def reportable(value: datetime | date | str, what: str = "time") -> datetime:
    """A time or date a user asks for (a flag, a parameter), read and checked against [EARLIEST, LATEST)."""
    ts = parse_instant(value, what)
    if not EARLIEST <= ts < LATEST:
        kind = "a date" if isinstance(value, date) and not isinstance(value, datetime) else "a time"
        shown = value if isinstance(value, str) else value.isoformat()
        raise TimeValueError(what, shown, f"{kind} from {EARLIEST:%Y} to {LATEST.year - 1} (UTC)")
    return ts


def day_start(d: date) -> datetime:
    """Midnight UTC at the start of a date."""
    return datetime.combine(d, time(0), tzinfo=UTC)


def floor_hour(ts: datetime) -> datetime:
    """The start of the clock hour holding ts (UTC)."""
    return parse_instant(ts).replace(minute=0, second=0, microsecond=0)


def last_ended_hour(now: datetime | None = None) -> datetime:
    """Start of the last hour that has ended by the clock (UTC), whatever the data holds."""
    return floor_hour(now or datetime.now(UTC)) - timedelta(hours=1)


def iso(ts: datetime) -> str:
    """An instant as ISO 8601 UTC with a Z: 2026-03-02T10:00:00Z."""
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _shift(ts: datetime, delta: timedelta, what: str) -> datetime:
    try:
        return ts + delta
    except OverflowError:
        raise TimeValueError(what, ts.isoformat(), "a time with room for its window before the year 10000") from None


@dataclass(frozen=True)
class Window:
    """A half-open time window [start, end) in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", parse_instant(self.start, "window start"))
        object.__setattr__(self, "end", parse_instant(self.end, "window end"))
        if self.end <= self.start:
            raise TimeValueError(
                "window", f"{iso(self.start)} .. {iso(self.end)}", "a window whose end is after its start"
            )

    @classmethod
    def hour(cls, ts: datetime | str, what: str = "--hour") -> Window:
        """The clock hour containing ts (floored to the hour)."""
        t = parse_instant(ts, what).replace(minute=0, second=0, microsecond=0)
        return cls(t, _shift(t, timedelta(hours=1), what))

    @classmethod
    def day(cls, d: date | str, what: str = "--date") -> Window:
        """One UTC calendar day."""
        start = day_start(parse_day(d, what))
        return cls(start, _shift(start, timedelta(days=1), what))

    @classmethod
    def range(cls, a: date | datetime | str, b: date | datetime | str) -> Window:
        """Dates are whole days with b inclusive ([a 00:00, b+1 00:00)); times are taken as [a, b)."""
        start = day_start(parse_day(a, "--from")) if _is_date(a) else parse_instant(a, "--from")
        if _is_date(b):
            end = _shift(day_start(parse_day(b, "--to")), timedelta(days=1), "--to")
        else:
            end = parse_instant(b, "--to")
        return cls(start, end)

    @classmethod
    def days_ending(cls, last_day: date, days: int) -> Window:
        """The `days` whole days ending with last_day (inclusive)."""
        end = _shift(day_start(last_day), timedelta(days=1), "date")
        return cls(_shift(end, -timedelta(days=days), "date"), end)

    @property
    def params(self) -> dict[str, datetime]:
        """The window as the $start / $end parameters of a query."""
        return {"start": self.start, "end": self.end}

    def to_json(self) -> dict[str, str]:
        return {"start": iso(self.start), "end": iso(self.end)}


def _is_date(v: Any) -> bool:
    return (isinstance(v, date) and not isinstance(v, datetime)) or (isinstance(v, str) and len(v.strip()) == 10)
