"""The scheduled hourly run (`launchkit hourly`) and the hour's threshold checks.

`run_hourly(config)` is what cron or a systemd timer calls every hour:

1. take a lock beside the warehouse (`<warehouse>.hourly.lock`), waiting at most
   hourly.lock_timeout_s for a previous run to finish;
2. load the files in hourly.inbox that were not loaded before (or changed since), re-price the
   turns, and publish the read-only snapshot the notebooks read;
3. run the hourly report for the last complete hour (or --at);
4. return one summary line and an exit status.

Exit statuses (docs/scheduling.md): 0 all well; 3 a threshold was breached (the report was
written); 1 the run failed (nothing or not everything was written; the message says why);
75 another run held the lock for longer than hourly.lock_timeout_s (EX_TEMPFAIL: try again).
Running it twice for the same hour gives the same report: files already loaded are not loaded
again and the report files are replaced atomically.

`checks(con, window, config)` judges the hour against the GA criteria's thresholds (the same
[criteria] settings the GA report uses): *breach* when the hour's confidence interval lies wholly
on the wrong side of the criterion's marginal (fail) threshold, *watch* when the estimate is
worse than the pass threshold without that certainty, *ok* otherwise, *na* without data or
threshold. A quiet hour with few samples therefore cannot page anyone on noise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from launchkit.config import Config
from launchkit.errors import LaunchkitError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BREACH = 3
EXIT_BUSY = 75

# Criteria metrics that make sense for one hour of data.
HOURLY_METRICS = {
    "tool_call_success_rate", "turn_error_rate", "cost_per_session", "open_major_incidents",
    *(f"{src}_p{p}_ms" for src in ("latency", "ttft") for p in ("50", "90", "95", "99")),
}
UNITS = {"tool_call_success_rate": "%", "turn_error_rate": "%", "cost_per_session": "$",
         "open_major_incidents": "", **{f"{s}_p{p}_ms": "ms" for s in ("latency", "ttft") for p in ("50", "90", "95", "99")}}


# ---------------------------------------------------------------------------------------------
# the hour's checks


def checks(con: Any, window: Any, config: Config) -> list[dict[str, Any]]:
    """Each hour-measurable GA criterion judged on this window; also whether expected data arrived."""
    from launchkit import criteria, quality

    opts = criteria.settings(config)
    ctx = criteria.Context(con, config, opts["confidence"])
    dq = ctx.quality(window)
    out: list[dict[str, Any]] = []
    for c in criteria.load_criteria(config):
        if c.metric not in HOURLY_METRICS or c.criticality == "report-only":
            continue
        row: dict[str, Any] = {
            "check": c.name, "metric": c.metric, "direction": c.direction, "unit": UNITS.get(c.metric, ""),
            "pass": c.pass_threshold, "marginal": c.marginal_threshold, "value": None, "interval": None,
            "n": None, "verdict": criteria.INSUFFICIENT, "status": "na", "note": "",
        }
        if c.pass_threshold is None or c.marginal_threshold is None:
            row["note"] = f"no threshold: {c.threshold_source} is not set"
            out.append(row)
            continue
        meas = criteria.measure(ctx, c.metric, window, window.start.date())
        row.update(value=meas.value, n=meas.n, note=meas.note)
        iv = meas.interval
        if iv is not None:
            row["interval"] = {"low": iv.low, "high": iv.high, "method": iv.method, "level": iv.level}
        if meas.value is None or iv is None:
            row["note"] = row["note"] or "no data in this hour"
            out.append(row)
            continue
        failed = [] if c.metric in quality.UNGATED else quality.failed_gates_for(c.metric, dq)
        if failed:
            row.update(verdict=criteria.UNTRUSTED, status="na", note="coverage too low: " + ", ".join(failed))
            out.append(row)
            continue
        v = criteria.verdict(iv.low, iv.high, c.pass_threshold, c.marginal_threshold, c.direction)
        worse_than_pass = meas.value < c.pass_threshold if c.direction == "higher" else meas.value > c.pass_threshold
        row["verdict"] = v
        row["status"] = "breach" if v == criteria.FAIL else ("watch" if worse_than_pass else "ok")
        out.append(row)
    gate = dq["gates"].get("hours_with_data", {})
    out.append({
        "check": "data_arrived", "metric": "hours_with_data", "direction": "higher", "unit": "",
        "pass": None, "marginal": None, "value": gate.get("value"), "interval": None,
        "n": gate.get("denominator"), "verdict": None,
        "status": "breach" if gate.get("ok") is False else ("ok" if gate.get("ok") else "na"),
        "note": "no data in an hour that normally has traffic" if gate.get("ok") is False else "",
    })
    return out


def tiles(m: dict[str, Any], verdicts: list[dict[str, Any]]) -> Any:
    """The hour's headline tiles, coloured by the matching check's status."""
    from launchkit import charts

    by_metric = {v["metric"]: v for v in verdicts}

    def st(metric: str) -> tuple[str, str]:
        v = by_metric.get(metric)
        if not v or v["pass"] is None:
            return "na", ""
        op = "≥" if v["direction"] == "higher" else "≤"
        return v["status"], f"target {op} {charts.fmt(v['pass'], v['unit'])}"

    lat = m.get("latency_ms") or {}
    s_tool, t_tool = st("tool_call_success_rate")
    s_cost, t_cost = st("cost_per_session")
    s_err, t_err = st("turn_error_rate")
    s_p95, t_p95 = st("latency_p95_ms")
    samples = m.get("samples", {})
    items = [
        charts.Tile("active sessions", m.get("active_sessions"), "", "na", f"{charts.fmt(m.get('new_sessions'))} new"),
        charts.Tile("tool-call success", m.get("tool_call_success_rate"), "%", s_tool,
                    f"{t_tool}; {charts.fmt(samples.get('tool_calls'))} calls".strip("; ")),
        charts.Tile("cost per session", m.get("cost_per_session"), "$", s_cost, t_cost),
        charts.Tile("turn error rate", m.get("turn_error_rate"), "%", s_err,
                    f"{t_err}; {charts.fmt(samples.get('turns'))} turns".strip("; ")),
        charts.Tile("latency p95", lat.get("p95"), "ms", s_p95,
                    f"p50 {charts.fmt(lat.get('p50'), 'ms')} · p90 {charts.fmt(lat.get('p90'), 'ms')} · "
                    f"p99 {charts.fmt(lat.get('p99'), 'ms')}"),
    ]
    return charts.tiles(items)


# ---------------------------------------------------------------------------------------------
# the cron entry


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


def lock_path(config: Config) -> Path:
    wh = config.warehouse_path
    return wh.with_name(wh.name + ".hourly.lock")


def last_complete_hour(now: datetime | None = None) -> datetime:
    """Start of the last hour that has ended by the clock (UTC)."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)


