"""Shared fixtures: an in-memory warehouse, the default config, the real-data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from launchkit.config import Config, load_config
from launchkit.store.warehouse import Warehouse

# The shared fixtures, each defined once in a helper module and loaded here (never imported by a test module):
# demo_run (the demo, once per session), server/no_proxy (a scripted HTTP receiver), pilots (one per scenario).
pytest_plugins = ["_report_fixtures", "_http_receiver", "_pilots"]

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"


KEEP_ENV = ("LAUNCHKIT_FUZZ_", "LAUNCHKIT_DEBUG")
"""The test knobs a developer may set; every other LAUNCHKIT_* variable is the user's, not the suite's."""


@pytest.fixture(autouse=True, scope="session")
def _outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test runs from an empty folder with none of the caller's LAUNCHKIT_* variables, so a
    launchkit.toml, warehouse or reports in the checkout (`make demo` writes them) or in the
    environment cannot change what the tests expect. Subprocesses and kernels get an explicit config
    from tests/_report_fixtures.clean_env (a test's own launchkit.toml, or `none`)."""
    mp = pytest.MonkeyPatch()
    for name in [k for k in os.environ if k.startswith("LAUNCHKIT_") and not k.startswith(KEEP_ENV)]:
        mp.delenv(name)
    mp.chdir(tmp_path_factory.mktemp("cwd"))
    yield
    mp.undo()


@pytest.fixture
def con() -> Iterator[Warehouse]:
    """An in-memory, migrated warehouse (a Warehouse: `.execute` for test SQL, the runner for analytics)."""
    c = Warehouse.memory()
    yield c
    c.close()


@pytest.fixture
def config(tmp_path, monkeypatch) -> Config:
    """Defaults only: run from an empty folder so no launchkit.toml is picked up."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LAUNCHKIT_WAREHOUSE", raising=False)
    monkeypatch.delenv("LAUNCHKIT_REPORTS_DIR", raising=False)
    monkeypatch.delenv("LAUNCHKIT_CONFIG", raising=False)
    return load_config()


@pytest.fixture(scope="session")
def spark_session() -> Any:
    """The one local Spark session the `spark` tests share (its start-up, 10-30 s, is paid once per run)."""
    pytest.importorskip("pyspark", reason="pyspark is the launchkit[spark] extra: pip install 'launchkit[spark]'")
    from launchkit.config.engine import EngineSettings
    from launchkit.store.engines.spark import session

    return session(EngineSettings(kind="spark"))


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real data not available: {REALDATA} is absent (it lives beside the project in ../shared)")
    return REALDATA
