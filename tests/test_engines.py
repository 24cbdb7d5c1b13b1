"""The same queries on DuckDB and on Spark over the same lake give the same results (issue 10, item 5).

One synthetic pilot with corner cases (tests/_lake.py) is written as a hive-partitioned Parquet lake; DuckDB
reads it in place and Spark reads it through one local session shared by every test here. Every query that
reads a contract table runs on both with the parameter sets launchkit uses, and the results must be equal:
exactly for counts, integer sums, text, dates and instants, to 1e-9 relative for float sums and percentiles
(float addition order differs between engines). Then the outputs built on them: the metrics object,
readiness and the decision (with its Mann-Whitney tests and intervals, which come from aggregates only).

Marked `spark`: they need pyspark (the launchkit[spark] extra) and Java; `make test` installs both.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from _lake import LAST, lake_toml, write_edge_lake

from launchkit.analytics import criteria, decision, drill, overview, samples
from launchkit.analytics.attribution import Judged
from launchkit.analytics.scope import Scope
from launchkit.config import Config, load_config
from launchkit.contract import TABLES as CONTRACT_TABLES
from launchkit.jobs.load import prepare_lake
from launchkit.store.connect import connect
from launchkit.store.engines import open_runner, runner_on
from launchkit.store.engines.spark import tables_read
from launchkit.store.queries import load_query, names
from launchkit.store.snapshot import snapshot_path
from launchkit.store.sql import identifier
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

pyspark = pytest.importorskip("pyspark", reason="pyspark is the launchkit[spark] extra: pip install 'launchkit[spark]'")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17 or later on PATH", allow_module_level=True)

pytestmark = pytest.mark.spark

REL = 1e-9
D = LAST
DAY = Window.day(D, tz=UTC)
BASE = Window(Window.day(D - timedelta(days=7), tz=UTC).start, DAY.start)
HOUR = Window.hour(datetime(D.year, D.month, D.day, 10, tzinfo=UTC), tz=UTC)
PREV_HOUR = Window(HOUR.start - timedelta(hours=1), HOUR.start)
WEEK = Window.days_ending(D, 7, tz=UTC)
EMPTY = Window.day(date(2025, 1, 6), tz=UTC)
SCOPES = [Scope("tenant", "edge-tenant"), Scope("model", "claude-3-5-sonnet"), Scope("tool", "sql_query"),
          Scope("tenant", "(unknown)")]  # fmt: skip

JUDGED = Judged("correctness", "hallucination", 0.5)  # the synthetic judge's names


# --- the lake, the config, the two runners -----------------------------------------------------------------


@pytest.fixture(scope="module")
def lake_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    root = tmp_path_factory.mktemp("engines")
    lake = write_edge_lake(root)
    extra = '\n[pricing.overrides."gpt-4o"]\ninput_per_mtok = 2.0\noutput_per_mtok = 8.0\nreplace_reported = true\n'
    cfg = load_config(lake_toml(root, lake, extra=extra), env={})
    prepare_lake(cfg)  # prices the lake's (model, day) keys into the warehouse
    return cfg


def _reader(cfg: Config, kind: str) -> Any:
    """A runner of `kind` reading the lake, with its own read-only connection to the warehouse's snapshot."""
    wh = Warehouse(connect(snapshot_path(cfg.warehouse_path), read_only=True), read_only=True)
    return runner_on(wh, cfg.with_overrides(**{"engine.kind": kind}).engine)


@pytest.fixture(scope="module")
def duck(lake_config: Config) -> Iterator[Any]:
    with _reader(lake_config, "duckdb") as db:
        yield db


@pytest.fixture(scope="module")
def spark(lake_config: Config, spark_session: Any) -> Iterator[Any]:
    with _reader(lake_config, "spark") as db:
        yield db


# --- comparison ----------------------------------------------------------------------------------------------


def same(a: Any, b: Any, where: str = "") -> None:
    """Equal values: exact for everything but floats (1e-9 relative); NaN/None are missing on both."""
    if (isinstance(a, float) and math.isnan(a)) or a is pd.NaT:
        a = None
    if (isinstance(b, float) and math.isnan(b)) or b is pd.NaT:
        b = None
    if a is None or b is None:
        assert a is None and b is None, f"{where}: {a!r} != {b!r}"
    elif isinstance(a, float) or isinstance(b, float):
        assert float(b) == pytest.approx(float(a), rel=REL, abs=1e-12), f"{where}: {a!r} != {b!r}"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{where}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple) and len(a) == len(b), f"{where}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    else:
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            a, b = Decimal(a), Decimal(b)
        assert a == b, f"{where}: {a!r} != {b!r}"


