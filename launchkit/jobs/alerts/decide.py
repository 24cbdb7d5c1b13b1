"""What an hourly run alerts about: a pure function of the previous alert state and this run's checks.

- A **breach** is identified by (check, first breached hour) and stays *open* until it clears. It is
  announced once, in the hour it opens; the hours after it that still breach only extend it.
- It **clears** in the first later hour whose check is judged and not breached (status ok or
  watch), or when the check is no longer checked at all; an hour without the data to judge it
  (na, low-sample) leaves it open and silent. The clearing is announced once. The same check
  breaching again after that is a new breach, with a new first hour.
- A **failed** run (exit 1) is announced, every time.
- A **stale** schedule: when the last successful run started more than [alerts] stale_after_hours
  before this one, the gap is announced once (keyed by that last success), whoever notices first
  (this run, or `launchkit status --check-stale --alert` run by another scheduler).

Hours are taken oldest first (the caught-up hours, then the report hour). An hour older than the
latest hour already checked is a backfill: its checks are reported but move no breach. Each hour
gives at most one breach event (the breaches it opens) and one cleared event (those it clears).

Events not yet delivered stay owed (launchkit.jobs.alerts.outbox) and are sent again by the next
run with the same idempotency key: at-least-once delivery.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

EventKind = Literal["breach", "cleared", "failed", "stale"]

# statuses that judge a check (launchkit.analytics.checks): a breached check that reads one of
# these in a later hour has cleared; any other status (na, low-sample) says nothing either way
CLEARING = frozenset({"ok", "watch"})


@dataclass(frozen=True)
class Breach:
    """An open breach: a check breached since `first_hour` (its identity), last seen breaching in `last_hour`."""

    check: str
    first_hour: datetime
    last_hour: datetime


@dataclass(frozen=True)
class State:
    """What earlier runs left: the open breaches, the latest hour checked, the last successful run's start."""

    open: tuple[Breach, ...] = ()
    last_checked: datetime | None = None
    last_success: datetime | None = None


@dataclass(frozen=True)
class HourChecks:
    """One hour's checks, as launchkit.analytics.checks returns them (each a dict with check and status)."""

    hour: datetime
    checks: tuple[Mapping[str, Any], ...]
    report: str | None = None  # the hour's report file, when this run wrote one


@dataclass(frozen=True)
class Outcome:
    """This run: the hours it checked (any order), whether it failed and why, whether it wrote its
    report (a successful run, for the dead-man's switch), and when it started."""

    hours: tuple[HourChecks, ...]
    started: datetime
    run_id: str
    hour: datetime | None = None  # the hour the run reports on
    failure: str | None = None  # the failure text when the run failed (exit 1)
    succeeded: bool = True  # whether it wrote its report (a run failed by one bad inbox file still did)
    stale_after_hours: float = 2.0


@dataclass(frozen=True)
class Event:
    """One alert: its kind, the hour it is about, the checks it names (each with first_breached_hour)."""

    kind: EventKind
    hour: datetime | None
    checks: tuple[Mapping[str, Any], ...] = ()
    detail: str = ""
    identity: tuple[str, ...] = ()  # what makes it this event (breach identities, a run id, a last success)

    @property
    def key(self) -> str:
        """Stable across runs and retries: the kind and a hash of the event's identity."""
        digest = hashlib.sha256("\x1f".join(self.identity).encode()).hexdigest()[:16]
        when = self.hour.strftime("%Y-%m-%dT%H") if self.hour is not None else "-"
        return f"{self.kind}:{when}:{digest}"


@dataclass(frozen=True)
class Decision:
    """The events to create (oldest first), and the state to keep."""

    events: tuple[Event, ...]
    state: State
    opened: tuple[Breach, ...] = ()
    cleared: tuple[tuple[Breach, datetime], ...] = ()  # each breach and the hour it cleared in
    backfill: tuple[datetime, ...] = field(default=())  # hours checked that moved nothing (older than last_checked)


