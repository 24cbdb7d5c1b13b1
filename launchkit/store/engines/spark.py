"""Apache Spark as the query engine ([engine] kind = "spark"): a session, the lake's tables as views, the
queries translated from DuckDB's dialect, and results returned as DuckDB returns them.

`SparkRunner` implements the QueryRunner interface (one / rows / frame / write) the analytics read
through. A query that reads a table of the lake ([engine.tables]) runs on Spark: its text is the same
file DuckDB runs, translated by launchkit.store.engines.dialect, its values bound as named parameters
(spark.sql(text, args=...)). launchkit's own small tables (prices, settings, decisions, the load
manifest) and unmapped contract tables live in the DuckDB warehouse file: a Spark query that reads one
sees a copy made on first use; a query that reads nothing from the lake runs on the warehouse itself, and
so do the writes (a decision). Only aggregates cross back to Python.

pyspark is imported here only, and only when a Spark engine is opened: it is the optional extra
`launchkit[spark]`. The session is local (engine.master, default local[2]), a cluster master, or a Spark
Connect server (engine.remote); it always runs in UTC, as the warehouse does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from launchkit.config.engine import EngineSettings, TableSource
from launchkit.errors import LaunchkitError, QueryError
from launchkit.store.engines.dialect import to_spark
from launchkit.store.engines.lake import SPARK_TYPE, is_delta, projection
from launchkit.store.queries import bind_identifiers, load_query
from launchkit.store.sql import quote_ident
from launchkit.store.warehouse import Warehouse, python_value

# A lean session for one machine or a driver (docs/scaling.md says why each one is set).
SESSION_CONF: dict[str, str] = {
    "spark.app.name": "launchkit",
    "spark.sql.session.timeZone": "UTC",  # timestamps are instants; date parts and casts in UTC, as DuckDB's
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",  # 200 by default: seconds of overhead on small aggregates
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.ansi.enabled": "true",  # Spark 4's default, stated: overflow and bad casts raise
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",  # day=YYYY-MM-DD stays text
    "spark.driver.memory": "2g",
}
# What a session must have whoever started it (runtime settings, so a Connect server takes them too).
RUNTIME_CONF: dict[str, str] = {"spark.sql.session.timeZone": "UTC", "spark.sql.ansi.enabled": "true"}

_BASE: Any = None  # the process's Spark session: one JVM (or one Connect client) per process


def _pyspark() -> Any:
    try:
        import pyspark
    except ImportError:
        raise LaunchkitError(
            "engine.kind = 'spark' needs pyspark: pip install 'launchkit[spark]' (and Java 17 or later)"
        ) from None
    return pyspark


def log_path() -> Path:
    """Where the local JVM's own output goes (Spark's start-up lines and warnings), not the terminal."""
    return Path(tempfile.gettempdir()) / f"launchkit-spark-{os.getpid()}.log"


def _java_home() -> None:
    if os.environ.get("JAVA_HOME"):
        return
    java = shutil.which("java")
    if java is None:
        raise LaunchkitError("engine.kind = 'spark' needs Java 17 or later on PATH (or JAVA_HOME)")
    os.environ["JAVA_HOME"] = str(Path(java).resolve().parent.parent)


def _quiet() -> None:
    # PySpark logs every failed spark.sql() as a multi-KB JSON stack on these Python loggers; the exception
    # reaches the caller anyway. And it warns on every import that pandas 3 is newer than it was tested on.
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger", "py4j"):
        logging.getLogger(name).disabled = True
    warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas.*")


def session(settings: EngineSettings) -> Any:
    """The process's Spark session, started on first use: a Spark Connect client (engine.remote) or a
    driver for engine.master with SESSION_CONF and [engine.conf]. Later calls reuse it."""
    global _BASE
    _pyspark()
    _quiet()
    if _BASE is not None:
        return _BASE
    from pyspark.sql import SparkSession

    if settings.remote:
        spark = SparkSession.builder.remote(settings.remote).getOrCreate()
    else:
        from pyspark import SparkConf, SparkContext
        from pyspark.java_gateway import launch_gateway

        _java_home()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        if settings.master.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no "resolves to a loopback address" warning
        conf = SparkConf().setMaster(settings.master)
        for key, value in {**SESSION_CONF, **settings.conf}.items():
            conf.set(key, value)
        if SparkContext._active_spark_context is None:
            with open(log_path(), "ab") as log:
                gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
            SparkContext(conf=conf, gateway=gateway)
        spark = SparkSession.builder.getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
    for key, value in RUNTIME_CONF.items():
        spark.conf.set(key, value)
    _BASE = spark
    return spark


def read_source(spark: Any, src: TableSource) -> Any:
    """A mapped table as Spark reads it: a catalog table, a Delta table, or a folder of Parquet files
    (hive partitions such as day=2026-03-02 are discovered and then left out by the projection)."""
    if src.kind == "catalog":
        return spark.table(src.location)
    if is_delta(src):
        return spark.read.format("delta").load(src.location)
    return spark.read.parquet(src.location)


@lru_cache(maxsize=512)
def tables_read(sql: str) -> frozenset[str]:
    """The names a statement reads from (lower case): its tables, and its CTEs' names too, since a CTE may
    shadow a table it reads (fragments/scope.sql): a superset of the tables, which is what routing needs."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    return frozenset(t.name.lower() for t in tree.find_all(exp.Table) if t.name)


def _error(name: str, exc: Exception) -> QueryError:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return QueryError(f"queries/{name}.sql on Spark: {text[:400]}")


def rows_of(tbl: Any) -> list[tuple[Any, ...]]:
    """An Arrow table's rows as tuples of Python values (aware UTC datetimes, Decimal, None for NULL)."""
    cols = [c.to_pylist() for c in tbl.columns]
    return list(zip(*cols)) if cols else []


