"""The scheduled hourly run (`launchkit hourly`): what cron or a systemd timer calls every hour.

1. take a lock beside the warehouse (`<warehouse>.hourly.lock`), waiting at most
   hourly.lock_timeout_s for a previous run to finish;
2. load the files in hourly.inbox that were not loaded before (or changed since) through the load
   job, which re-prices what needs it and publishes the read-only snapshot the notebooks read;
3. run the hourly report for the last complete hour (or --at);
4. with [backup] keep > 0, back the warehouse up when the newest backup is [backup] every_hours old,
   keeping the `keep` newest (launchkit.jobs.backup); with [reports] keep_days > 0, remove the hourly
   reports older than that (launchkit.reports.run.prune);
5. alerts (launchkit.jobs.alerts): every hour missed since the latest hour checked gets its checks
   (step 2, up to [alerts] catch_up_hours), the run is recorded in the warehouse (the dead-man's
   switch of `launchkit status`), and a new breach, a cleared one or a failed run is sent to the
   [alerts] targets; a delivery problem adds a line, never changes the exit status;
6. return one summary line and an exit status (launchkit.exits).

Exit statuses: 0 all well; 3 a threshold was breached (the report was written; or in a missed hour
this run caught up), which includes
blindness: no data where traffic was expected, no new data for hourly.stale_after_hours, an empty
warehouse after pilot.start (launchkit.analytics.checks.blindness); 4 a file loaded with warnings
(a span that names a model or carries token usage was not loaded); 1 the run failed (nothing or
not everything was written; the message says why); 75 another run held the lock, or another
process held the warehouse, for longer than hourly.lock_timeout_s (EX_TEMPFAIL: nothing was
loaded or written, try again). Running it twice for the same hour
gives the same report: files already loaded are not loaded again and the report files are replaced
atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from launchkit import exits
from launchkit.config import Config
from launchkit.errors import LaunchkitError, WarehouseBusy
from launchkit.faults import passing_cause
from launchkit.ingest import FileResult
from launchkit.ingest import inbox as inbox_mod
from launchkit.jobs import backup, load
from launchkit.jobs.alerts import notify
from launchkit.jobs.alerts.decide import HourChecks
from launchkit.jobs.load import lock_path
from launchkit.reports.run import execute, prune
from launchkit.reports.run.kernel import start_kernel
from launchkit.store import atomic
from launchkit.store.connect import damaged, is_damage
from launchkit.store.warehouse import Warehouse
from launchkit.visible import printable
from launchkit.window import clock, clock_span, floor_hour, last_ended_hour, local, next_hour, zone_name


@dataclass
class HourlyRun:
    """What one scheduled run did: its exit status and its one-line summary."""

    status: int
    line: str
    hour: datetime | None = None
    files_loaded: int = 0
    rows_loaded: int = 0
    failed_files: list[str] = field(default_factory=list)
    breaches: list[dict[str, Any]] = field(default_factory=list)
    report: Any = None
    seconds: float = 0.0
    checked: list[HourChecks] = field(default_factory=list)  # the caught-up hours, then the report's
    alerts: notify.Notified | None = None


def new_inbox_files(wh: Warehouse, inbox: Path) -> list[Path]:
    """Files in the inbox whose content no earlier load looked at (sorted by name).

    Decided by content hash (launchkit.ingest.inbox), not by modification time: a corrected file
    delivered with its old timestamp is loaded, a file unchanged since it loaded (or failed) is not
    read again, and the cost of a run grows with new or changed files, not with the inbox's history.
    """
    return inbox_mod.new_files(wh.con, inbox)


# Checks that say the data itself is missing: each breach gets a line of its own under the summary.
BLINDNESS_CHECKS = ("data_arrived", "data_fresh")


def window_label(hour: datetime, tz: tzinfo) -> str:
    """The window a run reports, as its line names it: `2026-03-10T14:00Z`, with the zone's clock when it
    is not UTC (`(2026-03-10 15:00 CET)`), and both ends when the hour is not 60 minutes on one clock
    (a 30-minute change of offset, Australia/Lord_Howe's: `(2026-04-05 01:00 +11 to 02:00 +1030)`)."""
    end = next_hour(hour, tz)
    label = f"{hour:%Y-%m-%dT%H:%MZ}"
    if end - hour != timedelta(hours=1) or local(hour, tz).tzname() != local(end, tz).tzname():
        return f"{label} ({clock_span(hour, end, tz)})"
    return label if zone_name(tz) == "UTC" else f"{label} ({clock(hour, tz)})"


def _fmt_line(
    hour: datetime,
    summary: dict[str, Any],
    loaded: int,
    rows: int,
    failed: list[str],
    html: Path,
    seconds: float,
    tz: tzinfo,
) -> tuple[str, list[dict[str, Any]]]:
    from launchkit.reports.text import fmt  # one number format for the line and the report

    m = summary.get("metrics", {})
    verdicts = summary.get("verdicts", [])
    breaches = [v for v in verdicts if v.get("status") == "breach"]
    state = "BREACH" if breaches else "OK"
    lat = (m.get("latency_ms") or {}).get("p95")
    bits = [
        f"{fmt(m.get('active_sessions'))} sessions",
        f"tool success {fmt(m.get('tool_call_success_rate'), '%')}",
        f"p95 {fmt(lat, 'ms')}",
        f"errors {fmt(m.get('turn_error_rate'), '%')}",
        f"{fmt(m.get('cost_per_session'), '$')}/session",
    ]
    what = ", ".join(bits)
    arrived: dict[str, Any] = next((v for v in verdicts if v.get("check") == "data_arrived"), {})
    if arrived.get("status") == "na" and str(arrived.get("note", "")).startswith("no data yet"):
        what = str(arrived["note"])
    if breaches:
        what += "; breached: " + ", ".join(
            b["check"] if b["check"] in BLINDNESS_CHECKS else f"{b['check']} {fmt(b.get('value'), b.get('unit', ''))}"
            for b in breaches
        )
    files = f"loaded {loaded} new file{'s' if loaded != 1 else ''} ({rows} rows)"
    if failed:
        files += f", {len(failed)} FAILED"
    when = window_label(hour, tz)
    line = f"hourly {when} {state}: {what}; {files}; report {html} ({seconds:.1f}s)"
    for b in breaches:
        if b["check"] in BLINDNESS_CHECKS:
            line += f"\n{b['check']} BREACH: {b.get('note', '')}"
    return line, breaches


def run_hourly(
    config: Config, at: datetime | None = None, *, now: datetime | None = None, pdf: bool = False
) -> HourlyRun:
    """Load the inbox's new files and render the hourly report; never raises for expected failures."""
    from filelock import FileLock, Timeout

    started = time.monotonic()
    began = datetime.now(UTC)
    wait = config.lock_timeout_s
    folder = lock_path(config).parent
    try:  # what can be refused at once is refused before a kernel starts
        tz = config.report_zone  # whole-hour zones: the last ended hour is the UTC one, only its label is local
        hour = floor_hour(at, tz) if at is not None else last_ended_hour(now, tz)
        atomic.check_folder(folder)
        atomic.check_folder(config.reports_dir)
        # The report's kernel starts first: it imports while this run waits for the lock and loads files.
        kernel = start_kernel("hourly")
    except LaunchkitError as exc:
        return HourlyRun(exits.FAILED, f"hourly FAILED: {exc}", seconds=time.monotonic() - started)
    lock = FileLock(str(lock_path(config)), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        kernel.shutdown()
        return HourlyRun(
            exits.BUSY,
            f"hourly BUSY: another run holds {lock_path(config)} (waited {wait:g}s); nothing done, try again later",
        )
    except OSError as exc:
        kernel.shutdown()
        return HourlyRun(
            exits.FAILED, f"hourly FAILED: cannot take the lock {lock_path(config)}: {exc.strerror or exc}"
        )
    try:
        try:
            result = _run_locked(config, hour, pdf, started, kernel)
        except LaunchkitError as exc:
            result = HourlyRun(
                exits.FAILED, f"hourly FAILED: {printable(exc)}", hour, seconds=time.monotonic() - started
            )
        except Exception as exc:
            cause = None if is_damage(exc) else passing_cause(exc)
            if cause is not None:  # a full disk, an I/O error: one line, and the next run tries again
                result = HourlyRun(
                    exits.FAILED, f"hourly FAILED: {printable(cause)}", hour, seconds=time.monotonic() - started
                )
            elif not is_damage(exc):
                text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
                _alert(
                    config,
                    HourlyRun(exits.FAILED, f"hourly FAILED: internal error {type(exc).__name__}: {text}", hour),
                    began,
                )
                raise
            else:
                result = HourlyRun(
                    exits.FAILED,
                    f"hourly FAILED: {damaged(config.warehouse_path, exc)}",
                    hour,
                    seconds=time.monotonic() - started,
                )
        finally:
            kernel.shutdown()
        # under the lock: two runs never decide or send the same alert
        return result if result.status == exits.BUSY else _alert(config, result, began)
    finally:
        lock.release()


def _alert(config: Config, result: HourlyRun, began: datetime) -> HourlyRun:
    """Record the run, send its alerts (launchkit.jobs.alerts.notify); a line more when something was sent."""
    info = notify.RunInfo(
        run_id=notify.run_id(),
        started=began,
        hour=result.hour,
        status=result.status,
        line=result.line,
        hours=tuple(result.checked),
        report=str(result.report.html) if result.report is not None else None,
        succeeded=result.report is not None,
    )
    try:
        result.alerts = notify.after_run(config, info)
    except Exception as exc:  # recording the run on a full disk: the run's own line still stands
        cause = passing_cause(exc)
        if cause is None:
            raise
        result.status = exits.FAILED
        result.line += f"\nalerts FAILED: {printable(cause)}"
        return result
    extra = result.alerts.line()
    if extra:
        result.line += "\n" + extra
    return result


def _load_inbox(wh: Warehouse, config: Config) -> tuple[load.LoadRun, list[str]]:
    """The load step: its job, and a problem line when it stopped for a passing reason (a full disk):
    then the run still reports from the last published snapshot and the next run loads again."""
    try:
        job = load.run(wh, new_inbox_files(wh, config.inbox_dir), config)
        refused = inbox_mod.refused(config.inbox_dir)  # links out of the inbox, pipes: named, never read
        job.results += [FileResult(str(p), None, skipped=True, passed_over=True, reason=why) for p, why in refused]
        return job, []
    except Exception as exc:
        cause = None if is_damage(exc) else passing_cause(exc)
        if cause is None:
            raise
        return load.LoadRun(), [f"load FAILED: {printable(cause)}; the next run loads the inbox again"]


def _run_locked(config: Config, hour: datetime, pdf: bool, started: float, kernel: Any) -> HourlyRun:
    try:
        try:
            wh = Warehouse.open(config.warehouse_path, wait_s=config.lock_timeout_s)
        except WarehouseBusy as exc:  # a reader holds the warehouse itself: temporary, like the lock
            return HourlyRun(
                exits.BUSY,
                f"hourly BUSY: {exc}; nothing loaded, no report written",
                hour,
                seconds=time.monotonic() - started,
            )
        try:
            job, load_problem = _load_inbox(wh, config)
            caught = notify.catch_up(wh, config, hour)  # the hours missed since the last run, checked
        finally:
            wh.close()
    except BaseException:
        kernel.shutdown()
        raise
    results = job.results
    failed = [r.summary() for r in results if not r.ok] + load_problem
    loaded = sum(1 for r in results if r.ok and not r.skipped)
    rows = sum(r.loaded + r.updated for r in results)
    report = execute.run_report("hourly", config, at=hour, pdf=pdf, kernel=kernel)
    problems = list(failed) + [h.line() for h in job.held]
    try:  # [backup] keep > 0: one every every_hours, the newest `keep` kept (after the report: it waits for nothing)
        made = backup.scheduled(config)
    except (LaunchkitError, OSError) as exc:  # a full disk is the documented line too, never a traceback
        problems.append(f"backup FAILED: {printable(passing_cause(exc) or exc)}")
        made = None
    seconds = time.monotonic() - started
    line, breaches = _fmt_line(hour, report.summary, loaded, rows, failed, report.html, seconds, config.report_zone)
    if made is not None:
        line = line.replace(f"; report {report.html} ", f"; backup {made.folder}; report {report.html} ", 1)
    if caught.describe():
        line = line.replace(f"; report {report.html} ", f"; {caught.describe()}; report {report.html} ", 1)
    pruned = prune.prune_hourly(config.reports_dir, config.keep_days, config.report_zone)  # [reports] keep_days
    if pruned:
        what = f"pruned {len(pruned)} hourly report{'s' if len(pruned) != 1 else ''} older than {config.keep_days} d"
        line = line.replace(f"; report {report.html} ", f"; {what}; report {report.html} ", 1)
    warned = [f"{printable(r.file)}: WARNING {w}" for r in job.warned for w in r.warnings]
    warned += [r.summary() for r in results if r.passed_over]
    if job.all_rejected:
        warned.append(job.all_rejected_line())
    status = exits.combine(
        exits.FAILED if problems else exits.OK,
        exits.BREACH if breaches or caught.breached() else exits.OK,
        exits.WARNINGS if warned else exits.OK,
    )
    if problems:
        line += "\n" + "\n".join(problems)
    if warned:
        line += "\n" + "\n".join(warned)
    checked = [*caught.hours, HourChecks(hour, tuple(report.summary.get("verdicts", [])))]
    return HourlyRun(status, line, hour, loaded, rows, failed, breaches, report, seconds, checked)
