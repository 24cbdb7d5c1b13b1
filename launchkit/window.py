"""The one time parser, the half-open UTC window every metric is computed over, and the team's calendar.

The edge (CLI flags, notebook parameters) reads times and dates here, once, so a value means the
same everywhere; the library below takes `date`, aware `datetime` and `Window` values only, and the
report zone always as an argument (no default: a forgotten zone is a type error, never silently UTC).
The warehouse and every window are UTC instants; what a *day* and an *hour* are is the report zone's
([reports] timezone, default UTC, given here as `tz`):

- a date is a local calendar day: from local midnight to the next local midnight, as a UTC window
  (23 or 25 hours long on the days the clocks change; a zone whose clocks skip midnight starts the
  day when they resume);
- an hour is a local clock hour: from a time the local clock shows hh:00 to the next time it shows
  hh:00 (in every zone whose offset moves by whole hours that is one UTC hour; in Asia/Kolkata it
  starts at :30 UTC; around a 30-minute change, Australia/Lord_Howe's, one hour lasts 90 minutes):
  every instant lies in exactly one hour;
- an ISO time with `Z` or an offset is that instant; one with neither is a local wall-clock time in
  the zone: a time the clocks skip (02:30 on the day they spring forward) is refused, and one they
  repeat (01:30 on the day they fall back in New York) is the FIRST of the two (daylight time);
  write the offset (`2026-11-01T01:30-05:00`) for the second.

With the default zone UTC all of this is what it always was: a date is a UTC day, an hour a UTC hour.
A value that cannot be read raises TimeValueError naming what it was for (`--at`, `--date`, ...).
Times outside the years 1..9999 cannot be stored and are refused too. What a user asks a report or a
command for must also lie in [EARLIEST, LATEST) (`reportable`): the date arithmetic behind a report
(look-backs of weeks, trends, forecasts) then stays well inside what Python, pandas and DuckDB hold,
and no telemetry is older than 1970.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import Any

from launchkit.errors import TimeValueError

UTC = UTC
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # exclusive
HOUR = timedelta(hours=1)
_TIME_EXAMPLE = "an ISO time (e.g. 2026-03-02T10:00Z)"
_DATE_EXAMPLE = "a date YYYY-MM-DD (e.g. 2026-03-02)"


# ---------------------------------------------------------------------------------------------
# the zone


def zone(name: str) -> tzinfo:
    """The IANA time zone called `name` ('UTC', 'Europe/Berlin'); ValueError when there is none."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {name!r}") from None


def zone_name(tz: tzinfo) -> str:
    """The zone's IANA name ('Europe/Berlin'; 'UTC' for datetime.UTC): what report headers show."""
    key = getattr(tz, "key", None)
    return str(key) if key else str(tz.tzname(None) or tz)


def utc(ts: datetime) -> datetime:
    """An instant as an aware UTC datetime; a naive one is taken as UTC, the warehouse's clock (what a user
    typed without an offset is read on the report zone by `parse_instant`, at the edge, never here)."""
    if ts.tzinfo is None:
        return ts.replace(tzinfo=UTC)
    try:
        return ts.astimezone(UTC)
    except (OverflowError, ValueError):
        raise TimeValueError("time", ts.isoformat(), "a time between the years 1 and 9999 in UTC") from None


def local(ts: datetime, tz: tzinfo) -> datetime:
    """The instant as the zone's clock shows it (aware; `fold` = 1 on the second of a repeated hour)."""
    return utc(ts).astimezone(tz)


def repeated(wall: datetime) -> bool:
    """Whether a local time (from `local`) is the second of two that show the same wall clock (the hour
    the clocks repeat when daylight time ends)."""
    return bool(wall.fold) and wall.replace(fold=0).utcoffset() != wall.utcoffset()


def local_day(ts: datetime, tz: tzinfo) -> date:
    """The zone's calendar date at an instant."""
    return local(ts, tz).date()


