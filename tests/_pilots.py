"""The synthetic pilots the criteria and decision tests judge: one in-memory warehouse per scenario."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _tables import load_frames

from launchkit import synth
from launchkit.store.warehouse import Warehouse


@pytest.fixture(scope="module")
def pilots() -> Iterator[dict[str, tuple[Warehouse, dict]]]:
    """Each scenario's default pilot (14 days, 8 tenants, seed 7) loaded, with its ground truth; per module,
    so a test module that writes (a stored decision) never changes what another one reads."""
    out = {}
    for scenario in synth.SCENARIOS:
        p = synth.generate_frames(scenario=scenario)
        con = Warehouse.memory()
        load_frames(con, p.frames)
        out[scenario] = (con, p.ground_truth)
    yield out
    for con, _ in out.values():
        con.close()