def _hour_text(h: datetime) -> str:
    return h.strftime("%Y-%m-%dT%H:%MZ")  # an hour of Asia/Kolkata starts at :30 UTC


def breach_identity(check: str, first_hour: datetime) -> str:
    return f"{check}@{_hour_text(first_hour)}"


def decide(previous: State, run: Outcome) -> Decision:
    """The events this run creates and the state after it (see the module docstring); no I/O."""
    open_: dict[str, Breach] = {b.check: b for b in previous.open}
    last_checked = previous.last_checked
    events: list[Event] = []
    opened: list[Breach] = []
    cleared: list[tuple[Breach, datetime]] = []
    backfill: list[datetime] = []
    if previous.last_success is not None and is_stale(previous.last_success, run.started, run.stale_after_hours):
        events.append(stale_event(previous.last_success, run.started))
    for hc in sorted(run.hours, key=lambda h: h.hour):
        if last_checked is not None and hc.hour < last_checked:
            backfill.append(hc.hour)
            continue
        by_check = {str(c.get("check")): c for c in hc.checks}
        gone: list[tuple[Breach, Mapping[str, Any]]] = []
        for check, b in sorted(open_.items()):
            row = by_check.get(check)
            status = None if row is None else row.get("status")
            if status == "breach":
                open_[check] = replace(b, last_hour=max(b.last_hour, hc.hour))
            elif row is None or status in CLEARING:
                gone.append((b, row or {"check": check, "status": "not checked"}))
        for b, _row in gone:
            del open_[b.check]
            cleared.append((b, hc.hour))
        new = sorted({str(c.get("check")) for c in hc.checks if c.get("status") == "breach"} - set(open_))
        for check in new:
            open_[check] = Breach(check, hc.hour, hc.hour)
            opened.append(open_[check])
        if new:  # one event for the breaches this hour opens, naming every check breached in it
            breached = [
                dict(c, first_breached_hour=_hour_text(open_[str(c["check"])].first_hour), new=c["check"] in new)
                for c in hc.checks
                if c.get("status") == "breach"
            ]
            events.append(
                Event("breach", hc.hour, tuple(breached), identity=tuple(breach_identity(c, hc.hour) for c in new))
            )
        if gone:
            events.append(
                Event(
                    "cleared",
                    hc.hour,
                    tuple(
                        dict(row, first_breached_hour=_hour_text(b.first_hour), cleared_hour=_hour_text(hc.hour))
                        for b, row in gone
                    ),
                    identity=tuple(breach_identity(b.check, b.first_hour) for b, _ in gone),
                )
            )
        last_checked = hc.hour if last_checked is None else max(last_checked, hc.hour)
    if run.failure is not None:
        events.append(Event("failed", run.hour, (), detail=run.failure, identity=(run.run_id,)))
    state = State(
        open=tuple(sorted(open_.values(), key=lambda b: (b.first_hour, b.check))),
        last_checked=last_checked,
        last_success=run.started if run.succeeded else previous.last_success,
    )
    return Decision(tuple(events), state, tuple(opened), tuple(cleared), tuple(backfill))


def is_stale(last_success: datetime | None, now: datetime, stale_after_hours: float) -> bool:
    """Whether the schedule is stale: no successful run ever, or the last one started too long before `now`."""
    return last_success is None or now - last_success > timedelta(hours=stale_after_hours)


def stale_text(last_success: datetime, now: datetime) -> str:
    hours = (now - last_success).total_seconds() / 3600
    return f"no successful hourly run for {hours:.1f} h (the last started {last_success:%Y-%m-%dT%H:%M:%SZ})"


def stale_event(last_success: datetime, now: datetime) -> Event:
    """The event of a stale schedule, keyed by its last successful run: one per gap, whoever notices."""
    return Event("stale", None, (), detail=stale_text(last_success, now), identity=(last_success.isoformat(),))
