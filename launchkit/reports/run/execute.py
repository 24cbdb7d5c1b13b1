"""Running a report: execute its notebook with papermill on a warm kernel, then publish its executed
notebook, offline HTML and JSON summary atomically, and update the index.

`run_report(kind, config)` executes notebooks/<kind>.ipynb (parameters as ISO strings checked against
the notebook's declared parameters, a per-cell timeout) and writes reports/<kind>/<stamp>.{ipynb,
html,json} (a temporary file in the same folder, then os.replace), then rebuilds reports/index.html.
docs/reports.md documents the JSON summary. Command side: papermill and nbconvert are imported here,
never in the notebook's kernel.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from launchkit import __version__
from launchkit.analytics.span import latest_day_with_data, latest_hour_with_data
from launchkit.config import Config
from launchkit.errors import NotebookFailed, ReportError
from launchkit.jsonclean import clean
from launchkit.progress import Progress, ProgressFn
from launchkit.reports.kinds import KINDS, SUMMARY_MIME, SUMMARY_SCHEMA, SUMMARY_TAG, ReportResult, stamp_for
from launchkit.reports.run.index import write_index
from launchkit.reports.run.kernel import Kernel, start_kernel
from launchkit.reports.run.paths import notebook_path
from launchkit.reports.run.render import plotly_asset, render_html, warm_exporter
from launchkit.store import atomic, leftovers, snapshot
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, floor_hour, iso, local_day

CELL_TIMEOUT_S = 300
RUNNING_SUFFIX = ".running.ipynb"  # the notebook papermill writes while it executes


def skip_slow_optional_imports() -> None:
    """Make this process skip `rfc3987_syntax`, which jsonschema (under nbformat) imports when it is
    installed and which compiles 39 grammars on import: about a second per `launchkit run`/`hourly`.

    It only adds jsonschema's 'iri' format checks, which notebook validation never uses. Called by
    the launchkit CLI's report commands (their own process), never on import of this module.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def declared_parameters(path: Path) -> dict[str, Any]:
    """The parameters a notebook's `parameters` cell declares, read once per version of the file (a run asks
    for the redact parameter and then checks the rest: papermill's inspection costs ~0.4 s each time)."""
    st = path.stat()
    return dict(_inspect(str(path), st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=16)
def _inspect(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    import papermill

    return dict(papermill.inspect_notebook(path))


def check_parameters(path: Path, params: Mapping[str, Any]) -> None:
    """Refuse parameters the notebook does not declare in its `parameters` cell."""
    declared = declared_parameters(path)
    if not declared:
        raise ReportError(f"{path.name} has no cell tagged 'parameters'")
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ReportError(
            f"{path.name} does not declare parameter(s) {', '.join(unknown)} (declares {', '.join(sorted(declared))})"
        )


def redact_parameter(path: Path, redact: bool) -> dict[str, Any]:
    """{"redact": redact} for a notebook that declares it. A notebook that does not shows no redactable
    text of its own (the library redacts by default), so it can run redacted but cannot be asked not to."""
    if "redact" in declared_parameters(path):
        return {"redact": bool(redact)}
    if not redact:
        raise ReportError(f"{path.name} does not declare the parameter redact, so it cannot run unredacted")
    return {}


def _config_json(config: Config) -> str:
    data = json.loads(json.dumps(config.data, default=str))
    data.pop("alerts", None)  # its URLs may hold tokens: never in a notebook's parameters (nor the kernel's business)
    data["warehouse"]["path"] = str(config.warehouse_path)
    data["reports"]["dir"] = str(config.reports_dir)
    data["hourly"]["inbox"] = str(config.inbox_dir)
    if config.checklist_path is not None:
        data["ga"]["checklist"] = str(config.checklist_path)
    if config.engine.tables:  # the lake's folders as absolute paths: the kernel runs in another folder
        data["engine"]["tables"] = {name: src.location for name, src in config.engine.tables.items()}
    return json.dumps(data, sort_keys=True)


def _execute(
    nb_path: Path, params: dict[str, Any], out_dir: Path, stamp: str, cell_timeout: float, kernel: Kernel
) -> Any:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    tmp = atomic.temp_beside(out_dir / stamp, suffix=RUNNING_SUFFIX)
    threading.Thread(target=warm_exporter, daemon=True).start()  # while the kernel computes
    try:
        nb = papermill.execute_notebook(
            str(nb_path),
            tmp,
            parameters=params,
            kernel_name="python3",
            language="python",
            # a bar per cell on a terminal; not from run_all's workers (their bars would interleave)
            progress_bar=sys.stderr.isatty() and threading.current_thread() is threading.main_thread(),
            log_output=False,
            request_save_on_cell_execute=False,
            cwd=str(nb_path.parent),
            execution_timeout=cell_timeout,
            start_timeout=120,
            km=kernel.km,
        )
    except PapermillExecutionError as exc:
        failed = out_dir / f"{stamp}.failed.ipynb"
        if tmp.stat().st_size:
            os.replace(tmp, failed)
        evalue = str(exc.evalue).splitlines()[0] if exc.evalue else ""
        raise NotebookFailed(
            nb_path.name, exc.exec_count, str(exc.ename), evalue, str(failed) if failed.exists() else None
        ) from None
    except Exception as exc:  # kernel died, timeout, ...
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReportError(f"{nb_path.name} could not be executed: {type(exc).__name__}: {msg}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return nb


def clean_leftovers(reports_dir: Path) -> list[Path]:
    """Remove what killed report runs left in the reports folder: notebooks being executed and files
    being written (tagged with a process that is gone; a run still going keeps its own)."""
    return leftovers.sweep(reports_dir, (f".*{RUNNING_SUFFIX}", *atomic.TEMP_PATTERNS), recursive=True)


def _extract_summary(nb: Any) -> dict[str, Any]:
    for cell in nb.cells:
        if SUMMARY_TAG in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if SUMMARY_MIME in data:
                    value = data[SUMMARY_MIME]
                    return json.loads(value) if isinstance(value, str) else dict(value)
    raise ReportError("the notebook did not display a summary (a cell tagged 'summary' calling reports.summary)")


def run_report(
    kind: str,
    config: Config,
    at: datetime | None = None,
    day: date | None = None,
    pdf: bool = False,
    *,
    now: datetime | None = None,
    cell_timeout: float = CELL_TIMEOUT_S,
    notebook: Path | None = None,
    update_index: bool = True,
    kernel: Kernel | None = None,
    redact: bool | None = None,
) -> ReportResult:
    """Execute one report notebook and publish its HTML, executed notebook and JSON summary.

    hourly takes `at` (the hour containing it; default: the latest complete hour with data); the
    daily reports take `day` (or the zone's date at `at`; default: the latest day with data). `kernel`:
    one started earlier with start_kernel(kind) (it is shut down here either way). `redact`: whether
    free text is redacted (None: the config's [reports] redact), passed as the notebook's parameter.
    """
    if kind not in KINDS:
        if kernel is not None:
            kernel.shutdown()
        raise ReportError(f"unknown report '{kind}' (one of {', '.join(KINDS)})")
    started = time.monotonic()
    clean_leftovers(config.reports_dir)
    nb_path = notebook or notebook_path(KINDS[kind].notebook)
    if not nb_path.is_file():
        if kernel is not None:
            kernel.shutdown()
        raise ReportError(f"no notebook {nb_path}")
    kernel = kernel or start_kernel(kind, nb_path.parent)
    try:
        return _run_report(
            kind, config, at, day, pdf, now, cell_timeout, nb_path, update_index, kernel, started, redact
        )
    finally:
        kernel.shutdown()


def _run_report(
    kind: str,
    config: Config,
    at: datetime | None,
    day: date | None,
    pdf: bool,
    now: datetime | None,
    cell_timeout: float,
    nb_path: Path,
    update_index: bool,
    kernel: Kernel,
    started: float,
    redact: bool | None = None,
) -> ReportResult:
    spec = KINDS[kind]
    refreshed = snapshot.refresh(config)
    notes = [refreshed.note] if refreshed.note else []
    params: dict[str, Any] = {"config_json": _config_json(config)}
    tz = config.report_zone  # the report's day and hour are the zone's; its period is in UTC instants
    if spec.grain == "hour":
        if at is not None:
            hour = floor_hour(at, tz)
        else:
            db = _reader(config)
            try:
                hour = latest_hour_with_data(db, now, tz)
            finally:
                db.close()
        window = Window.hour(hour, tz=tz)
        stamp = stamp_for(kind, at=hour, tz=tz)
        params["at"] = iso(hour)
        period = window.to_json()
    else:
        if day is None and at is not None:
            day = local_day(at, tz)
        elif day is None:
            db = _reader(config)
            try:
                day = latest_day_with_data(db, tz)
            finally:
                db.close()
        if spec.pilot_to_date:  # a day before the pilot's first: one line, not a notebook's traceback
            from launchkit.analytics import finance

            db = _reader(config)
            try:
                finance.pilot_to_date(db, config, day)
            finally:
                db.close()
        stamp = stamp_for(kind, day=day, tz=tz)
        params["date"] = day.isoformat()
        period = Window.day(day, tz=tz).to_json()
    params.update(redact_parameter(nb_path, config.redact if redact is None else redact))
    check_parameters(nb_path, params)
    out_dir = config.reports_dir / kind
    nb = _execute(nb_path, params, out_dir, stamp, cell_timeout, kernel)
    kernel.shutdown_soon()
    found = _extract_summary(nb)
    title = str(found.pop("title", spec.title))
    nb.metadata["title"] = title
    paths = {"html": out_dir / f"{stamp}.html", "ipynb": out_dir / f"{stamp}.ipynb", "json": out_dir / f"{stamp}.json"}
    pdf_path = out_dir / f"{stamp}.pdf" if pdf else None
    envelope: dict[str, Any] = {
        "schema": SUMMARY_SCHEMA,
        "kind": kind,
        "title": title,
        "stamp": stamp,
        "period": period,
        "parameters": {k: v for k, v in params.items() if k != "config_json"},
        "generated_at": iso(datetime.now(UTC).replace(microsecond=0)),
        "launchkit_version": __version__,
        "config_digest": config.digest(),
        "notebook": f"notebooks/{nb_path.name}",
        "files": {k: p.name for k, p in paths.items()} | ({"pdf": pdf_path.name} if pdf_path else {}),
        "snapshot": {"current": refreshed.current, "note": refreshed.note},
    }
    envelope.update(clean(found))  # strict JSON, floats to 12 digits: identical when re-run
    envelope.setdefault("verdicts", [])
    envelope.setdefault("recommendation", None)
    shared = None
    if config.share_plotly(kind):  # one plotly.js for the folder's reports ([reports] share_plotly)
        shared = os.path.relpath(plotly_asset(config.reports_dir), out_dir).replace(os.sep, "/")
    body = render_html(nb, plotly_src=shared)
    import nbformat

    atomic.write_text(paths["ipynb"], nbformat.writes(nb))
    atomic.write_text(paths["html"], body)
    if pdf_path is not None:
        from launchkit.reports.run import browser

        browser.print_pdf(paths["html"], pdf_path)
    else:
        (out_dir / f"{stamp}.pdf").unlink(missing_ok=True)  # a PDF of an earlier run would not match
    atomic.write_text(paths["json"], json.dumps(envelope, indent=2, allow_nan=False, default=str) + "\n")
    failed = out_dir / f"{stamp}.failed.ipynb"
    failed.unlink(missing_ok=True)
    if update_index:
        write_index(config.reports_dir, envelope)
    return ReportResult(
        kind=kind,
        stamp=stamp,
        html=paths["html"],
        ipynb=paths["ipynb"],
        json=paths["json"],
        summary=envelope,
        pdf=pdf_path,
        seconds=time.monotonic() - started,
        notes=notes,
    )


def _reader(config: Config) -> Any:
    """The data as the configured engine reads it ([engine]: the snapshot, the lake in place, or Spark):
    a report's default day and hour come from where its notebook will read."""
    from launchkit.store.engines import runner_on

    return runner_on(snapshot.connect(config, refresh_first=False), config.engine)


HOUR_CHOICES = ("latest", "busiest")


def busiest_hour(db: QueryRunner, first: date, last: date, now: datetime | None, tz: tzinfo) -> datetime | None:
    """The complete clock hour (ended by `now`) of days first..last (of the zone `tz`) with the most
    active sessions; the latest of equals. None when no hour of those days has a session."""
    import pandas as pd

    from launchkit.analytics import metrics

    ts = metrics.timeseries(db, first, last, grain="hour", tz=tz)
    cutoff = floor_hour((now or datetime.now(UTC)).astimezone(UTC), tz)
    bucket = pd.to_datetime(ts["bucket"], utc=True)
    sessions = pd.to_numeric(ts["active_sessions"], errors="coerce").fillna(0)
    ok = (sessions > 0) & (bucket + pd.Timedelta(hours=1) <= cutoff)
    if not ok.any():
        return None
    ranked = pd.DataFrame({"sessions": sessions[ok], "bucket": bucket[ok]}).sort_values(["sessions", "bucket"])
    return ranked["bucket"].iloc[-1].to_pydatetime()


def plan(
    db: QueryRunner, *, days: int = 1, hour: str = "latest", now: datetime | None = None, tz: tzinfo
) -> list[tuple[str, dict[str, Any]]]:
    """The reports `run_all` renders, as (kind, {"at": hour} or {"day": day}): the hourly report
    first, then the daily reports of each day (calendar days of the zone `tz`), oldest day first.
    See run_all."""
    if days < 1:
        raise ReportError(f"days must be at least 1, got {days}")
    if hour not in HOUR_CHOICES:
        raise ReportError(f"hour must be one of {', '.join(HOUR_CHOICES)}, got {hour!r}")
    last = latest_day_with_data(db, tz)
    report_days = [last - timedelta(days=i) for i in range(days - 1, -1, -1)]
    at = busiest_hour(db, report_days[0], last, now, tz) if hour == "busiest" else None
    jobs: list[tuple[str, dict[str, Any]]] = [
        (kind, {"at": at or latest_hour_with_data(db, now, tz)}) for kind, spec in KINDS.items() if spec.grain == "hour"
    ]
    for d in report_days:
        jobs.extend((kind, {"day": d}) for kind, spec in KINDS.items() if spec.grain != "hour")
    return jobs


def run_all(
    config: Config,
    *,
    pdf: bool = False,
    now: datetime | None = None,
    days: int = 1,
    hour: str = "latest",
    workers: int | None = None,
    redact: bool | None = None,
    progress: ProgressFn | None = None,
) -> list[Path]:
    """Every report for the latest data; then the index. Returns the HTML files written, the index last.

    The daily reports cover the last `days` days with data, oldest first (days=3: the latest day and
    the two before it). The hourly report covers the latest complete hour with data (hour="latest"),
    or the busiest complete hour of those days by active sessions (hour="busiest": what `launchkit
    demo` shows). Reports run `workers` at a time (default_workers()). `redact`: see run_report.
    `progress` (launchkit.progress) is told before the first report and as each one is written (its
    `current`: "<kind> <stamp>").
    """
    snapshot.refresh(config)
    db = _reader(config)
    try:
        jobs = plan(db, days=days, hour=hour, now=now, tz=config.report_zone)
    finally:
        db.close()
    out = _run_jobs(config, jobs, pdf=pdf, workers=workers, redact=redact, progress=progress)
    out.append(write_index(config.reports_dir))
    return out


# Kinds started before the others: the GA report takes two to three times as long as any other (it
# judges every criterion on each day back to find how long it has held); started last, it would run
# alone at the end while the other worker idles.
RUN_FIRST = ("ga",)


def default_workers() -> int:
    """Reports run side by side, one per CPU core, at most two (each one is a kernel process)."""
    return max(1, min(2, os.cpu_count() or 1))


def _run_jobs(
    config: Config,
    jobs: list[tuple[str, dict[str, Any]]],
    *,
    pdf: bool,
    workers: int | None,
    redact: bool | None = None,
    progress: ProgressFn | None = None,
) -> list[Path]:
    """Run the reports `jobs` lists with `workers` side by side (the RUN_FIRST kinds first), each
    worker starting its next report's kernel while the current one runs; the HTML files in the
    order of `jobs`.

    The first failure stops the workers from taking further reports and is raised once every
    worker has finished its current one.
    """
    import queue

    n = max(1, min(workers or default_workers(), len(jobs)))
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in sorted(range(len(jobs)), key=lambda i: (jobs[i][0] not in RUN_FIRST, i)):
        todo.put(i)
    done: dict[int, Path] = {}
    errors: list[BaseException] = []
    told, finished = threading.Lock(), [0]
    if progress is not None:
        progress(Progress(len(jobs), 0, "report"))

    def take() -> tuple[int, Kernel] | None:
        if errors:
            return None
        try:
            i = todo.get_nowait()
        except queue.Empty:
            return None
        return i, start_kernel(jobs[i][0])

    def worker() -> None:
        try:
            current = take()
            while current is not None:
                i, kernel = current
                ahead = None
                try:
                    ahead = take()  # the next report's kernel starts while this one runs
                    kind, when = jobs[i]
                    done[i] = run_report(
                        kind, config, pdf=pdf, update_index=False, kernel=kernel, redact=redact, **when
                    ).html
                    if progress is not None:
                        with told:
                            finished[0] += 1
                            progress(Progress(len(jobs), finished[0], "report", current=f"{kind} {done[i].stem}"))
                except BaseException:
                    if ahead is not None:
                        ahead[1].shutdown()
                    raise
                current = ahead
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, name=f"launchkit-report-{k}", daemon=True) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return [done[i] for i in range(len(jobs))]
