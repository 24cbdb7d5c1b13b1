"""Every instant lies in exactly one clock hour, in every IANA zone, for a whole year.

For each zone in zoneinfo's list: the year's changes of offset are found by asking the zone for its
offset every six hours; around each one (and at a few ordinary times) the hours are walked edge to
edge with `next_hour` and every 15-minute instant is checked against them by hand: its hour
(`floor_hour`) is the last walked edge at or before it, the walked edges are the instants the local
clock shows hh:00, and `Window.hour` is [that edge, the next). Offsets today move by multiples of 15
minutes, so 15-minute steps see every edge.
"""

from __future__ import annotations

import bisect
import itertools
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest

from launchkit.jobs.hourly import window_label
from launchkit.window import Window, floor_hour, last_ended_hour, next_hour, zone

YEAR = 2026
STEP = timedelta(minutes=15)


def _changes(tz) -> list[datetime]:
    """Instants (to six hours) after which the zone's offset differs: one per change in the year."""
    t = datetime(YEAR, 1, 1, tzinfo=UTC)
    out, prev = [], t.astimezone(tz).utcoffset()
    while t.year == YEAR:
        t += timedelta(hours=6)
        off = t.astimezone(tz).utcoffset()
        if off != prev:
            out.append(t)
        prev = off
    return out


def _check_span(tz, start: datetime, end: datetime) -> None:
    edges = [floor_hour(start, tz)]
    while edges[-1] <= end:
        edges.append(next_hour(edges[-1], tz))
    for a, b in itertools.pairwise(edges):
        assert a < b <= a + timedelta(hours=2, minutes=30), (tz, a, b)
        wall = a.astimezone(tz)
        assert (wall.minute, wall.second) == (0, 0), (tz, a, wall)  # an edge shows hh:00
    t = edges[0]
    while t < edges[-1]:
        k = bisect.bisect_right(edges, t) - 1  # the hour holding t, by hand: the last edge at or before it
        assert floor_hour(t, tz) == edges[k], (str(tz), t, floor_hour(t, tz), edges[k])
        w = Window.hour(t, tz=tz)
        assert (w.start, w.end) == (edges[k], edges[k + 1]), (str(tz), t)
        t += STEP


def test_every_instant_is_in_exactly_one_hour_in_every_zone_for_a_year():
    zones = sorted(zoneinfo.available_timezones())
    assert len(zones) > 300
    changed = 0
    for name in zones:
        tz = zone(name)
        around = _changes(tz)
        changed += len(around)
        for c in around:
            _check_span(tz, c - timedelta(hours=7), c + timedelta(hours=1))
        _check_span(tz, datetime(YEAR, 5, 17, 7, tzinfo=UTC), datetime(YEAR, 5, 17, 10, tzinfo=UTC))
    assert changed > 100  # the year's daylight-saving changes were looked at


@pytest.mark.parametrize(
    ("name", "now", "start", "end", "label"),
    [
        # Lord Howe falls back +11 -> +10:30 at 02:00 local (15:00 UTC): the hour from 01:00 lasts 90 minutes
        (
            "Australia/Lord_Howe",
            "2026-04-04T15:40Z",
            "2026-04-04T14:00Z",
            "2026-04-04T15:30Z",
            "2026-04-04T14:00Z (2026-04-05 01:00 +11 to 02:00 +1030)",
        ),
        ("Australia/Lord_Howe", "2026-04-04T16:35Z", "2026-04-04T15:30Z", "2026-04-04T16:30Z", None),
        # and springs forward +10:30 -> +11 at 02:00 local (15:30 UTC): 01:00-02:00, then 02:30-03:00
        (
            "Australia/Lord_Howe",
            "2026-10-03T16:10Z",
            "2026-10-03T14:30Z",
            "2026-10-03T16:00Z",
            "2026-10-03T14:30Z (2026-10-04 01:00 +1030 to 03:00 +11)",
        ),
        ("Asia/Kathmandu", "2026-03-10T10:20Z", "2026-03-10T09:15Z", "2026-03-10T10:15Z", None),
        ("Pacific/Chatham", "2026-04-04T14:20Z", "2026-04-04T13:15Z", "2026-04-04T14:15Z", None),
    ],
)
def test_the_run_reports_the_last_ended_hour_and_names_it(name, now, start, end, label):
    tz = zone(name)
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    hour = last_ended_hour(parse(now), tz)
    w = Window.hour(hour, tz=tz)
    assert (w.start, w.end) == (parse(start), parse(end))
    assert next_hour(w.start, tz) == w.end <= parse(now)
    if label is not None:
        assert window_label(hour, tz) == label
