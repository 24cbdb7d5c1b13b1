"""Progress on long work: the library calls back (files, bytes, rows; reports done), the CLI draws a bar
on a terminal and adds nothing in a log (cron). Terminals are faked (a stream that says it is one, or
launchkit.cli.progress.is_terminal patched); nothing here depends on time.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from _tables import TURN_COLS
from click.testing import CliRunner

from launchkit.cli import cli
from launchkit.cli import progress as cli_progress
from launchkit.config import Config
from launchkit.ingest import ingest
from launchkit.progress import Count, Progress
from launchkit.store.warehouse import Warehouse


def _turns(path: Path, first: int, n: int) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(TURN_COLS)
        for i in range(first, first + n):
            w.writerow([f"t{i}", "s1", "2026-03-02T10:00:00Z", "gpt-4o", "ok", 1000, 200, 100, 50, 0.001])
    return path


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    _turns(data / "turns_a.csv", 0, 3)
    _turns(data / "turns_b.csv", 3, 7)
    (data / "README.json").write_text('{"what": "not a launchkit file"}')  # passed over, still counted
    _turns(data / "turns_c.csv", 10, 1)
    return data


def test_ingest_tells_a_callback_files_bytes_and_rows(con: Warehouse, config: Config, folder: Path) -> None:
    seen: list[Progress] = []
    results = ingest(con, [folder], config=config, progress=seen.append)
    files = sorted(p for p in folder.iterdir())  # the order a folder loads in
    sizes = [p.stat().st_size for p in files]
    rows = [len(pd.read_csv(p)) if p.suffix == ".csv" else 0 for p in files]
    assert len(results) == 4 and sum(r.rows_read for r in results) == 11
    # one before the first file, then one as each file starts and one as it ends
    assert len(seen) == 1 + 2 * len(files)
    assert seen[0] == Progress(sum(sizes), 0, "B", (Count("files", 0, 4), Count("rows", 0)))
    for k, path in enumerate(files):
        start, end = seen[1 + 2 * k], seen[2 + 2 * k]
        assert start.current == str(path) and start.count("files").done == k
        assert (end.count("files").done, end.done, end.count("rows").done) == (
            k + 1,
            sum(sizes[: k + 1]),
            sum(rows[: k + 1]),
        )
    assert seen[-1].done == seen[-1].total


def test_the_ingest_bar_on_a_terminal() -> None:
    out = io.StringIO()
    polled = [-1.0]
    counts = (Count("files", 0, 2), Count("rows", 0))
    with cli_progress.Bar("ingest", stream=out, poll=lambda: polled[0], enabled=True) as bar:
        bar(Progress(2048, 0, "B", counts))
        bar(Progress(2048, 0, "B", counts, current="/data/turns_big.csv"))
        bar.tick()  # DuckDB has no estimate yet
        assert bar.postfix() == "0/2 files, 0 rows, turns_big.csv"
        polled[0] = 46.4
        bar.tick()
        assert bar.postfix() == "0/2 files, 0 rows, turns_big.csv 46 %"
        bar(Progress(2048, 1024, "B", (Count("files", 1, 2), Count("rows", 1_234_567))))
        assert bar.postfix() == "1/2 files, 1,234,567 rows"
        assert bar.bar.n == 1024
    drawn = out.getvalue()
    assert "\r" in drawn and "ingest" in drawn and "turns_big.csv 46 %" in drawn and "1,234,567 rows" in drawn


def test_no_bar_where_the_output_is_not_a_terminal() -> None:
    class Pipe(io.StringIO):
        def isatty(self) -> bool:
            return False

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert cli_progress.is_terminal(Tty()) and not cli_progress.is_terminal(Pipe())
    out = Pipe()
    with cli_progress.Bar("ingest", stream=out, poll=lambda: 50.0) as bar:
        bar(Progress(10, 0, "B", current="x.csv"))
        bar.tick()
        assert bar.bar is None
    with cli_progress.Bar("reports", stream=out) as reports:
        reports(Progress(2, 1, "report", current="cost 2026-03-04"))
    assert out.getvalue() == ""


def test_the_reports_bar_counts_reports() -> None:
    out = io.StringIO()
    with cli_progress.Bar("reports", stream=out, enabled=True) as bar:
        bar(Progress(4, 0, "report"))
        bar(Progress(4, 1, "report", current="ga 2026-03-04"))
        bar(Progress(4, 3, "report", current="cost 2026-03-04"))
        assert bar.bar.n == 3
    assert "3/4" in out.getvalue() and "cost 2026-03-04" in out.getvalue()


def _ingest_cli(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    for key in ("LAUNCHKIT_CONFIG", "LAUNCHKIT_WAREHOUSE", "LAUNCHKIT_REPORTS_DIR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(
        cli, ["ingest", str(folder), "--warehouse", str(tmp_path / f"{len(list(tmp_path.glob('*.duckdb')))}.duckdb")]
    )


def test_ingest_in_a_log_prints_its_lines_only(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = _ingest_cli(folder, tmp_path, monkeypatch)
    assert r.exit_code == 0, r.output
    assert "\r" not in r.output and "\x1b" not in r.output and r.stderr == ""
    assert [line.split(" -> ")[0].rsplit("/", 1)[-1] for line in r.stdout.splitlines() if " -> " in line] == [
        "turns_a.csv",
        "turns_b.csv",
        "turns_c.csv",
    ]


def test_ingest_on_a_terminal_draws_a_bar_on_stderr(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet = _ingest_cli(folder, tmp_path, monkeypatch)
    monkeypatch.setattr(cli_progress, "is_terminal", lambda stream: True)
    shown = _ingest_cli(folder, tmp_path, monkeypatch)
    assert shown.exit_code == 0, shown.output
    assert "ingest" in shown.stderr and "4/4 files, 11 rows" in shown.stderr and "\r" in shown.stderr
    assert shown.stdout.replace("1.duckdb", "0.duckdb") == quiet.stdout  # the lines are the same


def test_duckdb_tracks_progress_without_drawing_its_own_bar(tmp_path: Path) -> None:
    """DuckDB's Python client draws a bar on stdout for a query over 2 s (into a cron log or a report's
    output); launchkit's connections keep the estimate (for the CLI's bar) and draw nothing."""
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        got = wh.execute(
            "SELECT current_setting('enable_progress_bar'), current_setting('enable_progress_bar_print')"
        ).fetchall()
    assert got == [(True, False)]


def test_run_all_tells_its_progress(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """run_all's workers report each report as it is written (kernels and notebooks faked)."""
    from launchkit.reports.run import execute

    class FakeKernel:
        def shutdown(self) -> None:
            pass

    def fake_report(kind: str, config: Any, **kw: Any) -> Any:
        class R:
            html = tmp_path / kind / "x.html"

        return R()

    monkeypatch.setattr(execute, "start_kernel", lambda kind: FakeKernel())
    monkeypatch.setattr(execute, "run_report", fake_report)
    calls: list[Progress] = []
    jobs: list[tuple[str, dict[str, Any]]] = [("hourly", {}), ("cost", {}), ("debrief", {}), ("ga", {})]
    out = execute._run_jobs(None, jobs, pdf=False, workers=2, progress=calls.append)  # type: ignore[arg-type]
    assert out == [tmp_path / k / "x.html" for k, _ in jobs]
    assert calls[0] == Progress(4, 0, "report") and [c.done for c in calls[1:]] == [1, 2, 3, 4]
    assert sorted(str(c.current) for c in calls[1:]) == ["cost x", "debrief x", "ga x", "hourly x"]


