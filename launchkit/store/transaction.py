"""The one way launchkit writes several statements as one: BEGIN, then COMMIT, or ROLLBACK when the
block raises (KeyboardInterrupt too), so a write killed half-way leaves the warehouse as it was.

`Warehouse.transaction()` is the same on a warehouse; this form serves code that holds a bare
connection (the migrations, run while a connection opens).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A transaction on `con` around the block. A failed ROLLBACK (the connection is gone) never hides
    the error that caused it."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    try:
        con.execute("COMMIT")
    except BaseException:  # a failed COMMIT leaves no transaction open, whatever the engine did with it
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