def _ordered(name: str) -> bool:
    import sqlglot

    q = load_query(name)
    text = q.sql
    for slot in q.slots:
        text = text.replace("{" + slot + "}", '"x"')
    return sqlglot.parse_one(text, read="duckdb").args.get("order") is not None


def _sort_key(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("" if isinstance(v, float) else repr(v) for v in row)


# --- every query, with the parameter sets launchkit uses -----------------------------------------------------


def _w(w: Window) -> dict[str, Any]:
    return w.params


def _two(a: Window, b: Window | None = None) -> dict[str, Any]:
    b = b or Window(a.start, a.start + timedelta(microseconds=1))
    return {"start1": a.start, "end1": a.end, "start2": b.start, "end2": b.end}


def _ids(column: str, allowed: tuple[str, ...]) -> dict[str, str]:
    return {"column": identifier(column, allowed)}


TURN = ("latency_ms", "ttft_ms")
RANKS = {"ranks1": [1, 2, 50, 200, 10_000], "ranks2": [1, 3, 100]}
WIDE = {"start": datetime(1970, 1, 1, tzinfo=UTC), "end": datetime(2200, 1, 1, tzinfo=UTC)}


def cases() -> list[tuple[str, str, dict[str, Any], dict[str, str] | None]]:
    """(query, case id, parameters, identifiers) for every query reading a contract table: each at least on a
    day and on an empty window, the time-bucketing ones on an hour and a week too. Kept lean: every Spark
    statement costs 0.3-0.5 s of planning even on small data, and the outputs below run many more."""
    out: list[tuple[str, str, dict[str, Any], dict[str, str] | None]] = []

    def add(name: str, cid: str, params: dict[str, Any], ids: dict[str, str] | None = None) -> None:
        out.append((name, cid, params, ids))

    add("metrics/activity_span", "all", {})
    two = {"day": DAY, "empty": EMPTY}
    for wid, w in two.items():
        for name in ("metrics/breakdown_model", "metrics/breakdown_tool", "pricing/coverage",
                     "pricing/unpriced_models", "quality/coverage", "reports/feedback", "incidents/impact",
                     "releases/shipped"):  # fmt: skip
            add(name, wid, _w(w))
        add("quality/latency_findings", wid, {**_w(w), "examples": 3})
        add("quality/last_activity", wid, {"end": w.end})
        add("finance/reconciliation", wid, {**_w(w), "tolerance_pct": 2.0})
    for wid, w in {**two, "hour": HOUR, "week": WEEK}.items():
        for name in ("metrics/summary", "reports/incidents", "incidents/summary"):
            add(name, wid, _w(w))
    for col in ("tenant_id", "cohort", "release"):
        add("metrics/breakdown_session", col, _w(DAY), _ids(col, ("tenant_id", "cohort", "release")))
    add("pricing/coverage", "open", {"start": None, "end": None})
    add("pricing/unpriced_models", "open", {"start": None, "end": None})
    add("finance/reconciliation", "open", {"start": None, "end": None, "tolerance_pct": 2.0})
    for grain in ("day", "month"):
        add("finance/spend_vendor", grain, {"start": date(1970, 1, 1), "end": date(2200, 1, 1), "grain": grain})
    add("finance/chargeback", "tenant_id", _w(WEEK), _ids("tenant_id", ("tenant_id", "cohort")))
    add("incidents/opened", "edge", {"incident_id": "edge-i2"})
    for sid in ("edge-s1", "nope"):
        add("reports/session_timeline", sid, {"session_id": sid})
    for wid, w in two.items():
        add("reports/failed_calls", wid, _w(w))
        for name in ("evaluations/judged", "evaluations/agreement"):  # the synthetic judge's names
            add(name, wid, {**_w(w), "name": "correctness", "threshold": 0.5})
        add("evaluations/judged", f"{wid}-hallucination", {**_w(w), "name": "hallucination", "threshold": 0.5})
    for name in ("pricing/missing_pairs", "pricing/model_days", "status/tables", "releases/count"):
        add(name, "all", {})
    # the two-sample statistics: day vs baseline, and an empty window, for every measure; hour vs the hour
    # before and overlapping windows for one
    for pid, (a, b) in {"day-base": (DAY, BASE), "empty": (EMPTY, None)}.items():
        for col in TURN:
            add("metrics/turn_ranks", f"{pid}-{col}", _two(a, b), _ids(col, TURN))
            add("metrics/turn_order_stats", f"{pid}-{col}", {**_two(a, b), **RANKS}, _ids(col, TURN))
        add("metrics/session_cost_ranks", pid, _two(a, b))
        add("metrics/session_cost_order_stats", pid, {**_two(a, b), **RANKS})
        add("metrics/session_cost_moments", pid, _two(a, b))
    for pid, (a, b) in {"hour-prev": (HOUR, PREV_HOUR), "week-day": (WEEK, DAY)}.items():
        add("metrics/turn_ranks", f"{pid}-latency_ms", _two(a, b), _ids("latency_ms", TURN))
        add("metrics/session_cost_ranks", pid, _two(a, b))
    # drill-down scopes: the corner ones (a tenant of edge rows, sessions of no known tenant) on every query
    for sc in (SCOPES[0], SCOPES[3]):
        sid = f"{sc.by}-{sc.value}"
        add("metrics/summary_scoped", sid, {**_w(DAY), **sc.params})
        add("metrics/turn_ranks_scoped", sid, {**_two(DAY, BASE), **sc.params}, _ids("latency_ms", TURN))
        add("metrics/turn_order_stats_scoped", sid, {**_two(DAY, BASE), **RANKS, **sc.params}, _ids("ttft_ms", TURN))
        add("metrics/session_cost_ranks_scoped", sid, {**_two(DAY, BASE), **sc.params})
        add("metrics/session_cost_order_stats_scoped", sid, {**_two(DAY, BASE), **RANKS, **sc.params})
    for sc in (SCOPES[1], SCOPES[2]):
        add("metrics/summary_scoped", f"{sc.by}-{sc.value}", {**_w(DAY), **sc.params})
    # attribution: one pass per dimension, day against baseline, with the baseline's p95 cuts
    for by in ("tool", "release", "tenant", "cohort", "model", "provider"):
        add(
            "attribution/segments",
            by,
            {"by": by, **_two(DAY, BASE), **JUDGED.params, "latency_cut": 2500.0, "ttft_cut": 600.0},
        )
    add(
        "attribution/segments",
        "empty",
        {"by": "tenant", **_two(EMPTY, None), **JUDGED.params, "latency_cut": None, "ttft_cut": None},
    )
    for wid, w in two.items():
        add("attribution/rollout_changes", wid, _w(w))
    # capacity: the load per provider, model and minute, and its busiest second and most calls in flight
    for wid, w in {"day": DAY, "week": WEEK, "empty": EMPTY}.items():
        add("capacity/minute_load", wid, _w(w))
        add("capacity/peaks", wid, _w(w))
    for wid, w in {"hour": HOUR, "day": DAY, "empty": EMPTY}.items():  # the hourly rate-limit check
        add("capacity/rate_limited_hour", wid, _w(w))
    for wid, w in two.items():  # the ids people read, for the lookalike-ids finding
        add("quality/window_ids", wid, _w(w))
    return out


CASES = cases()


class Recorder:
    """A runner that records the queries an analytics function sends (their parameters are built by the
    library: bucket edges, day lists), so the same calls can be replayed on both engines."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.calls: list[tuple[str, dict[str, Any], dict[str, str] | None]] = []

    def _rec(self, name: str, params: Any, identifiers: Any) -> None:
        self.calls.append((name, dict(params or {}), dict(identifiers) if identifiers else None))

    def one(self, name: str, params: Any = None, *, identifiers: Any = None) -> Any:
        self._rec(name, params, identifiers)
        return self.db.one(name, params, identifiers=identifiers)

    def rows(self, name: str, params: Any = None, *, identifiers: Any = None) -> Any:
        self._rec(name, params, identifiers)
        return self.db.rows(name, params, identifiers=identifiers)

    def frame(self, name: str, params: Any = None, *, identifiers: Any = None) -> Any:
        self._rec(name, params, identifiers)
        return self.db.frame(name, params, identifiers=identifiers)


def bucketed_calls(duck: Any, cfg: Config) -> list[tuple[str, dict[str, Any], dict[str, str] | None]]:
    """The bucketed queries (parameters: lists of bucket edges and days) as the library calls them."""
    from launchkit.analytics import finance, metrics, quality

    rec: Any = Recorder(duck)  # a QueryRunner that records
    metrics.timeseries(rec, DAY.start, DAY.end, grain="hour", tz=UTC)
    metrics.timeseries(rec, WEEK.start, WEEK.end, grain="day", tz=UTC)
    metrics.timeseries(rec, WEEK.start, WEEK.end, grain="day", scope=SCOPES[0], tz=UTC)
    metrics.timeseries(rec, WEEK.start, WEEK.end, grain="day", scope=SCOPES[3], tz=UTC)
    finance.daily_spend(rec, WEEK.start.date(), D, tz=UTC)
    for grain, by in (("day", None), ("week", "model"), ("month", "tenant")):
        finance.spend(rec, grain, by, tz=UTC)
    for w in (DAY, HOUR, EMPTY):
        quality.gap_hours(rec, w, cfg)
    from launchkit.analytics import explain

    explain.hourly(rec, DAY.end, UTC, {"latency_ms": 2500.0, "ttft_ms": None}, None, JUDGED)
    explain.hourly(rec, DAY.end, UTC, {"latency_ms": 2500.0, "ttft_ms": 600.0}, SCOPES[0], JUDGED)
    from launchkit.analytics.capacity.load import pilot_load

    pilot_load(rec, WEEK.start.date(), D, UTC)  # its tenants' sessions per active day of the list
    return [c for c in rec.calls if c[0] in BUCKETED]


BUCKETED = {
    "metrics/timeseries",
    "metrics/timeseries_scoped",
    "finance/daily_spend",
    "finance/spend",
    "quality/gaps",
    "attribution/hourly",
    "attribution/hourly_scoped",
    "capacity/tenant_sessions",
}
CONTRACT = set(CONTRACT_TABLES)


def test_every_query_reading_a_contract_table_has_cases():
    reading = set()
    for name in names():
        q = load_query(name)
        text = q.sql
        for slot in q.slots:
            text = text.replace("{" + slot + "}", '"x"')
        if name.split("/")[0] in ("ingest", "backup") or not text.lstrip().upper().startswith(("WITH", "SELECT")):
            continue
        if tables_read(text) & CONTRACT:
            reading.add(name)
    assert reading == {c[0] for c in CASES} | BUCKETED


@pytest.mark.parametrize(("name", "cid", "params", "ids"), CASES, ids=[f"{c[0]}[{c[1]}]" for c in CASES])
def test_query_gives_the_same_rows_on_both_engines(duck, spark, name, cid, params, ids):
    d = duck.rows(name, params, identifiers=ids)
    s = spark.rows(name, params, identifiers=ids)
    if name == "incidents/summary" and not d[1:]:  # empty window: see test_rollup_on_no_rows
        d = [r for r in d if r[0] is not None]
    if not _ordered(name):
        d, s = sorted(d, key=_sort_key), sorted(s, key=_sort_key)
    assert len(d) == len(s), f"{name}[{cid}]: {len(d)} rows on DuckDB, {len(s)} on Spark"
    for i, (a, b) in enumerate(zip(d, s)):
        same(tuple(a), tuple(b), f"{name}[{cid}] row {i}")


def test_bucketed_queries_give_the_same_rows_on_both_engines(duck, spark, lake_config):
    calls = bucketed_calls(duck, lake_config)
    assert {c[0] for c in calls} == BUCKETED
    for name, params, ids in calls:
        d, s = duck.rows(name, params, identifiers=ids), spark.rows(name, params, identifiers=ids)
        if not _ordered(name):
            d, s = sorted(d, key=_sort_key), sorted(s, key=_sort_key)
        assert len(d) == len(s), f"{name}: {len(d)} rows on DuckDB, {len(s)} on Spark"
        for i, (a, b) in enumerate(zip(d, s)):
            same(tuple(a), tuple(b), f"{name} row {i}")


def test_the_cases_are_not_empty(duck):
    """The pilot must exercise the queries: most cases have rows and the edge rows are in the lake."""
    assert duck.one("metrics/summary", DAY.params)["turns"] > 100
    assert duck.one("incidents/opened", {"incident_id": "edge-i2"})["incident_id"] == "edge-i2"
    ranks = duck.rows("metrics/turn_ranks", _two(DAY, BASE), identifiers=_ids("latency_ms", TURN))[0]
    assert ranks[0] > 100 and ranks[1] > 500 and ranks[3] > 0  # n1, n2, ties (the 1000.0 ms turns)


def test_rollup_on_no_rows(duck, spark):
    """The one difference left: Spark's GROUP BY ROLLUP returns no grand-total row over no rows (DuckDB: one
    row of NULLs and zeros). metrics.incidents reads a missing total as zeros, so its output is the same."""
    from launchkit.analytics import metrics

    assert [r for r in duck.rows("incidents/summary", EMPTY.params) if r[0] is not None] == []
    same(metrics.incidents(duck, EMPTY), metrics.incidents(spark, EMPTY), "incidents(empty)")
    same(metrics.incidents(duck, DAY), metrics.incidents(spark, DAY), "incidents(day)")


def test_frames_have_duckdbs_types(duck, spark):
    """frame(): the same columns, values and pandas dtypes (DATE as datetime64, DECIMAL as float64, instants in UTC)."""
    from launchkit.analytics.metrics import bucket_params
    from launchkit.window import hour_edges

    for name, params in (("reports/incidents", WEEK.params),
                         ("metrics/timeseries", bucket_params(hour_edges(DAY.start, DAY.end, UTC)))):  # fmt: skip
        a, b = duck.frame(name, params), spark.frame(name, params)
        assert list(a.columns) == list(b.columns)
        for col in a.columns:
            if str(a[col].dtype) in ("float64", "int64", "Int64") and str(b[col].dtype) in (
                "float64",
                "int64",
                "Int64",
            ):
                continue  # DuckDB's integer sums are HUGEINT, which .df() makes float64; Spark's are BIGINT
            assert str(a[col].dtype) == str(b[col].dtype), (name, col)
        same(a.to_dict("list"), b.to_dict("list"), name)


# --- what is built on the queries: engine-blind ---------------------------------------------------------------


def test_metrics_object_is_the_same(duck, spark, lake_config):
    for w in (DAY, EMPTY):
        a = overview.compute(duck, w, lake_config)
        b = overview.compute(spark, w, lake_config)
        same(a, b, f"metrics {w}")


def test_intervals_and_tests_are_the_same(duck, spark):
    for measure in samples.MEASURES:
        same(samples.compare(duck, measure, DAY, BASE).to_json(), samples.compare(spark, measure, DAY, BASE).to_json(),
             measure)  # fmt: skip
    for q in (0.5, 0.99):
        n = int(duck.one("metrics/summary", WEEK.params)["latency_n"])
        same(samples.quantile_interval(duck, "latency_ms", WEEK, q, 0.95, n).to_json(),
             samples.quantile_interval(spark, "latency_ms", WEEK, q, 0.95, n).to_json(), f"q{q}")  # fmt: skip
    same(samples.mean_cost_interval(duck, WEEK, 0.9).to_json(), samples.mean_cost_interval(spark, WEEK, 0.9).to_json())


def test_readiness_is_the_same(duck, spark, lake_config):
    a = criteria.evaluate(duck, D, lake_config, history_days=0).to_json()
    b = criteria.evaluate(spark, D, lake_config, history_days=0).to_json()
    assert a["criteria"], "no criteria evaluated"
    same(a, b, "readiness")


def test_decision_is_the_same_and_stored_in_the_warehouse(duck, lake_config, spark):
    """The same decision on both engines; the Spark-engine one is written to launchkit's own table in the
    warehouse file (read back on DuckDB)."""
    a = decision.decide(duck, D, lake_config, store=False).to_json()
    with open_runner(lake_config.with_overrides(**{"engine.kind": "spark"}), write=True) as db:
        made = decision.decide(db, D, lake_config, store=True)
    b = made.to_json()
    tested = [c for c in a["comparisons"] if c["test"] == "mann-whitney u"]
    assert len(tested) == 3, "latency, TTFT and cost per session compared with Mann-Whitney U"
    ids = ("decision_id", "decided_at", "stored")
    same({k: v for k, v in a.items() if k not in ids}, {k: v for k, v in b.items() if k not in ids}, "decision")
    with open_runner(lake_config) as db:
        assert db.one("decision/latest_for_day", {"day": D})["recommendation"] == made.recommendation


def test_drill_down_is_the_same(duck, spark, lake_config):
    for sc in SCOPES[:1]:
        a = drill.drill(duck, D, lake_config, sc).to_json()
        b = drill.drill(spark, D, lake_config, sc).to_json()
        same(a, b, f"drill {sc.label}")