def new_inbox_files(con: Any, inbox: Path) -> list[Path]:
    """Files in the inbox that no earlier load looked at since they last changed (sorted by name).

    The loads manifest records each file's path and time; a file unchanged since it was loaded
    (or since it failed) is not read again, so the cost of a run grows with new files, not with
    the inbox's history. A changed file is loaded again (the loader classifies its rows).
    """
    from launchkit import ingest, warehouse

    if not inbox.is_dir():
        return []
    suffixes = set(ingest.TABULAR_FORMATS) | {".json"}  # what the loader reads from a folder
    seen = {path: at for path, at in warehouse.run(con, "reports/loaded_paths").fetchall()}
    out = []
    for p in sorted(inbox.iterdir()):
        if not p.is_file() or p.name.startswith(".") or p.suffix.lower() not in suffixes:
            continue
        p = p.resolve()
        at = seen.get(str(p))
        if at is not None and p.stat().st_mtime <= at.timestamp():
            continue
        out.append(p)
    return out


def _fmt_line(hour: datetime, summary: dict[str, Any], loaded: int, rows: int, failed: list[str], html: Path,
              seconds: float) -> tuple[str, list[dict[str, Any]]]:
    from launchkit import charts

    m = summary.get("metrics", {})
    verdicts = summary.get("verdicts", [])
    breaches = [v for v in verdicts if v.get("status") == "breach"]
    state = "BREACH" if breaches else "OK"
    lat = (m.get("latency_ms") or {}).get("p95")
    bits = [
        f"{charts.fmt(m.get('active_sessions'))} sessions",
        f"tool success {charts.fmt(m.get('tool_call_success_rate'), '%')}",
        f"p95 {charts.fmt(lat, 'ms')}",
        f"errors {charts.fmt(m.get('turn_error_rate'), '%')}",
        f"{charts.fmt(m.get('cost_per_session'), '$')}/session",
    ]
    what = ", ".join(bits)
    if breaches:
        what += "; breached: " + ", ".join(
            f"{b['check']} {charts.fmt(b.get('value'), b.get('unit', ''))}" for b in breaches)
    files = f"loaded {loaded} new file{'s' if loaded != 1 else ''} ({rows} rows)"
    if failed:
        files += f", {len(failed)} FAILED"
    return (f"hourly {hour:%Y-%m-%dT%H:00Z} {state}: {what}; {files}; report {html} ({seconds:.1f}s)", breaches)


