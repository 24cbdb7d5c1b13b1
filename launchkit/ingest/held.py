"""Rows held for a reason that can change, re-evaluated by every load until it no longer applies.

A row rejected as too far in the future was judged by the clock of the moment (a loader whose clock
ran behind), one before [ingest] earliest or above [ingest] max_turn_cost_usd by the configuration
of the moment: neither is a verdict on the row. Such rejects are *held* (`rejects.held`), and every
load (`launchkit ingest`, `hourly`, `reprocess`) first re-evaluates them, in the order they were
read, against its own clock and configuration: a row that now passes is loaded (a load of its file
with format `held`) unless a later load wrote its key since (then the later row stands, as it would
have had the row loaded in time). `launchkit reprocess --drop` gives the held rows up for good.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import duckdb

from launchkit.config import Config
from launchkit.contract import LINEAGE_COLUMN, TABLES
from launchkit.ingest import manifest
from launchkit.ingest.compile import typed_sql
from launchkit.ingest.merge import load_staged
from launchkit.ingest.result import FileResult
from launchkit.store.sql import quote_ident, string_literal
from launchkit.store.transaction import transaction
from launchkit.store.warehouse import execute

HELD_DIGEST = "held"  # the content hash of a re-evaluation's manifest row (it reads no file)


@dataclass(frozen=True)
class Held:
    """Rows of one file still held for one reason."""

    path: str
    table: str
    reason: str
    rows: int

    def line(self) -> str:
        from launchkit.visible import printable

        return (
            f"HELD {printable(self.path)}: {self.rows} {self.table} row{'s' if self.rows != 1 else ''} "
            f"{self.reason}: not loaded yet; every run re-evaluates them (launchkit reprocess now, "
            "--drop to give them up)"
        )


def still_held(con: duckdb.DuckDBPyConnection) -> list[Held]:
    """What is held now, by file, table and reason (oldest first)."""
    return [Held(p, t, r, int(n)) for p, t, r, n, _ in execute(con, "ingest/held_files").fetchall()]


def drop(con: duckdb.DuckDBPyConnection) -> int:
    """Give up every held row (each stays a reject, for good); how many."""
    return int(execute(con, "ingest/held_drop").fetchall()[0][0])


def reevaluate(con: duckdb.DuckDBPyConnection, config: Config) -> list[FileResult]:
    """Load the held rows whose reason no longer applies; one result per file and table that released any."""
    pairs = dict.fromkeys((h.path, h.table) for h in still_held(con))
    out = []
    for path, table in pairs:
        r = _one(con, config, path, table)
        if r is not None:
            out.append(r)
    return out


@contextmanager
def _utc_after(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The session zone back to UTC after a load set the input's (a gone connection says so itself)."""
    try:
        yield
    finally:
        with suppress(duckdb.Error):
            con.execute("SET TimeZone = 'UTC'")


def _one(con: duckdb.DuckDBPyConnection, config: Config, path: str, table: str) -> FileResult | None:
    """One file's held rows of one table, in one transaction."""
    spec = TABLES[table]
    with transaction(con), _utc_after(con):
        manifest.set_zone(con, config.timezone)
        manifest.set_window(con, config.earliest, config.max_future_hours, manifest.now(), config.max_turn_cost_usd)
        key_path = "$." + '"' + spec.key + '"'
        execute(con, "ingest/held_rows", {"path": path, "table_name": table, "key_path": key_path}).fetchall()
        keys = {
            k
            for (k,) in con.execute("SELECT DISTINCT unnest(json_keys(raw)) FROM _lk_held").fetchall()
            if k in spec.column_names  # contract names only: an allow-list of identifiers
        }
        cols = "".join(
            f", json_extract_string(raw, {string_literal('$.' + chr(34) + k + chr(34))}) AS {quote_ident(k)}"
            for k in sorted(keys)
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE _lk_held_src AS SELECT _row{cols} FROM _lk_held")
        _, tvr = typed_sql(con, spec, "_lk_held_src")
        passing = [r for (r,) in con.execute(f"SELECT _row FROM {tvr} WHERE _code IS NULL ORDER BY _row").fetchall()]
        if not passing:
            return None
        key, target = quote_ident(spec.key), quote_ident(spec.name)
        # A key a later load wrote since: that row stands (it would have overwritten this one, loaded in time).
        superseded = [
            r
            for (r,) in con.execute(
                f"SELECT h._row FROM _lk_held AS h WHERE list_contains(?, h._row) AND EXISTS "
                f"(SELECT 1 FROM {target} AS t WHERE t.{key} = h._key AND t.{LINEAGE_COLUMN} > h.load_id)",
                [passing],
            ).fetchall()
        ]
        taking = [r for r in passing if r not in set(superseded)]
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _lk_held_ok AS SELECT * FROM _lk_held_src WHERE list_contains(?, _row)",
            [taking],
        )
        load_id = manifest.next_load_id(con)
        result = load_staged(con, load_id=load_id, path=path, table=table, stg="_lk_held_ok")
        result.rows_read += len(superseded)
        result.duplicates += len(superseded)
        result.format = "held"
        result.notes.append(f"{len(passing)} held row{'s' if len(passing) != 1 else ''} re-evaluated and taken")
        execute(con, "ingest/held_taken", {"load_id": load_id, "path": path, "table_name": table, "rows": passing})
        manifest.record(con, result, HELD_DIGEST, "loaded")
        for t in ("_lk_held", "_lk_held_src", "_lk_held_ok"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        return result
