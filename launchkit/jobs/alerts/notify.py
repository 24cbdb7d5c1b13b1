"""What the hourly run does about alerts: catch up missed hours, decide, keep the state, deliver.

1. `catch_up` (with the warehouse open after the load): every complete hour since the latest hour
   checked, up to [alerts] catch_up_hours of them, gets its checks (launchkit.analytics.checks, the
   same function the hourly report uses). Their reports are not rendered (`launchkit hourly --at`
   renders one); their checks are in the run's line and alerts.
2. `after_run` (still under the hourly lock, after the report): records the run (hourly_runs),
   decides the events (launchkit.jobs.alerts.decide), stores them with their payload and what
   every target is owed, in one transaction; then, with the warehouse closed, delivers what each
   target is owed (the new events and those earlier runs could not deliver), oldest first, and
   records each attempt. A target that fails is not sent its later events in this run (it costs
   one timed-out delivery, not one per event); they stay owed for the next run.
3. `check_stale` (`launchkit status --check-stale`): the dead-man's switch, from hourly_runs.

Nothing here raises for a delivery problem or changes the run's exit status; a warehouse that cannot
be opened for the state still gets a failed run announced (without state: at-least-once).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from launchkit import exits
from launchkit.config import Config
from launchkit.config.alerts import Target
from launchkit.errors import LaunchkitError
from launchkit.jobs.alerts import decide as decide_mod
from launchkit.jobs.alerts import outbox
from launchkit.jobs.alerts.decide import Event, HourChecks, Outcome, State
from launchkit.jobs.alerts.delivery import DeliveryResult, deliver
from launchkit.jobs.alerts.payload import build, site_id
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window, previous_hour

HOUR = timedelta(hours=1)


# --- 1. catch-up -------------------------------------------------------------------------------------
def missed_hours(last_checked: datetime | None, hour: datetime, limit: int, tz: tzinfo) -> tuple[list[datetime], int]:
    """The complete hours (the zone's clock hours) strictly between the latest hour checked and `hour`, at
    most the `limit` newest of them, oldest first; and how many older ones were left out. None checked yet: none."""
    if last_checked is None or hour - last_checked <= HOUR:
        return [], 0
    gap = round((hour - last_checked) / HOUR) - 1  # counted in hours; the list below walks the clock's
    kept = min(gap, max(0, limit))
    hours: list[datetime] = []
    h = hour
    while len(hours) < kept and (h := previous_hour(h, tz)) > last_checked:
        hours.append(h)
    return hours[::-1], (gap - kept if len(hours) == kept else 0)


@dataclass(frozen=True)
class CatchUp:
    """The missed hours this run checked, and how many older ones it left out (beyond catch_up_hours)."""

    hours: tuple[HourChecks, ...] = ()
    skipped: int = 0

    def breached(self) -> list[tuple[datetime, list[str]]]:
        return [
            (h.hour, [str(c["check"]) for c in h.checks if c.get("status") == "breach"])
            for h in self.hours
            if any(c.get("status") == "breach" for c in h.checks)
        ]

    def describe(self) -> str:
        """A clause for the run's line: "caught up 2 missed hours (11:00Z breached: tool_success)"."""
        if not self.hours and not self.skipped:
            return ""
        n = len(self.hours)
        text = f"caught up {n} missed hour{'s' if n != 1 else ''}"
        bad = self.breached()
        if bad:
            text += " (" + "; ".join(f"{h:%Y-%m-%dT%H:%MZ} breached: {', '.join(c)}" for h, c in bad) + ")"
        if self.skipped:
            text += f", {self.skipped} older not checked (alerts.catch_up_hours)"
        return text


def catch_up(wh: Warehouse, config: Config, hour: datetime) -> CatchUp:
    """The checks of every complete hour missed since the latest hour checked (see the module docstring)."""
    try:
        last = outbox.load_state(wh).last_checked
    except LaunchkitError:
        return CatchUp()
    hours, skipped = missed_hours(last, hour, config.alerts.catch_up_hours, config.report_zone)
    return CatchUp(
        tuple(HourChecks(h, tuple(_led(wh, Window.hour(h, tz=config.report_zone), config))) for h in hours), skipped
    )


def _led(wh: Warehouse, window: Window, config: Config) -> list[Mapping[str, Any]]:
    """The hour's checks, each breach with its lead sentence (the culprit, as the debrief's reasons lead)."""
    from launchkit.analytics.checks import checks
    from launchkit.analytics.explain import hour_leads

    rows = checks(wh, window, config)
    leads = hour_leads(wh, window, rows, config)
    return [{**r, "lead": leads[r["check"]]} if r["check"] in leads else dict(r) for r in rows]


# --- 2. after the run -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunInfo:
    """What the hourly run tells the alerts: who it was, what it checked, how it ended."""

    run_id: str
    started: datetime
    hour: datetime | None
    status: int
    line: str
    hours: tuple[HourChecks, ...] = ()
    report: str | None = None
    succeeded: bool = False


@dataclass
class Notified:
    """What `after_run` did: the events it created, each delivery, and any problem keeping the state."""

    events: list[Event] = field(default_factory=list)
    deliveries: list[tuple[str, DeliveryResult]] = field(default_factory=list)
    problem: str | None = None
    targets: int = 0

    def line(self) -> str | None:
        """One line for the run's output, or None when there is nothing to say (no targets, nothing sent)."""
        if not self.targets or (not self.deliveries and self.problem is None):
            return None
        ok = sum(r.ok for _, r in self.deliveries)
        kinds = ", ".join(e.kind for e in self.events) or "none new"
        text = f"alerts: {len(self.events)} new ({kinds}); {ok}/{len(self.deliveries)} deliveries made"
        failed = [f"{r.kind} {r.target} failed: {r.error}" for _, r in self.deliveries if not r.ok]
        if failed:
            text += "; " + "; ".join(dict.fromkeys(failed)) + " (kept for the next run)"
        if self.problem:
            text += f"; {self.problem}"
        return text


Sleep = Callable[[float], None]


def after_run(config: Config, run: RunInfo, *, now: datetime | None = None, sleep: Sleep = time.sleep) -> Notified:
    """Record the run, decide and store its alerts, deliver what every target is owed. Never raises."""
    try:
        return _after_run(config, run, now or datetime.now(UTC), sleep)
    except Exception as exc:  # alerting must never lose the report or change the exit status
        return Notified(problem=f"alerts FAILED: {type(exc).__name__}: {exc}", targets=len(config.alerts.targets))


def _after_run(config: Config, run: RunInfo, now: datetime, sleep: Sleep) -> Notified:
    targets = list(config.alerts.targets)
    site = site_id(config.warehouse_path)
    outcome = Outcome(
        hours=run.hours,
        started=run.started,
        run_id=run.run_id,
        hour=run.hour,
        failure=run.line if run.status == exits.FAILED else None,
        succeeded=run.succeeded,
        stale_after_hours=config.alerts.stale_after_hours,
    )
    done = Notified(targets=len(targets))
    try:
        wh = Warehouse.open(config.warehouse_path, wait_s=config.lock_timeout_s)
    except LaunchkitError as exc:  # no state to keep: announce what this run alone can say
        decision = decide_mod.decide(State(), outcome)
        done.events = list(decision.events)
        done.problem = f"alert state not kept ({exc})"
        for e in decision.events:
            payload = _payload(config, e, run, site)
            for t in targets:
                [r] = _send(config, payload, t, sleep)
                done.deliveries.append((e.key, r))
        return done
    try:
        decision = decide_mod.decide(outbox.load_state(wh), outcome)
        payloads = {e.key: _payload(config, e, run, site) for e in decision.events}
        record = outbox.RunRecord(
            run_id=run.run_id,
            started_at=run.started,
            finished_at=now,
            hour=run.hour,
            status=run.status,
            succeeded=run.succeeded,
            hours_checked=len(run.hours),
            breaches=tuple(
                sorted({str(c["check"]) for h in run.hours for c in h.checks if c.get("status") == "breach"})
            ),
            line=run.line.splitlines()[0] if run.line else "",
        )
        outbox.save(wh, decision, payloads, targets, now, record)
        owed = outbox.owed(wh, targets, now)
    finally:
        wh.close()
    done.events = list(decision.events)
    done.deliveries = _deliver_owed(config, owed, sleep)
    return done


def _payload(config: Config, event: Event, run: RunInfo, site: str) -> dict[str, Any]:
    report = run.report if event.hour is not None and event.hour == run.hour else None
    report = config.report_link(report) if report else None  # a URL under [reports] base_url when set
    return build(event, site=site, report=report, exit_status=run.status, redact=config.redact)


def _send(config: Config, payload: dict[str, Any], target: Target, sleep: Sleep) -> list[DeliveryResult]:
    a = config.alerts
    return deliver(payload, [target], timeout_s=a.timeout_s, retries=a.retries, sleep=sleep)


def _deliver_owed(
    config: Config, owed: dict[Target, list[outbox.Owed]], sleep: Sleep
) -> list[tuple[str, DeliveryResult]]:
    """Deliver, per target, what it is owed, oldest first, stopping at its first failure; record each
    attempt (a run that cannot record them sends them again next time: at-least-once)."""
    out: list[tuple[Target, str, DeliveryResult]] = []
    for target, items in owed.items():
        for item in items:
            [r] = _send(config, item.payload, target, sleep)
            out.append((target, item.event_key, r))
            if not r.ok:
                break
    if out:
        try:
            with Warehouse.open(config.warehouse_path, wait_s=config.lock_timeout_s) as wh:
                at = datetime.now(UTC)
                for target, key, r in out:
                    outbox.attempted(wh, key, target, r.attempts, r.ok, r.error, at)
        except LaunchkitError:
            pass  # not recorded: sent again by the next run, with the same idempotency key
    return [(key, r) for _, key, r in out]


# --- 3. the dead-man's switch --------------------------------------------------------------------------
@dataclass(frozen=True)
class Health:
    """The hourly schedule as hourly_runs shows it, and whether it is stale."""

    runs: int
    last_run_at: datetime | None
    last_status: int | None
    last_success_at: datetime | None
    last_success_hour: datetime | None
    open_breaches: int
    alerts_owed: int
    stale: bool
    stale_after_hours: float
    now: datetime

    def line(self) -> str:
        """ "hourly OK: last successful run 2026-03-05T14:05Z (0.4 h ago, stale after 2 h) ..." or STALE."""
        limit = f"stale after {self.stale_after_hours:g} h"
        if self.last_success_at is None:
            what = "no successful run recorded" + (f" ({self.runs} failed)" if self.runs else "")
        else:
            age = (self.now - self.last_success_at).total_seconds() / 3600
            hour = f" for {self.last_success_hour:%Y-%m-%dT%H:%MZ}" if self.last_success_hour else ""
            what = f"last successful run {self.last_success_at:%Y-%m-%dT%H:%MZ}{hour} ({age:.1f} h ago, {limit})"
        text = f"hourly {'STALE' if self.stale else 'OK'}: {what}"
        if self.last_run_at is not None and self.last_run_at != self.last_success_at:
            text += f"; last run {self.last_run_at:%Y-%m-%dT%H:%MZ} exited {self.last_status}"
        if self.open_breaches:
            text += f"; {self.open_breaches} open breach{'es' if self.open_breaches != 1 else ''}"
        if self.alerts_owed:
            text += f"; {self.alerts_owed} alert deliveries not made yet"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "last_run_at": self.last_run_at,
            "last_status": self.last_status,
            "last_success_at": self.last_success_at,
            "last_success_hour": self.last_success_hour,
            "open_breaches": self.open_breaches,
            "alerts_owed": self.alerts_owed,
            "stale": self.stale,
            "stale_after_hours": self.stale_after_hours,
        }