def clock(ts: datetime, tz: tzinfo) -> str:
    """An instant for people, on the zone's clock with its abbreviation: '2026-03-10 15:02 CET' ('... UTC')."""
    return local(ts, tz).strftime("%Y-%m-%d %H:%M %Z")


def clock_span(start: datetime, end: datetime, tz: tzinfo) -> str:
    """A stretch of time on the zone's clock: '2026-03-12 14:00 to 15:00 UTC'; when the clocks change
    inside it, both abbreviations: '2026-10-25 02:00 CEST to 02:00 CET'."""
    a, b = local(start, tz), local(end, tz)
    if a.tzname() == b.tzname():
        return f"{a:%Y-%m-%d %H:%M} to {b:%H:%M %Z}"
    return f"{a:%Y-%m-%d %H:%M %Z} to {b:%H:%M %Z}"


def _localize(naive: datetime, tz: tzinfo, what: str, shown: Any) -> datetime:
    """A wall-clock time in the zone as an aware UTC instant: the first of a repeated time, refused when skipped."""
    aware = naive.replace(tzinfo=tz, fold=0)
    try:
        ts = aware.astimezone(UTC)
        if tz is not UTC and ts.astimezone(tz).replace(tzinfo=None, fold=0) != naive.replace(fold=0):
            raise TimeValueError(
                what, shown, f"a time that exists in {zone_name(tz)} (its clocks skip it that day; give an offset)"
            )
    except (OverflowError, ValueError):
        raise TimeValueError(what, shown, "a time between the years 1 and 9999 in UTC") from None
    return ts


# ---------------------------------------------------------------------------------------------
# parsing


def parse_instant(value: datetime | date | str, what: str, tz: tzinfo) -> datetime:
    """An aware UTC datetime from a datetime, a date (its local midnight) or an ISO string: what a user
    gives (a flag, a notebook parameter), read once at the edge; the library below takes the result.

    A time without an offset (a naive datetime, or text without Z or +hh:mm) is the zone's wall clock.
    """
    if isinstance(value, datetime):
        ts = value
    elif isinstance(value, date):
        return day_start(value, tz)
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
    if ts.tzinfo is None:
        return _localize(ts, tz, what, value)
    try:
        return ts.astimezone(UTC)
    except (OverflowError, ValueError):
        raise TimeValueError(what, value, "a time between the years 1 and 9999 in UTC") from None


def parse_day(value: date | str, what: str) -> date:
    """A date from a date or 'YYYY-MM-DD' (an instant is no day until a zone says which: `local_day`)."""
    if isinstance(value, datetime):
        raise TimeValueError(what, value.isoformat(), _DATE_EXAMPLE)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TimeValueError(what, value, _DATE_EXAMPLE)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise TimeValueError(what, value, _DATE_EXAMPLE) from None


def reportable(value: datetime | date | str, what: str, tz: tzinfo) -> datetime:
    """A time or date a user asks for (a flag, a parameter), read (in the zone) and checked against
    [EARLIEST, LATEST). The bounds are UTC whatever the zone: they only keep the arithmetic in range.
    """
    ts = parse_instant(value, what, tz)
    if not EARLIEST <= ts < LATEST:
        kind = "a date" if isinstance(value, date) and not isinstance(value, datetime) else "a time"
        shown = value if isinstance(value, str) else value.isoformat()
        raise TimeValueError(what, shown, f"{kind} from {EARLIEST:%Y} to {LATEST.year - 1} (UTC)")
    return ts


# ---------------------------------------------------------------------------------------------
# days and hours


def day_start(d: date, tz: tzinfo) -> datetime:
    """The first instant of a date in the zone (local midnight; when the clocks skip midnight, the
    moment they resume), in UTC."""
    try:
        return datetime.combine(d, time(0), tzinfo=tz).astimezone(UTC)
    except (OverflowError, ValueError):
        raise TimeValueError("date", d.isoformat(), "a date between the years 1 and 9999") from None


