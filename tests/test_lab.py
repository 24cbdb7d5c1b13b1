"""The debrief in a live JupyterLab server: a real `jupyter server` on 127.0.0.1 (random port, a token, a temporary
folder), the debrief opened through the server's contents API, run in a kernel the server manages (REST
session, then the kernel's websocket channels, as JupyterLab does), the day picked in the drill-down's date
widget by a frontend message, and the headline read back and compared with `launchkit metrics --date D --json`.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _report_fixtures import LAST_DAY, ROOT, clean_env, run_cli

pytestmark = pytest.mark.slow

PICKED = date(2026, 3, 3)  # not the default day (the latest, LAST_DAY): the widget must change it
START_TIMEOUT_S = 90.0
CELL_TIMEOUT_S = 240.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A `jupyter server` subprocess and the few REST calls the test needs (token in the header)."""

    def __init__(self, root: Path, work: Path, env: dict[str, str]) -> None:
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.log = work / "server.log"
        cmd = [
            sys.executable,
            "-m",
            "jupyter_server",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
        ]
        if os.getuid() == 0:
            cmd.append("--allow-root")
        self.proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def wait_ready(self) -> str | None:
        """None when the API answers; else why it did not."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return f"jupyter server exited with status {self.proc.returncode}: {self.tail()}"
            try:
                self.call("GET", "/api/status")
                return None
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)
        return f"jupyter server did not answer within {START_TIMEOUT_S:.0f} s: {self.tail()}"

    def tail(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return " | ".join(text.strip().splitlines()[-5:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


class Kernel:
    """The kernel's channels over the server's websocket (the JSON protocol JupyterLab speaks)."""

    def __init__(self, server: Server, kernel_id: str) -> None:
        import websocket  # websocket-client: a dependency of jupyter_server

        self.session = uuid.uuid4().hex
        self.ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={self.session}",
            header=[f"Authorization: token {server.token}"],
            timeout=CELL_TIMEOUT_S,
        )

    def send(self, channel: str, msg_type: str, content: dict[str, Any]) -> str:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "session": self.session,
            "username": "test",
            "version": "5.3",
            "date": "",
        }
        self.ws.send(
            json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": channel})
        )
        return msg_id

    def wait(self, msg_id: str) -> list[dict[str, Any]]:
        """Every iopub message the request caused, until the kernel is idle again."""
        got: list[dict[str, Any]] = []
        deadline = time.monotonic() + CELL_TIMEOUT_S
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id or msg.get("channel") != "iopub":
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return got
            got.append(msg)
        raise AssertionError(f"kernel still busy after {CELL_TIMEOUT_S} s")

    def run(self, code: str) -> list[dict[str, Any]]:
        out = self.wait(self.send("shell", "execute_request", {"code": code, "silent": False, "store_history": True}))
        errors = [m["content"] for m in out if m["msg_type"] == "error"]
        assert not errors, f"{errors[0]['ename']}: {errors[0]['evalue']}\n{code[:200]}"
        return out

    def stdout(self, code: str) -> str:
        return "".join(
            m["content"]["text"]
            for m in self.run(code)
            if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"
        )

    def close(self) -> None:
        self.ws.close()


def _metrics_json(warehouse: Path, day: date, cwd: Path) -> dict[str, Any]:
    proc = run_cli("metrics", "--date", day.isoformat(), "--json", "--warehouse", str(warehouse), cwd=cwd)
    return json.loads(proc.stdout)["metrics"]


def test_the_day_widget_drives_the_debrief_in_a_live_jupyter_server(demo_run, tmp_path):
    pytest.importorskip("websocket", reason="websocket-client (a jupyter_server dependency) is not installed")
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / "debrief.ipynb", root / "debrief.ipynb")
    env = clean_env(
        LAUNCHKIT_WAREHOUSE=str(demo_run.warehouse),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        PYTHONWARNINGS="ignore",
    )
    server = Server(root, tmp_path, env)
    try:
        why = server.wait_ready()
        if why:
            pytest.skip(f"cannot start a Jupyter server on 127.0.0.1: {why}")
        # open the debrief through the server, and start its kernel as JupyterLab does
        nb = server.call("GET", "/api/contents/debrief.ipynb?content=1&type=notebook")
        cells = [c["source"] for c in nb["content"]["cells"] if c["cell_type"] == "code"]
        assert any("drilldown.panel" in c for c in cells) and any("sessions.browser" in c for c in cells)
        sess = server.call(
            "POST",
            "/api/sessions",
            {"path": "debrief.ipynb", "name": "debrief.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
        )
        kernel = Kernel(server, sess["kernel"]["id"])
        try:
            shown = []
            for code in cells:  # the whole notebook, defaults untouched (the latest day)
                shown += [m for m in kernel.run(code) if m["msg_type"] in ("display_data", "execute_result")]
            views = [m for m in shown if "application/vnd.jupyter.widget-view+json" in m["content"]["data"]]
            # the drill-down and the session browser (a comment or failed call opens its session), once each
            assert len(views) == 2, "the drill-down and the session browser are displayed once each, as widgets"
            before = json.loads(kernel.stdout("import json; print(json.dumps(drill.headline()))"))
            assert kernel.stdout("print(drill.day.value)").strip() == LAST_DAY

            # pick the day as the frontend does: a comm message updating the date widget's state
            comm_id = kernel.stdout("print(drill.day.model_id)").strip()
            state = {"value": {"year": PICKED.year, "month": PICKED.month - 1, "date": PICKED.day}}
            kernel.wait(
                kernel.send("shell", "comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state}})
            )

            assert kernel.stdout("print(drill.day.value, drill.result.day)").split() == [PICKED.isoformat()] * 2
            after = json.loads(kernel.stdout("print(json.dumps(drill.headline()))"))
            drawn = kernel.stdout("print(''.join(o['data'].get('text/plain', '') for o in drill.output.outputs))")
        finally:
            kernel.close()
            server.call("DELETE", f"/api/sessions/{sess['id']}")
    finally:
        server.stop()

    cli = _metrics_json(demo_run.warehouse, PICKED, tmp_path)
    want = {k: v for k, v in cli.items() if k not in ("incidents", "untrusted")}
    assert after == want  # every headline number, samples and coverage included
    assert after["active_sessions"] != before["active_sessions"]  # the picked day was drawn, not the default
    assert f"{PICKED:%A %Y-%m-%d}" in drawn and f"{after['active_sessions']:,}" in drawn
