"""Headless Chromium for the reports: check that a report renders offline, and print it to PDF.

Uses the system's Chromium (Debian's `chromium`; `make browser` installs it), never a downloaded
browser. Pages are opened from file:// with networking disabled (every host name resolves to
nothing and any proxy connection goes nowhere), so a report that needs the network shows it.

`check_render` loads a report, lets its scripts run, dumps the DOM and checks that every plotly
chart drew its SVG and that no script error occurred (the report's head installs a
window.onerror hook that counts errors in an attribute of <html>).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from launchkit.errors import BrowserError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


def find_chromium() -> str | None:
    """Path of a Chromium binary: $LAUNCHKIT_CHROMIUM, else the first of chromium, chromium-browser..."""
    env = os.environ.get("LAUNCHKIT_CHROMIUM")
    if env:
        return env if Path(env).exists() else shutil.which(env)
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _flags(user_data_dir: str) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        "--hide-scrollbars",
        # offline: no name resolves and any proxied connection fails
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        f"--user-data-dir={user_data_dir}",
    ]


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    exe = find_chromium()
    if exe is None:
        raise BrowserError(
            "Chromium not found: install it (make browser, or apt-get install chromium) or set LAUNCHKIT_CHROMIUM"
        )
    with tempfile.TemporaryDirectory(prefix="launchkit-chromium-") as profile:
        cmd = [exe, *_flags(profile), *args]
        try:
            return subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            raise BrowserError(f"Chromium did not finish within {timeout:g}s") from None


def dump_dom(page: str | Path, *, budget_ms: int = 15000, timeout: float = 120) -> str:
    """The page's DOM after load and `budget_ms` of (virtual) time for its scripts."""
    url = Path(page).resolve().as_uri()
    proc = _run(
        ["--run-all-compositor-stages-before-draw", f"--virtual-time-budget={budget_ms}", "--dump-dom", url], timeout
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise BrowserError(f"Chromium could not load {page}: exit {proc.returncode}: {tail[0]}")
    return proc.stdout


@dataclass
class Chart:
    div_id: str
    svg: int = 0  # main-svg elements in the div
    marks: int = 0  # drawn elements (paths, texts, rects) inside them


@dataclass
class RenderCheck:
    """What the browser saw: charts and whether each drew, and script errors."""

    charts: list[Chart] = field(default_factory=list)
    script_errors: int | None = None
    error_messages: str = ""

    @property
    def drawn(self) -> int:
        return sum(1 for c in self.charts if c.svg > 0 and c.marks > 0)

    @property
    def ok(self) -> bool:
        return self.script_errors == 0 and self.drawn == len(self.charts)

    def describe(self) -> str:
        return (
            f"{self.drawn}/{len(self.charts)} charts drawn, script errors: "
            f"{self.script_errors if self.script_errors is not None else 'unknown (no error hook)'}"
            + (f" {self.error_messages}" if self.error_messages else "")
        )


class _DomScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, Chart | None, bool]] = []  # tag, chart it belongs to, inside main-svg
        self.result = RenderCheck()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "html":
            if "data-script-errors" in a:
                try:
                    self.result.script_errors = int(a["data-script-errors"])
                except ValueError:
                    self.result.script_errors = -1
            self.result.error_messages = a.get("data-script-error-messages", "")
        chart = self.stack[-1][1] if self.stack else None
        in_svg = self.stack[-1][2] if self.stack else False
        classes = a.get("class", "").split()
        if tag == "div" and "plotly-graph-div" in classes:
            chart = Chart(div_id=a.get("id", ""))
            self.result.charts.append(chart)
            in_svg = False
        if chart is not None and "main-svg" in classes:
            chart.svg += 1
            in_svg = True
        elif chart is not None and in_svg and tag in ("path", "text", "rect"):
            chart.marks += 1
        if tag not in _VOID:
            self.stack.append((tag, chart, in_svg))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return


def scan_dom(dom: str) -> RenderCheck:
    """Charts and script errors found in a dumped DOM."""
    p = _DomScan()
    p.feed(dom)
    p.close()
    return p.result


def check_render(page: str | Path, *, budget_ms: int = 15000, timeout: float = 120) -> RenderCheck:
    """Open a report offline in headless Chromium and report what rendered."""
    return scan_dom(dump_dom(page, budget_ms=budget_ms, timeout=timeout))


def print_pdf(page: str | Path, pdf_path: str | Path, *, budget_ms: int = 15000, timeout: float = 180) -> Path:
    """Print a report to PDF through the same headless Chromium (written atomically)."""
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{pdf_path.name}.", suffix=".tmp.pdf", dir=pdf_path.parent)
    os.close(fd)
    try:
        proc = _run(
            [
                "--run-all-compositor-stages-before-draw",
                f"--virtual-time-budget={budget_ms}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={tmp}",
                Path(page).resolve().as_uri(),
            ],
            timeout,
        )
        if proc.returncode != 0 or Path(tmp).stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise BrowserError(f"Chromium could not print {page} to PDF: exit {proc.returncode}: {tail[0]}")
        with open(tmp, "rb") as f:
            if f.read(5) != b"%PDF-":
                raise BrowserError(f"Chromium wrote something that is not a PDF for {page}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, pdf_path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return pdf_path