def frame_of(tbl: Any) -> Any:
    """An Arrow table as the pandas frame DuckDB's .df() gives for the same values: DECIMAL as float64,
    DATE as datetime64[us], integers with NULLs as nullable Int64/Int32, timestamps in microseconds."""
    import pandas as pd
    import pyarrow as pa

    data = {}
    for i, (field, col) in enumerate(zip(tbl.schema, tbl.columns)):
        t = field.type
        if pa.types.is_decimal(t):
            s = pd.Series(col.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")
        elif pa.types.is_date(t):
            s = pd.Series(col.cast(pa.timestamp("us")).to_pandas(), dtype="datetime64[us]")
        elif pa.types.is_integer(t) and col.null_count:
            s = pd.Series(pd.array(col.to_pylist(), dtype="Int32" if t.bit_width <= 32 else "Int64"))
        elif pa.types.is_timestamp(t):
            s = col.cast(pa.timestamp("us", tz=t.tz)).to_pandas()
        else:
            s = col.to_pandas()
        data[i] = s.reset_index(drop=True)
    df = pd.DataFrame(data)
    df.columns = [f.name for f in tbl.schema]
    return df


class SparkRunner:
    """Queries on Spark over the lake, launchkit's own tables from the DuckDB warehouse (see the module)."""

    engine = "spark"

    def __init__(self, spark: Any, settings: EngineSettings, warehouse: Warehouse, *, owns_warehouse: bool = True):
        try:
            self.spark = spark.newSession()  # its own temporary views, the same JVM
        except Exception:  # Spark Connect clients may not offer one: share the session's views
            self.spark = spark
        for key, value in RUNTIME_CONF.items():
            self.spark.conf.set(key, value)
        self.settings = settings
        self.warehouse = warehouse
        self._owns_warehouse = owns_warehouse
        self._lake = frozenset(settings.tables)
        self._copied: set[str] = set()
        self._warehouse_tables: frozenset[str] | None = None
        for name, src in settings.tables.items():
            try:
                df = read_source(self.spark, src)
                df = df.selectExpr(*projection(name, set(df.columns), SPARK_TYPE, quote="`"))
                df.createOrReplaceTempView(name)
            except QueryError:
                raise
            except Exception as exc:
                raise QueryError(f"[engine.tables] {name}: cannot read {src.location}: {_error(name, exc)}") from None

    # --- routing
    def _on_spark(self, sql: str) -> bool:
        return bool(tables_read(sql) & self._lake)

    def _copy_from_warehouse(self, tables: frozenset[str]) -> None:
        """Copy the warehouse tables a Spark query reads (small: prices, settings, bills) as temporary views."""
        if self._warehouse_tables is None:
            rows = self.warehouse.con.execute(
                "SELECT lower(table_name) FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
            self._warehouse_tables = frozenset(r[0] for r in rows)
        for t in sorted((tables & self._warehouse_tables) - self._lake - self._copied):
            tbl = self.warehouse.con.sql(f"SELECT * FROM {quote_ident(t)}").to_arrow_table()
            self.spark.createDataFrame(tbl).createOrReplaceTempView(t)
            self._copied.add(t)

    def _sql(self, name: str, params: Mapping[str, Any] | None, identifiers: Mapping[str, str] | None) -> str:
        q = load_query(name)
        given = dict(params or {})
        if set(given) != set(q.parameters):
            raise QueryError(f"queries/{name}.sql takes parameters {sorted(q.parameters)}, was given {sorted(given)}")
        return bind_identifiers(q, dict(identifiers or {}))

    def arrow(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> Any:
        """Run a query on Spark and return its result as an Arrow table (the one place Spark results cross)."""
        sql = self._sql(name, params, identifiers)
        self._copy_from_warehouse(tables_read(sql))
        text = to_spark(sql)
        try:
            return self.spark.sql(text, args=dict(params or {})).toArrow()
        except Exception as exc:  # AnalysisException, Py4JJavaError, SparkConnectException ...
            raise _error(name, exc) from None

    # --- the QueryRunner interface
    def one(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """A one-row query as {column: value} (all None when it returned no row), as Warehouse.one."""
        if not self._on_spark(self._sql(name, params, identifiers)):
            return self.warehouse.one(name, params, identifiers=identifiers)
        tbl = self.arrow(name, params, identifiers=identifiers)
        cols = tbl.column_names
        rows = rows_of(tbl)
        if not rows:
            return {c: None for c in cols}
        return {c: python_value(v) for c, v in zip(cols, rows[0])}

    def rows(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> list[tuple[Any, ...]]:
        if not self._on_spark(self._sql(name, params, identifiers)):
            return self.warehouse.rows(name, params, identifiers=identifiers)
        return rows_of(self.arrow(name, params, identifiers=identifiers))

    def frame(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> Any:
        if not self._on_spark(self._sql(name, params, identifiers)):
            return self.warehouse.frame(name, params, identifiers=identifiers)
        return frame_of(self.arrow(name, params, identifiers=identifiers))

    def write(self, name: str, params: Mapping[str, Any] | None = None) -> None:
        """Writes go to launchkit's own tables in the warehouse file (a decision); Spark's copies are dropped."""
        self.warehouse.write(name, params)
        for t in self._copied:
            self.spark.catalog.dropTempView(t)
        self._copied.clear()

    def close(self) -> None:
        for t in (*self._copied, *self._lake):
            with contextlib.suppress(Exception):  # the session is gone (the JVM stopped): nothing to drop
                self.spark.catalog.dropTempView(t)
        self._copied.clear()
        if self._owns_warehouse:
            self.warehouse.close()

    def __enter__(self) -> SparkRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