def _next_day(d: date, what: str) -> date:
    try:
        return d + timedelta(days=1)
    except OverflowError:
        raise TimeValueError(what, d.isoformat(), "a date with room for its window before the year 10000") from None


# --- hour edges: the instants the zone's clock shows hh:00 ----------------------------------------
# The clock hours of a zone partition time: hour k is [edge k, edge k+1), an edge being an instant at
# which the local clock shows hh:00. Most hours are 60 minutes; where the offset moves by other than a
# whole hour the hour around the change is not: on Australia/Lord_Howe's fall-back (+11 to +10:30 at
# 02:00) the hour from 01:00 runs 90 minutes (01:00-02:00, then 01:30-02:00 again), on its spring
# forward (+10:30 to +11 at 02:00, the clock jumping to 02:30) also 90 minutes; Asia/Kathmandu's
# (+5:45) hours start at :15 UTC, Pacific/Chatham's (+12:45/+13:45) at :15. Every minute lies in
# exactly one hour, and a window names its own start and end (`clock_span`).
_EDGE_LOOK = 3  # hours an edge search looks across: more than any hour lasts around a change (< 2.5 h)


def _wall_floor(t: datetime, offset: timedelta) -> datetime:
    """The latest instant <= t at which a clock at `offset` from UTC shows hh:00."""
    w = t + offset
    return t - timedelta(minutes=w.minute, seconds=w.second, microseconds=w.microsecond)


def _offsets(t: datetime, tz: tzinfo, direction: int) -> set[timedelta]:
    """The zone's offsets in force from t across the next (+1) or last (-1) few hours."""
    return {(t + HOUR * (direction * k)).astimezone(tz).utcoffset() or timedelta(0) for k in range(_EDGE_LOOK + 1)}


def floor_hour(ts: datetime, tz: tzinfo) -> datetime:
    """The start of the zone's clock hour holding ts (UTC): the last instant at or before it that showed hh:00."""
    t = utc(ts)
    offsets = _offsets(t, tz, -1)
    if len(offsets) == 1:  # no change of offset nearby: the wall clock's minutes say it
        return _wall_floor(t, offsets.pop())
    found = [
        c
        for off in offsets
        for k in range(_EDGE_LOOK)
        if (c := _wall_floor(t, off) - HOUR * k).astimezone(tz).utcoffset() == off
    ]
    return max(found)


def next_hour(edge: datetime, tz: tzinfo) -> datetime:
    """The start of the zone's clock hour after the one starting at (or holding) `edge` (UTC)."""
    t = floor_hour(edge, tz)
    offsets = _offsets(t, tz, +1)
    if len(offsets) == 1:
        return _wall_floor(t, offsets.pop()) + HOUR
    found = [
        c
        for off in offsets
        for k in range(1, _EDGE_LOOK + 1)
        if (c := _wall_floor(t, off) + HOUR * k) > t and c.astimezone(tz).utcoffset() == off
    ]
    return min(found)


def previous_hour(edge: datetime, tz: tzinfo) -> datetime:
    """The start of the zone's clock hour before the one starting at (or holding) `edge` (UTC)."""
    return floor_hour(floor_hour(edge, tz) - timedelta(microseconds=1), tz)


def last_ended_hour(now: datetime | None, tz: tzinfo) -> datetime:
    """Start of the last clock hour that has ended (UTC), whatever the data holds. In a zone whose
    offset is whole hours it is the last ended UTC hour: only its label is local."""
    return previous_hour(floor_hour(now or datetime.now(UTC), tz), tz)


def hour_edges(start: datetime, end: datetime, tz: tzinfo) -> list[datetime]:
    """The clock-hour edges from the hour holding `start` to the first edge at or after `end` (UTC)."""
    edges = [floor_hour(start, tz)]
    while edges[-1] < end:
        edges.append(next_hour(edges[-1], tz))
    return edges


def day_edges(first: date, last: date, tz: tzinfo) -> list[datetime]:
    """Local midnights (UTC) from `first` to the day after `last`: the edges of days first..last."""
    return [day_start(first + timedelta(days=k), tz) for k in range((last - first).days + 2)]


