"""Schema versions: the migrations in queries/migrations/NNN_name/*.sql, applied in order, once each.

A writer migrates the warehouse when it opens it; a reader only checks the version. A warehouse
newer than this launchkit is refused. Nothing here touches the file system at import time (an
installed wheel reads its migrations through importlib.resources when first asked).
"""

from __future__ import annotations

from functools import lru_cache

import duckdb

from launchkit.errors import WarehouseError
from launchkit.store import queries
from launchkit.store.transaction import transaction

# Views kept in the warehouse for people exploring it with SQL, each built from the fragment of the
# same name (the queries themselves insert the fragment and never rely on a stored view).
VIEWS = ("turns_priced",)


@lru_cache(maxsize=1)
def migrations() -> tuple[tuple[int, str, tuple[str, ...]], ...]:
    """(version, folder name, statements) of every migration, in order."""
    out = []
    for folder in queries.root().joinpath("migrations").iterdir():
        if folder.is_dir() and folder.name[:3].isdigit():
            files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
            stmts = tuple(queries.strip_comments(f.read_text(encoding="utf-8")) for f in files)
            out.append((int(folder.name[:3]), folder.name, stmts))
    return tuple(sorted(out))


def expected_version() -> int:
    """The schema version this launchkit writes (its newest migration)."""
    return max(v for v, _, _ in migrations())


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The warehouse's schema version (0: not a launchkit warehouse yet)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0])


def migrate(con: duckdb.DuckDBPyConnection, upto: int | None = None) -> int:
    """Bring the warehouse to the current schema version (or to `upto`), one transaction per migration.

    `upto` stops at an older version: a restore fills a backup's rows into the schema they were
    saved from, then migrates the rest of the way.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP WITH TIME ZONE)"
    )
    current = schema_version(con)
    newest = expected_version()
    if current > newest:
        raise WarehouseError(
            f"warehouse schema version {current} is newer than this launchkit ({newest}); upgrade launchkit"
        )
    applied = {v for (v,) in con.execute("SELECT version FROM schema_version").fetchall()}
    for version, name, statements in migrations():
        if version in applied or (upto is not None and version > upto):
            continue
        with transaction(con):
            for stmt in statements:
                con.execute(stmt)
            con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, name])
    if upto is not None and upto < newest:
        return upto  # the views follow the newest schema: built when the migration completes
    _refresh_views(con)
    return newest


def _refresh_views(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the convenience views from their fragments when their text changed."""
    for name in VIEWS:
        body = queries.fragment(name)
        wanted = f"CREATE VIEW {name} AS {body}"
        found = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = ? AND NOT internal", [name]).fetchall()
        if found and _norm(found[0][0]) == _norm(wanted):
            continue
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {body}")


def _norm(sql: str) -> str:
    return "".join(sql.split()).rstrip(";").lower()
