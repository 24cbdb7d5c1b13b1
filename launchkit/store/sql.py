"""The one place SQL text is quoted: identifiers (from an allow-list) and contract-defined literals.

Values never go through here: they are always bound as parameters.
"""

from __future__ import annotations

from collections.abc import Iterable

from launchkit.errors import QueryError


def quote_ident(name: str, quote: str = '"') -> str:
    """An identifier quoted for SQL ("a""b"; Spark SQL quotes with a backtick: quote="`"); callers pass
    names from the contract or an allow-list."""
    return quote + name.replace(quote, quote * 2) + quote


def identifier(name: str, allowed: Iterable[str]) -> str:
    """Quote an identifier that must be one of `allowed`; anything else is refused."""
    allowed = set(allowed)
    if name not in allowed:
        raise QueryError(f"'{name}' is not one of {', '.join(sorted(allowed))}")
    return quote_ident(name)


def string_literal(text: str) -> str:
    """A SQL string literal for text launchkit itself defines (names, reasons), never for data values."""
    return "'" + text.replace("'", "''") + "'"