def run_hourly(config: Config, at: str | datetime | None = None, *, now: datetime | None = None,
               pdf: bool = False) -> HourlyRun:
    """Load the inbox's new files and render the hourly report; never raises for expected failures."""
    from filelock import FileLock, Timeout

    from launchkit import reports

    started = time.monotonic()
    wait = float(config.get("hourly.lock_timeout_s"))
    try:
        # The report's kernel starts first: it imports while this run waits for the lock and loads files.
        kernel = reports.start_kernel("hourly")
    except LaunchkitError as exc:
        return HourlyRun(EXIT_FAILED, f"hourly FAILED: {exc}", seconds=time.monotonic() - started)
    lock = FileLock(str(lock_path(config)), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        kernel.shutdown()
        return HourlyRun(EXIT_BUSY, f"hourly BUSY: another run holds {lock_path(config)} (waited {wait:g}s); "
                                    "nothing done, try again later")
    try:
        return _run_locked(config, at, now, pdf, started, kernel)
    except LaunchkitError as exc:
        return HourlyRun(EXIT_FAILED, f"hourly FAILED: {exc}", seconds=time.monotonic() - started)
    finally:
        kernel.shutdown()
        lock.release()


def _run_locked(config: Config, at: str | datetime | None, now: datetime | None, pdf: bool,
                started: float, kernel: Any) -> HourlyRun:
    from launchkit import ingest, reports, snapshot, warehouse

    hour = (reports.parse_at(at).replace(minute=0, second=0, microsecond=0) if at not in (None, "")
            else last_complete_hour(now))
    wait = float(config.get("hourly.lock_timeout_s"))
    try:
        con = warehouse.connect(config.warehouse_path, wait_s=wait)
        try:
            files = new_inbox_files(con, config.inbox_dir)
            results = ingest.ingest(con, files, config=config) if files else []
            failed = [r.summary() for r in results if not r.ok]
            loaded = sum(1 for r in results if r.ok and not r.skipped)
            rows = sum(r.loaded + r.updated for r in results)
            first_load = min((r.load_id for r in results if r.load_id is not None and r.ok), default=None)
            if first_load is not None and any(r.table == "turns" and (r.loaded or r.updated) for r in results):
                _reprice(con, config, first_load)
            snapshot.publish(con, config.warehouse_path)
        finally:
            con.close()
    except BaseException:
        kernel.shutdown()
        raise
    report = reports.run_report("hourly", config, at=hour, pdf=pdf, kernel=kernel)
    seconds = time.monotonic() - started
    line, breaches = _fmt_line(hour, report.summary, loaded, rows, failed, report.html, seconds)
    status = EXIT_FAILED if failed else (EXIT_BREACH if breaches else EXIT_OK)
    if failed:
        line += "\n" + "\n".join(failed)
    return HourlyRun(status, line, hour, loaded, rows, failed, breaches, report, seconds)


def _reprice(con: Any, config: Config, first_load_id: int) -> None:
    """Refresh model prices (launchkit.pricing) when the new turns bring a (model, day) without one.

    pricing.refresh rewrites every (model, day) price, so it runs only when needed: about once a
    day per model, not every hour.
    """
    try:
        from launchkit import pricing
    except ImportError:
        return
    from launchkit import warehouse

    missing = warehouse.run(con, "reports/unpriced_model_days", {"first_load_id": first_load_id}).fetchall()[0][0]
    if missing:
        pricing.refresh(con, config)
