"""The DuckDB warehouse: open it (UTC, migrated), and run the SQL files in queries/ with bound values.

Every connection sets the session time zone to UTC, so TIMESTAMPTZ values are stored and computed
in UTC whatever the machine's zone. Values reach SQL only as bound parameters; the few identifiers
a query needs (a breakdown column, a table name) come from an allow-list (see `identifier`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import duckdb

from launchkit.errors import QueryError, WarehouseError

QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"
MIGRATIONS_DIR = QUERIES_DIR / "migrations"

_PARAM = re.compile(r"(?<![\w$:])\$([A-Za-z_]\w*)")
_HEADER = re.compile(r"^--\s*(purpose|grain|parameters)\s*:\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    """One SQL statement from queries/, with its documented header."""

    name: str
    sql: str
    purpose: str
    grain: str
    parameters: tuple[str, ...]


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


@lru_cache(maxsize=None)
def load_query(name: str) -> Query:
    """Read queries/<name>.sql; the header must state purpose, grain and parameters."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no query file queries/{name}.sql")
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        m = _HEADER.match(line.strip())
        if m:
            header[m.group(1).lower()] = m.group(2).strip()
    missing = {"purpose", "grain", "parameters"} - header.keys()
    if missing:
        raise QueryError(f"queries/{name}.sql: header lacks {', '.join(sorted(missing))}")
    body = _strip_comments(text)
    params = tuple(dict.fromkeys(_PARAM.findall(body)))
    return Query(name=name, sql=body.strip().rstrip(";"), purpose=header["purpose"],
                 grain=header["grain"], parameters=params)


def identifier(name: str, allowed: Iterable[str]) -> str:
    """Quote an identifier that must be one of `allowed`; anything else is refused."""
    allowed = set(allowed)
    if name not in allowed:
        raise QueryError(f"'{name}' is not one of {', '.join(sorted(allowed))}")
    return '"' + name.replace('"', '""') + '"'


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    identifiers: Mapping[str, str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Execute a query file with its named parameters bound (never formatted into the text).

    `identifiers` fills `{name}` slots with already allow-listed, quoted identifiers.
    """
    q = load_query(name)
    params = dict(params or {})
    expected = set(q.parameters)
    if set(params) != expected:
        raise QueryError(
            f"queries/{name}.sql takes parameters {sorted(expected)}, was given {sorted(params)}"
        )
    sql = q.sql
    for slot, quoted in (identifiers or {}).items():
        if not (quoted.startswith('"') and quoted.endswith('"')):
            raise QueryError(f"identifier for {{{slot}}} must come from warehouse.identifier()")
        sql = sql.replace("{" + slot + "}", quoted)
    return con.execute(sql, params) if params else con.execute(sql)


def _migrations() -> list[tuple[int, Path]]:
    out = []
    for d in sorted(MIGRATIONS_DIR.iterdir()):
        if d.is_dir() and d.name[:3].isdigit():
            out.append((int(d.name[:3]), d))
    return out


SCHEMA_VERSION = max(v for v, _ in _migrations())


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the warehouse to the current schema version, one transaction per migration."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP WITH TIME ZONE)"
    )
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise WarehouseError(
            f"warehouse schema version {current} is newer than this launchkit ({SCHEMA_VERSION}); upgrade launchkit"
        )
    applied = {v for (v,) in con.execute("SELECT version FROM schema_version").fetchall()}
    for version, folder in _migrations():
        if version in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for f in sorted(folder.glob("*.sql")):
                con.execute(_strip_comments(f.read_text(encoding="utf-8")))
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, now())", [version, folder.name]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used by another" in text


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    wait_s: float = 0.0,
    migrate_schema: bool = True,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse in UTC; a writer migrates it. Waits up to `wait_s` for another process's lock."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run 'launchkit ingest' or 'launchkit demo' first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise WarehouseError(f"cannot open warehouse {path}: {exc}") from None
            if time.monotonic() >= deadline:
                raise WarehouseError(
                    f"warehouse {path} is in use by another process (waited {wait_s:g}s); try again shortly"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    con.execute("SET TimeZone = 'UTC'")
    if not read_only and migrate_schema:
        migrate(con)
    elif read_only:
        found = schema_version(con)
        if found != SCHEMA_VERSION:
            con.close()
            if found == 0:
                raise WarehouseError(f"{path} is not a launchkit warehouse (no schema version)")
            raise WarehouseError(
                f"{path} has schema version {found}, this launchkit expects {SCHEMA_VERSION}: "
                "run a writing command (e.g. 'launchkit ingest') to migrate it"
            )
    return con


def connect_memory() -> duckdb.DuckDBPyConnection:
    """An in-memory, migrated warehouse: for tests and dry runs."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    migrate(con)
    return con
