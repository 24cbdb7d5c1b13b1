"""One synthetic pilot, loaded once from its CSV exports and once from its OTLP/JSON form: same metrics."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from launchkit import ingest, synth
from launchkit.analytics import overview, pricing
from launchkit.store.warehouse import Warehouse
from launchkit.synth import otlp as synth_otlp
from launchkit.window import Window


def _load(files, config):
    con = Warehouse.memory()
    results = ingest.ingest(con, [p for p in files if p.name != "ground_truth.json"], config=config)
    assert all(r.ok and r.reconciles() and r.rejected == 0 for r in results), [r.summary() for r in results]
    pricing.refresh(con, config)
    return con


def _flat(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flat(v, f"{prefix}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _flat(v, f"{prefix}[{i}]")
    else:
        yield prefix, obj


@pytest.fixture(scope="module")
def pilot():
    return synth.generate_frames(days=1, tenants=2, seed=5, sessions_per_hour=4)


def test_csv_and_otlp_forms_give_the_same_metrics(pilot, config, tmp_path):
    csv_files = synth.write_pilot(pilot, tmp_path / "csv")
    otlp_files = synth_otlp.write_otlp(pilot, tmp_path / "otlp")
    traces = [p for p in otlp_files if p.name.startswith(synth_otlp.TRACE_FILE_PREFIX)]
    assert traces and all(p.suffix == ".json" for p in traces)
    assert not any(p.name.startswith(("turns_", "tool_calls_", "sessions_")) for p in otlp_files)
    a, b = _load(csv_files, config), _load(otlp_files, config)
    # same rows per table (ids differ: span ids replace turn and call ids)
    for table in ("sessions", "turns", "tool_calls", "feedback", "vendor_costs"):
        n = len(pilot.frames[table])
        assert a.execute(f"SELECT count(*) FROM {table}").fetchall() == [(n,)], table
        assert b.execute(f"SELECT count(*) FROM {table}").fetchall() == [(n,)], table
    # the sessions table itself: equal except ended_at where the export had none (derived from the spans)
    q = "SELECT session_id, tenant_id, user_id, started_at, cohort, release, ended_at FROM sessions ORDER BY session_id"
    sa, sb = a.execute(q).fetchall(), b.execute(q).fetchall()
    assert [r[:6] for r in sa] == [r[:6] for r in sb]
    assert [r[6] for r in sa if r[6] is not None] == [rb[6] for ra, rb in zip(sa, sb) if ra[6] is not None]
    start = datetime(2026, 3, 2, tzinfo=UTC)
    window = Window(start, start.replace(day=3))
    ma, mb = overview.compute(a, window, config), overview.compute(b, window, config)
    fa, fb = dict(_flat(ma)), dict(_flat(mb))
    assert fa.keys() == fb.keys()
    # the window holds the whole one-day pilot: the metrics are about every turn and tool call
    assert fa[".metrics.samples.turns"] == len(pilot.frames["turns"]) > 0
    assert fa[".metrics.samples.tool_calls"] == len(pilot.frames["tool_calls"]) > 0
    assert fa[".metrics.total_cost_usd"] is not None
    for key, va in fa.items():
        vb = fb[key]
        if isinstance(va, float) and isinstance(vb, float):
            # ttft travels in seconds (semconv's unit) and back: equal to the last few ulps
            assert math.isclose(va, vb, rel_tol=1e-12, abs_tol=1e-12), (key, va, vb)
        else:
            assert va == vb, (key, va, vb)
    assert b.execute("SELECT count(*), sum(cost_usd) > 0 FROM turns_priced").fetchall() == [
        (len(pilot.frames["turns"]), True)
    ]


def test_per_table_aggregates_match_the_frames(pilot, config, tmp_path):
    b = _load(synth_otlp.write_otlp(pilot, tmp_path / "otlp"), config)
    t, c = pilot.frames["turns"], pilot.frames["tool_calls"]
    [(n, tin, tout, lat, errors, cost)] = b.execute(
        "SELECT count(*), sum(input_tokens), sum(output_tokens), sum(latency_ms), "
        "count(*) FILTER (WHERE status = 'error'), sum(cost_usd) FROM turns"
    ).fetchall()
    assert (n, tin, tout, errors) == (
        len(t),
        int(t["input_tokens"].sum()),
        int(t["output_tokens"].sum()),
        int((t["status"] == "error").sum()),
    )
    assert lat == pytest.approx(float(t["latency_ms"].sum()), rel=1e-12)
    assert cost == pytest.approx(float(t["cost_usd"].sum()), rel=1e-12)  # NaN (unpriced) skipped by both
    got = dict(b.execute("SELECT status, count(*) FROM tool_calls GROUP BY 1").fetchall())
    assert got == c["status"].value_counts().to_dict()
    # every tool call keeps its turn: the OTLP parent is the turn span
    assert b.execute("SELECT count(*) FROM tool_calls WHERE turn_id IS NULL").fetchall() == [(0,)]
