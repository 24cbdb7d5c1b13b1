"""The Warehouse object and the narrow interface the analytics read data through.

Analytics never see a database connection: they run a named query (a file in queries/) with its
parameters and get one row, rows or a frame back (`QueryRunner`). `Warehouse` implements it over a
DuckDB connection it owns; another engine implements the same four methods. Writers that are
DuckDB-specific by nature (the loader) use `Warehouse.con` directly.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import duckdb

from launchkit.errors import QueryError
from launchkit.store import connect as _connect
from launchkit.store.queries import bind_identifiers, load_query
from launchkit.store.transaction import transaction as _transaction
from launchkit.store.writers import WritersLock


class QueryRunner(Protocol):
    """Run a named query with parameters; get one row, rows or a frame (or nothing, for a write)."""

    def one(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> dict[str, Any]: ...

    def rows(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> list[tuple[Any, ...]]: ...

    def frame(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> Any: ...

    def write(self, name: str, params: Mapping[str, Any] | None = None) -> None: ...


def execute(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    identifiers: Mapping[str, str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Execute a query file on a connection with its named parameters bound (never formatted into the text)."""
    q = load_query(name)
    given = dict(params or {})
    if set(given) != set(q.parameters):
        raise QueryError(f"queries/{name}.sql takes parameters {sorted(q.parameters)}, was given {sorted(given)}")
    sql = bind_identifiers(q, dict(identifiers or {}))
    return con.execute(sql, given) if given else con.execute(sql)


def python_value(v: Any) -> Any:
    """A fetched value as Python: NaN is missing (None), decimals are floats."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, Decimal):
        return float(v)
    return v


class Warehouse:
    """A DuckDB warehouse (file or in memory) and its connection: run queries, close when done."""

    engine = "duckdb"
    _writers_lock: WritersLock | None = None

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None = None, *, read_only: bool = False) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only
        self._writers_lock: WritersLock | None = None

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, wait_s: float = 0.0) -> Warehouse:
        """Open (and, for a writer, migrate) the warehouse file; see launchkit.store.connect.

        A writer holds the warehouse's writers' lock (shared) until it closes: a restore waits for it,
        and it waits for a restore (launchkit.store.writers)."""
        lock = None if read_only else WritersLock(path).acquire(wait_s)
        try:
            wh = cls(_connect.connect(path, read_only=read_only, wait_s=wait_s), Path(path), read_only=read_only)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        wh._writers_lock = lock
        return wh

    @classmethod
    def memory(cls) -> Warehouse:
        """An in-memory, migrated warehouse (tests, dry runs)."""
        return cls(_connect.connect_memory())

    # --- the QueryRunner interface
    def cursor(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> duckdb.DuckDBPyConnection:
        """Execute a query file with its named parameters bound (never formatted into the text)."""
        return execute(self.con, name, params, identifiers=identifiers)

    def one(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """A one-row query as {column: value} (all None when it returned no row)."""
        cur = self.cursor(name, params, identifiers=identifiers)
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
        if not rows:
            return {c: None for c in cols}
        return {c: python_value(v) for c, v in zip(cols, rows[0])}

    def rows(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> list[tuple[Any, ...]]:
        return self.cursor(name, params, identifiers=identifiers).fetchall()

    def frame(
        self, name: str, params: Mapping[str, Any] | None = None, *, identifiers: Mapping[str, str] | None = None
    ) -> Any:
        """The query's result as a pandas DataFrame."""
        return self.cursor(name, params, identifiers=identifiers).df()

    def write(self, name: str, params: Mapping[str, Any] | None = None) -> None:
        self.cursor(name, params).fetchall()

    def transaction(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """`with wh.transaction():` every write in the block commits together, or none does
        (launchkit.store.transaction)."""
        return _transaction(self.con)

    # --- plain SQL, for DuckDB-specific writers and tests
    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            if self._writers_lock is not None:
                self._writers_lock.release()
                self._writers_lock = None

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
