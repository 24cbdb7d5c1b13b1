"""Shared fixtures: an in-memory warehouse, the default config, the real-data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from launchkit.config import Config, load_config
from launchkit.store.runner import Warehouse

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture(autouse=True, scope="session")
def _outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test runs from an empty folder, so a launchkit.toml in the checkout (`make demo` writes
    one beside its warehouse) cannot change the defaults the tests expect."""
    mp = pytest.MonkeyPatch()
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


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real data not available: {REALDATA} is absent (it lives beside the project in ../shared)")
    return REALDATA