def hour_keys(edges: list[datetime]) -> tuple[list[datetime], list[datetime]]:
    """For buckets between consecutive edges (bucket k is [edges[k], edges[k+1])): every UTC hour a bucket
    overlaps, paired with that bucket's start. A query matches a row to its bucket by an equality join
    on the row's UTC hour and then the bucket's edges, not by a range join on the edges alone (about
    8x slower over a month of hours). An hour two buckets share (Asia/Kolkata's hours start at :30 UTC)
    is listed under both."""
    hours: list[datetime] = []
    starts: list[datetime] = []
    for a, b in pairwise(edges):
        k = a.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        while k < b:
            hours.append(k)
            starts.append(a)
            k += HOUR
    return hours, starts


def day_buckets(start: datetime, end: datetime, tz: tzinfo) -> list[tuple[date, datetime, datetime]]:
    """The zone's calendar days that overlap [start, end), each as (date, first instant, end) cut to [start, end)."""
    out = []
    d = local_day(start, tz)
    while (a := max(day_start(d, tz), start)) < end:
        b = min(day_start(_next_day(d, "date"), tz), end)
        out.append((d, a, b))
        d = _next_day(d, "date")
    return out


def _shift(ts: datetime, delta: timedelta, what: str) -> datetime:
    try:
        return ts + delta
    except OverflowError:
        raise TimeValueError(what, ts.isoformat(), "a time with room for its window before the year 10000") from None


def iso(ts: datetime) -> str:
    """An instant as ISO 8601 UTC with a Z: 2026-03-02T10:00:00Z."""
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Window:
    """A half-open time window [start, end) in UTC (built from typed values: the edge parses text)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", utc(self.start))
        object.__setattr__(self, "end", utc(self.end))
        if self.end <= self.start:
            raise TimeValueError(
                "window", f"{iso(self.start)} .. {iso(self.end)}", "a window whose end is after its start"
            )

    @classmethod
    def hour(cls, ts: datetime, tz: tzinfo) -> Window:
        """The zone's clock hour containing ts."""
        t = floor_hour(ts, tz)
        _shift(t, HOUR * _EDGE_LOOK, "hour")  # room for the hour before the year 10000
        return cls(t, next_hour(t, tz))

    @classmethod
    def day(cls, d: date, tz: tzinfo) -> Window:
        """One calendar day of the zone: local midnight to local midnight (23 or 25 hours when the clocks change)."""
        return cls(day_start(d, tz), day_start(_next_day(d, "date"), tz))

    @classmethod
    def days(cls, first: date, last: date, tz: tzinfo) -> Window:
        """The zone's calendar days first..last, both included."""
        return cls(day_start(first, tz), day_start(_next_day(last, "--to"), tz))

    @classmethod
    def range(cls, a: date | datetime, b: date | datetime, tz: tzinfo) -> Window:
        """Dates are whole days of the zone with b inclusive ([a 00:00, b+1 00:00)); times are taken as [a, b)."""
        start = utc(a) if isinstance(a, datetime) else day_start(a, tz)
        end = utc(b) if isinstance(b, datetime) else day_start(_next_day(b, "--to"), tz)
        return cls(start, end)

    @classmethod
    def days_ending(cls, last_day: date, days: int, tz: tzinfo) -> Window:
        """The `days` whole days of the zone ending with last_day (inclusive)."""
        try:
            first = last_day - timedelta(days=days - 1)
        except OverflowError:
            raise TimeValueError("date", last_day.isoformat(), "a date with room for its window") from None
        return cls(day_start(first, tz), day_start(_next_day(last_day, "date"), tz))

    @property
    def params(self) -> dict[str, datetime]:
        """The window as the $start / $end parameters of a query."""
        return {"start": self.start, "end": self.end}

    def to_json(self) -> dict[str, str]:
        return {"start": iso(self.start), "end": iso(self.end)}
