"""The SQL files (package data under launchkit/store/queries, also at the project's top level).

One statement per file, with a header stating purpose, grain and parameters; values are bound
(`$name`), never formatted in. Shared pieces live once in `fragments/` and are inserted where a
query writes `{{ name }}` (dbt / aiosql style): the expanded text is plain SQL, so another engine
can run it after translation. Identifiers a query needs (a breakdown column) fill `{slot}`
placeholders, quoted from an allow-list by launchkit.store.sql.identifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.abc import Traversable

from launchkit.errors import QueryError

_PARAM = re.compile(r"(?<![\w$:])\$([A-Za-z_]\w*)")
_HEADER = re.compile(r"^--\s*(purpose|grain|parameters|fragment)\s*:\s*(.*)$", re.IGNORECASE)
_INCLUDE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_SLOT = re.compile(r"\{([a-z_]+)\}")


def root() -> Traversable:
    """The folder of SQL files inside the installed package."""
    return resources.files("launchkit.store") / "queries"


@dataclass(frozen=True)
class Query:
    """One SQL statement from queries/, with its documented header and its fragments inserted."""

    name: str
    sql: str
    purpose: str
    grain: str
    parameters: tuple[str, ...]
    slots: tuple[str, ...] = ()


def strip_comments(sql: str) -> str:
    """The text without its `--` comment lines (headers)."""
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def _read(name: str) -> str:
    path = root().joinpath(*f"{name}.sql".split("/"))
    if not path.is_file():
        raise QueryError(f"no query file queries/{name}.sql")
    return path.read_text(encoding="utf-8")


def _header(name: str, text: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in text.splitlines():
        m = _HEADER.match(line.strip())
        if m:
            header[m.group(1).lower()] = m.group(2).strip()
    return header


@cache
def fragment(name: str, _seen: tuple[str, ...] = ()) -> str:
    """A fragment's SQL (queries/fragments/<name>.sql) with its own fragments inserted."""
    if name in _seen:
        raise QueryError(f"fragment {name} includes itself ({' -> '.join((*_seen, name))})")
    text = _read(f"fragments/{name}")
    if "fragment" not in _header(name, text):
        raise QueryError(f"queries/fragments/{name}.sql: header lacks 'fragment:' (what it defines)")
    return expand(strip_comments(text).strip().rstrip(";"), (*_seen, name))


def expand(sql: str, _seen: tuple[str, ...] = ()) -> str:
    """Insert every `{{ fragment }}` of a statement's text."""
    return _INCLUDE.sub(lambda m: fragment(m.group(1), _seen), sql)


@cache
def load_query(name: str) -> Query:
    """Read queries/<name>.sql; the header must state purpose, grain and parameters."""
    text = _read(name)
    header = _header(name, text)
    missing = {"purpose", "grain", "parameters"} - header.keys()
    if missing:
        raise QueryError(f"queries/{name}.sql: header lacks {', '.join(sorted(missing))}")
    body = expand(strip_comments(text)).strip().rstrip(";")
    params = tuple(dict.fromkeys(_PARAM.findall(body)))
    slots = tuple(dict.fromkeys(_SLOT.findall(body)))
    return Query(name=name, sql=body, purpose=header["purpose"], grain=header["grain"], parameters=params, slots=slots)


def names() -> list[str]:
    """Every query file's name ('metrics/summary'), migrations and fragments excluded."""
    out = []
    for group in sorted(root().iterdir(), key=lambda p: p.name):
        if not group.is_dir() or group.name in ("migrations", "fragments") or group.name.startswith(("_", ".")):
            continue
        out += [
            f"{group.name}/{f.name[:-4]}"
            for f in sorted(group.iterdir(), key=lambda p: p.name)
            if f.name.endswith(".sql")
        ]
    return out


def bind_identifiers(query: Query, identifiers: dict[str, str] | None) -> str:
    """The query's text with its `{slot}`s filled by already quoted, allow-listed identifiers."""
    sql = query.sql
    given = dict(identifiers or {})
    if set(given) != set(query.slots):
        raise QueryError(
            f"queries/{query.name}.sql takes identifier slots {sorted(query.slots)}, was given {sorted(given)}"
        )
    for slot, quoted in given.items():
        if not (quoted.startswith('"') and quoted.endswith('"')):
            raise QueryError(f"identifier for {{{slot}}} must come from launchkit.store.sql.identifier()")
        sql = sql.replace("{" + slot + "}", quoted)
    return sql
