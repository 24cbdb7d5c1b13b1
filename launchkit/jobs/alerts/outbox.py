"""The alert state in the warehouse (migration 008): hourly runs, breaches, events and what each target is owed.

An event is created with its final payload (redacted) and a row per configured target saying it is
owed; a delivery marks the row delivered, a failure leaves it owed with its error, and the next run
sends the owed events again with the same payload and idempotency key (at-least-once). Targets are
stored as a hash of their address (and a shown form without secrets), never the address. A target
added later is owed only the events created after it was added; an event still owed after
RETRY_HOURS is no longer retried (`launchkit status` counts what is owed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from launchkit import __version__
from launchkit.config.alerts import Target, safe_address
from launchkit.jobs.alerts.decide import Breach, Decision, Event, State
from launchkit.store.warehouse import Warehouse

RETRY_HOURS = 24


def target_id(target: Target) -> str:
    """A stable name for a target that does not reveal its address (which may hold a token)."""
    return hashlib.sha256(f"{target.kind}\x1f{target.address}".encode()).hexdigest()[:16]


def load_state(wh: Warehouse) -> State:
    """The state earlier runs left (launchkit.jobs.alerts.decide.State)."""
    row = wh.one("alerts/state")
    open_ = tuple(Breach(c, first, last) for c, first, last in wh.rows("alerts/open_breaches"))
    return State(open=open_, last_checked=row["last_checked"], last_success=row["last_success"])


@dataclass(frozen=True)
class RunRecord:
    """One hourly run as hourly_runs keeps it."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    hour: datetime | None
    status: int
    succeeded: bool
    hours_checked: int
    breaches: tuple[str, ...]
    line: str


def save(
    wh: Warehouse,
    decision: Decision,
    payloads: Mapping[str, Mapping[str, Any]],
    targets: Sequence[Target],
    created_at: datetime,
    run: RunRecord | None = None,
) -> None:
    """Record the run, the breaches opened, extended and cleared, and the new events owed to every
    target, in one transaction (a run killed half-way leaves the state as it was)."""
    with wh.transaction():
        if run is not None:
            wh.write(
                "alerts/record_run",
                {
                    "run_id": run.run_id,
                    "started_at": run.started_at,
                    "finished_at": run.finished_at,
                    "hour": run.hour,
                    "status": run.status,
                    "succeeded": run.succeeded,
                    "last_checked_hour": decision.state.last_checked,
                    "hours_checked": run.hours_checked,
                    "breaches": json.dumps(list(run.breaches)),
                    "line": run.line,
                    "launchkit_version": __version__,
                },
            )
        for b in (*decision.state.open, *(b for b, _ in decision.cleared)):  # a breach may open and clear in one run
            wh.write(
                "alerts/save_breach", {"check_name": b.check, "first_hour": b.first_hour, "last_hour": b.last_hour}
            )
        for b, hour in decision.cleared:
            wh.write("alerts/clear_breach", {"check_name": b.check, "first_hour": b.first_hour, "cleared_hour": hour})
        for seq, e in enumerate(decision.events):
            create(wh, e, payloads[e.key], targets, created_at, seq)


def create(
    wh: Warehouse,
    event: Event,
    payload: Mapping[str, Any],
    targets: Sequence[Target],
    created_at: datetime,
    seq: int = 0,
) -> None:
    """Put one event in the outbox (kept as first created) and make every target owed it."""
    wh.write(
        "alerts/create_event",
        {
            "event_key": event.key,
            "kind": event.kind,
            "hour": event.hour,
            "created_at": created_at,
            "seq": seq,
            "payload": json.dumps(payload, sort_keys=True, allow_nan=False, default=str),
        },
    )
    for t in targets:
        wh.write("alerts/owe", {"event_key": event.key, "target": target_id(t), "shown": safe_address(t)})


@dataclass(frozen=True)
class Owed:
    """An event a target has not received yet, with the payload to send."""

    event_key: str
    kind: str
    payload: dict[str, Any]
    attempts: int


def owed(wh: Warehouse, targets: Sequence[Target], now: datetime) -> dict[Target, list[Owed]]:
    """Per target, the events it is owed that were created in the last RETRY_HOURS, oldest first."""
    since = now - timedelta(hours=RETRY_HOURS)
    return {
        t: [
            Owed(key, kind, json.loads(payload), int(attempts))
            for key, kind, payload, attempts in wh.rows("alerts/owed", {"target": target_id(t), "since": since})
        ]
        for t in targets
    }


def attempted(
    wh: Warehouse, event_key: str, target: Target, attempts: int, ok: bool, error: str | None, at: datetime
) -> None:
    """Record a delivery attempt: delivered, or still owed with its (scrubbed) error."""
    wh.write(
        "alerts/attempted",
        {"event_key": event_key, "target": target_id(target), "attempts": attempts, "at": at, "ok": ok, "error": error},
    )


def health(wh: Warehouse) -> dict[str, Any] | None:
    """The schedule's health row (alerts/health.sql), or None for a warehouse without the tables yet."""
    import duckdb

    try:
        return wh.one("alerts/health")
    except duckdb.CatalogException:
        return None
