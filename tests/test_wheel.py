"""The installable wheel: built from the checkout, installed into a fresh virtualenv outside it, and the
demo run there. The package must carry its SQL, notebooks and checklist, and read them through
importlib.resources (nothing at import time may touch the checkout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_installs_and_runs_the_demo_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    [wheel] = dist.glob("launchkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "launchkit/store/queries/metrics/summary.sql" in names
    assert "launchkit/store/queries/fragments/turns_priced.sql" in names
    assert any(n.startswith("launchkit/store/queries/migrations/001_foundation/") for n in names)
    assert "launchkit/reports/notebooks/debrief.ipynb" in names
    assert "launchkit/analytics/checklist.toml" in names and "launchkit/py.typed" in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    # dependencies from the index (pip's cache makes this quick); launchkit itself only from the wheel
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True, text=True)
    subprocess.run(
        [str(py), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
        check=True,
        capture_output=True,
        text=True,
    )
    work = tmp_path / "outside"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAUNCHKIT_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = subprocess.run(
        [str(py), "-c", "import launchkit; print(launchkit.__file__)"],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert Path(where).resolve().is_relative_to(env_dir.resolve()), where  # not the checkout
    proc = subprocess.run(
        [str(env_dir / "bin" / "launchkit"), "demo", "--days", "3", "--report-days", "1"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summaries = sorted((work / "reports").glob("*/*.json"))
    assert {p.parent.name for p in summaries} == {"hourly", "cost", "debrief", "ga"}
    for p in summaries:
        assert json.loads(p.read_text())["schema"] == "launchkit.report/1"
    assert (work / "reports" / "index.html").is_file()
