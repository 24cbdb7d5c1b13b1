"""What alerting adds to an hourly run: `after_run` (record the run, decide, store, deliver) against
real HTTP servers on 127.0.0.1, and what a dead or hanging target costs.

Three targets, each a stdlib HTTP server started here (or a closed port): one that answers 200, one
that answers 500 every time, one that never answers (its read times out). For each, an hour that
opens a breach is run through launchkit.jobs.alerts.notify.after_run on a fresh warehouse, with the
[alerts] settings below (real sleeps, real timeouts). Printed: the seconds of the whole after_run,
the delivery's own seconds and attempts, and the same for a run that owes nothing new. A failing
target costs about (1 + retries) attempts plus the back-off (0.5, 1, 2 s ...), a hanging one
(1 + retries) timeouts more; neither changes the run's exit status.

    python benchmarks/alerts.py [--timeout 1] [--retries 2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from launchkit import exits
from launchkit.config import load_config
from launchkit.jobs.alerts import decide, notify

T0 = datetime(2026, 3, 5, 10, tzinfo=UTC)


class _Receiver:
    """A local endpoint answering every POST with `status`, or never (`hang`)."""

    def __init__(self, status: int | None) -> None:
        release = self.release = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if status is None:
                    release.wait(60)
                    return
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.daemon_threads = True
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.block_on_close = False
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/hook"  # nothing listens once closed


def _run(n: int, status: str) -> notify.RunInfo:
    hour = T0 + timedelta(hours=n)
    check = {"check": "tool_success", "status": status, "value": 0.9, "unit": "%", "pass": 0.97, "marginal": 0.95}
    return notify.RunInfo(
        f"run-{n}",
        hour + timedelta(hours=1, minutes=5),
        hour,
        exits.BREACH if status == "breach" else exits.OK,
        f"hourly {hour:%Y-%m-%dT%H:00Z} ...",
        (decide.HourChecks(hour, (check,)),),
        succeeded=True,
    )


def _measure(url: str, timeout: float, retries: int) -> tuple[float, float, int, bool, float]:
    """(after_run s, delivery s, attempts, delivered, after_run s of the next hour owing nothing new to a live target)."""
    with tempfile.TemporaryDirectory(prefix="lk-alerts-") as tmp:
        toml = Path(tmp) / "launchkit.toml"
        toml.write_text(
            f'[warehouse]\npath = "lk.duckdb"\n[alerts]\nwebhooks = ["{url}"]\ntimeout_s = {timeout}\nretries = {retries}\n'
        )
        cfg = load_config(toml, env={})
        t0 = time.perf_counter()
        done = notify.after_run(cfg, _run(0, "breach"))
        whole = time.perf_counter() - t0
        [(_, r)] = done.deliveries
        quiet = float("nan")
        if r.ok:  # the next hour, still breached: recorded, nothing new to send
            t0 = time.perf_counter()
            notify.after_run(cfg, _run(1, "breach"))
            quiet = time.perf_counter() - t0
    return whole, r.seconds, r.attempts, r.ok, quiet


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=float, default=1.0, help="[alerts] timeout_s (default 1)")
    ap.add_argument("--retries", type=int, default=2, help="[alerts] retries (default 2)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per target; medians printed (default 5)")
    a = ap.parse_args()
    ok, failing, hanging = _Receiver(200), _Receiver(500), _Receiver(None)
    targets = [("answers 200", ok.url), ("answers 500", failing.url), ("hangs", hanging.url)]
    targets.append(("closed port", _closed_port()))
    print(f"[alerts] timeout_s = {a.timeout:g}, retries = {a.retries}; medians of {a.repeat} runs")
    print(f"{'target':<13}{'delivered':>10}{'attempts':>10}{'delivery s':>12}{'after_run s':>13}{'next hour s':>13}")
    try:
        for name, url in targets:
            runs = [_measure(url, a.timeout, a.retries) for _ in range(a.repeat)]
            whole, seconds, attempts, _, quiet = (statistics.median(x) for x in zip(*runs))
            delivered = all(run[3] for run in runs)
            nxt = f"{quiet:>13.3f}" if delivered else f"{'(owed)':>13}"
            print(f"{name:<13}{'yes' if delivered else 'no':>10}{attempts:>10.0f}{seconds:>12.3f}{whole:>13.3f}{nxt}")
    finally:
        for r in (ok, failing, hanging):
            r.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