def health(wh: Warehouse, config: Config, now: datetime | None = None) -> Health:
    """The schedule's health (see Health); a warehouse without hourly_runs yet has no runs."""
    now = now or datetime.now(UTC)
    row = outbox.health(wh) or {}
    last_success = row.get("last_success_at")
    return Health(
        runs=int(row.get("runs") or 0),
        last_run_at=row.get("last_run_at"),
        last_status=row.get("last_status"),
        last_success_at=last_success,
        last_success_hour=row.get("last_success_hour"),
        open_breaches=int(row.get("open_breaches") or 0),
        alerts_owed=int(row.get("alerts_owed") or 0),
        stale=decide_mod.is_stale(last_success, now, config.alerts.stale_after_hours),
        stale_after_hours=config.alerts.stale_after_hours,
        now=now,
    )


def alert_stale(config: Config, h: Health, *, sleep: Sleep = time.sleep) -> Notified:
    """Announce a stale schedule to every target (once per gap: the event is keyed by the last
    successful run, the same key the hourly run uses when it resumes). Never raises."""
    targets = list(config.alerts.targets)
    done = Notified(targets=len(targets))
    if not h.stale:
        return done
    event = (
        decide_mod.stale_event(h.last_success_at, h.now)
        if h.last_success_at is not None
        else Event("stale", None, (), detail="no successful hourly run recorded", identity=("never",))
    )
    payload = build(event, site=site_id(config.warehouse_path), exit_status=None, redact=config.redact)
    try:
        with Warehouse.open(config.warehouse_path, wait_s=config.lock_timeout_s) as wh:
            outbox.create(wh, event, payload, targets, h.now)
            owed = {
                t: [o for o in items if o.event_key == event.key]
                for t, items in outbox.owed(wh, targets, h.now).items()
            }
        done.events = [event]
        done.deliveries = _deliver_owed(config, owed, sleep)
    except LaunchkitError as exc:
        done.problem = f"alert state not kept ({exc})"
        done.events = [event]
        done.deliveries = [(event.key, r) for t in targets for r in _send(config, payload, t, sleep)]
    return done


def run_id() -> str:
    """A new run's id."""
    return uuid.uuid4().hex
