"""A python3 kernel for a report, started ahead of its notebook and stopped when the report is done.

The kernel imports the notebook's modules while the command loads files and publishes the snapshot,
so the notebook then runs on a warm kernel. It talks over IPC sockets in a private runtime folder
(no TCP port another user could reach), which is removed when the kernel stops; the folder of a
kernel whose launchkit process was killed is removed when the next kernel starts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from launchkit.errors import ReportError
from launchkit.reports.kinds import COMMON_PRELOAD, KINDS
from launchkit.reports.run.paths import notebooks_dir
from launchkit.store import leftovers

RUNTIME_PREFIX = "lk-kernel-"  # + the owner's tag: a private runtime folder per kernel, in the temp dir


class Kernel:
    """A python3 kernel started ahead of its notebook (see start_kernel); shut it down when done."""

    def __init__(self, km: Any, runtime_dir: str) -> None:
        self.km = km
        self.runtime_dir = runtime_dir
        self._stopping: threading.Thread | None = None

    def shutdown_soon(self) -> None:
        """Stop the kernel in the background (its notebook has run) while the report is rendered."""
        if self._stopping is None:
            self._stopping = threading.Thread(target=self._stop, daemon=True)
            self._stopping.start()

    def shutdown(self) -> None:
        """Stop the kernel and wait until it is gone."""
        if self._stopping is not None:
            self._stopping.join(timeout=30)
            return
        self._stop()

    def _stop(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:
            pass
        shutil.rmtree(self.runtime_dir, ignore_errors=True)


def clean_leftovers() -> list[Path]:
    """Remove the runtime folders of kernels whose launchkit process was killed (a live run keeps its own)."""
    return leftovers.sweep(Path(tempfile.gettempdir()), (f"{RUNTIME_PREFIX}*",))


def start_kernel(kind: str, cwd: Path | None = None) -> Kernel:
    """Start the `python3` kernel for a report now, importing the notebook's modules as it starts.

    The kernel starts in the background (a separate process), so the caller can load files,
    publish the snapshot and import papermill meanwhile; the notebook then runs on a warm kernel.
    It talks over IPC sockets in the user's private runtime folder: no TCP port on the machine for
    another user to reach (and no warning about one in cron mail).
    """
    from jupyter_core.utils import run_sync

    modules = KINDS[kind].preload if kind in KINDS else COMMON_PRELOAD
    # A private folder (mode 0700) per kernel for its connection file and IPC sockets: short paths
    # (socket paths are limited to ~100 bytes) and no clash between kernels started side by side.
    clean_leftovers()
    runtime = tempfile.mkdtemp(prefix=f"{RUNTIME_PREFIX}{leftovers.tag()}.")
    km = _ipc_kernel_manager()(kernel_name="python3", connection_file=os.path.join(runtime, "kernel.json"))
    km.ip = os.path.join(runtime, "ipc")
    args = [f"--IPKernelApp.exec_lines={['import ' + m for m in modules]!r}"] if modules else []
    try:
        run_sync(km.start_kernel)(cwd=str(cwd or notebooks_dir()), extra_arguments=args)
    except Exception as exc:
        shutil.rmtree(runtime, ignore_errors=True)
        raise ReportError(f"could not start the python3 kernel: {exc} (run: make install)") from None
    return Kernel(km, runtime)


def _ipc_kernel_manager() -> type:
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

    return IPCKernelManager