def _ingest_process(folder: Path, tmp_path: Path, name: str, *, tty: bool, sized: bool = True) -> tuple[int, str, str]:
    """`launchkit ingest` as a real process, its stderr a pseudo-terminal or a pipe; (status, stdout, stderr)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios

    from _report_fixtures import clean_env, launchkit_cmd

    cmd = launchkit_cmd("ingest", str(folder), "--warehouse", str(tmp_path / f"{name}.duckdb"))
    env = clean_env(tmp_path, COLUMNS="120", TERM="xterm")
    if not sized:
        del env["COLUMNS"]
    if not tty:
        p = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr
    main, side = pty.openpty()
    if sized:  # a window, as a terminal has; unsized, a pseudo-terminal reports 0 x 0
        fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=side, text=True)
    os.close(side)
    drawn = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the process closed its end (EIO on Linux)
            break
        if not chunk:
            break
        drawn += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(main)
    return proc.returncode, out, drawn.decode("utf-8", "replace")


@pytest.mark.slow
def test_a_real_terminal_gets_the_bar_and_a_pipe_gets_none(folder: Path, tmp_path: Path) -> None:
    """The CLI's own check of its stderr (no patching): a pseudo-terminal is drawn on, a pipe (cron) is not."""
    code, logged_out, logged_err = _ingest_process(folder, tmp_path, "log", tty=False)
    assert code == 0, logged_out + logged_err
    assert logged_err == "" and "\r" not in logged_out and "\x1b" not in logged_out
    code, out, drawn = _ingest_process(folder, tmp_path, "tty", tty=True)
    assert code == 0, out + drawn
    assert "ingest" in drawn and "4/4 files, 11 rows" in drawn and "\r" in drawn
    assert out.replace("tty.duckdb", "log.duckdb") == logged_out  # the lines themselves are the same


@pytest.mark.slow
def test_a_terminal_that_reports_no_width_still_gets_a_bar(folder: Path, tmp_path: Path) -> None:
    """An unsized pseudo-terminal (0 columns, no COLUMNS) gets an 80-column bar, not an empty one."""
    code, out, drawn = _ingest_process(folder, tmp_path, "unsized", tty=True, sized=False)
    assert code == 0, out + drawn
    assert "4/4 files, 11 rows" in drawn and "\r" in drawn
