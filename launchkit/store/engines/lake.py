"""The contract tables read where they live ([engine.tables]): a folder of Parquet files (hive-partitioned
by day, as `launchkit synth --format parquet --partition-by day` writes), a Delta table, or (Spark only) a
catalog table.

Each engine sees a mapped table under its contract name with exactly the contract's columns and types
(launchkit.contract), so the queries cannot tell a lake from the warehouse: a partition column (`day`)
and any extra column are left out, a missing optional column reads as NULL, and a missing required column
is an error naming the table and the column. launchkit's own small tables (prices, decisions, the load
manifest, settings) and any contract table left unmapped stay in the DuckDB warehouse file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from launchkit.config.engine import EngineSettings, TableSource
from launchkit.contract import SQL_TYPE, TABLES
from launchkit.errors import QueryError
from launchkit.store.sql import quote_ident

# The Spark SQL type of each contract kind (DuckDB's are launchkit.contract.SQL_TYPE).
SPARK_TYPE = {
    "text": "STRING",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "double": "DOUBLE",
    "bigint": "BIGINT",
    "integer": "INT",
}


def is_delta(src: TableSource) -> bool:
    """A local folder with a Delta transaction log (a Delta table on object storage: name it in the catalog)."""
    return src.kind == "path" and not src.is_uri and (Path(src.location) / "_delta_log").is_dir()


def parquet_glob(location: str) -> str:
    """The files of a Parquet table: a single .parquet file, or every .parquet file under a folder (any depth)."""
    if location.endswith(".parquet"):
        return location
    return location.rstrip("/") + "/**/*.parquet"


def projection(table: str, present: set[str], types: dict[str, str], quote: str = '"') -> list[str]:
    """`CAST(col AS type) AS col` for each contract column of `table` (NULL for a missing optional one).

    `present` is the set of column names the source has; `types` maps contract kinds to the engine's SQL
    types; identifiers are the contract's own names, quoted with the engine's quote character.
    """

    def q(name: str) -> str:
        return quote_ident(name, quote)

    exprs = []
    missing = [c.name for c in TABLES[table].columns if c.required and c.name not in present]
    if missing:
        raise QueryError(
            f"[engine.tables] {table}: the source has no column {', '.join(missing)} "
            f"(it has {', '.join(sorted(present)) or 'no columns'})"
        )
    for c in TABLES[table].columns:
        source = q(c.name) if c.name in present else "NULL"
        exprs.append(f"CAST({source} AS {types[c.kind]}) AS {q(c.name)}")
    return exprs


def _source_sql(con: duckdb.DuckDBPyConnection, src: TableSource) -> str:
    """The table function reading a mapped table in place; its location is bound (a session variable), never
    formatted into the text."""
    if src.kind != "path":
        raise QueryError(f"[engine.tables] {src.table}: {src.location!r} is a catalog table; DuckDB reads paths")
    var = f"launchkit_lake_{src.table}"
    if is_delta(src):
        con.execute("LOAD delta")  # the delta extension must be installed: docs/scaling.md
        con.execute(f"SET VARIABLE {var} = $location", {"location": src.location})
        return f"delta_scan(getvariable('{var}'))"
    con.execute(f"SET VARIABLE {var} = $location", {"location": parquet_glob(src.location)})
    return f"read_parquet(getvariable('{var}'), hive_partitioning = true, union_by_name = true)"


def attach_duckdb(con: duckdb.DuckDBPyConnection, settings: EngineSettings) -> None:
    """Make each mapped table a temporary view of this connection under its contract name.

    Temporary views come first in DuckDB's search path, so a query reading `turns` reads the lake while the
    warehouse's own tables (model_prices, decisions, ...) stay visible beside them; this works on a
    read-only connection too. Views and variables belong to the connection: another connection to the same
    warehouse (the writer's) still sees the warehouse's tables.
    """
    for name, src in settings.tables.items():
        try:
            source = _source_sql(con, src)
            present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
            cols = projection(name, present, SQL_TYPE)
            con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_ident(name)} AS SELECT {', '.join(cols)} FROM {source}")
        except duckdb.Error as exc:
            raise QueryError(
                f"[engine.tables] {name}: cannot read {src.location}: {str(exc).splitlines()[0]}"
            ) from None
