"""The lookalike-ids finding: ids that differ only by invisible characters, Unicode normalisation or
letters of another script drawn like Latin ones (`acme`, `acme` + a zero-width space, Cyrillic `аcme`).

Ids are stored as given (they are what the exporter sent, and joins must keep them apart), but a reader
of the chargeback cannot tell such ids apart, so the data-quality object lists every group of them in
the window, each id spelled out with the characters that make it differ shown as <U+XXXX>.
The rule of what reads the same is launchkit.visible.lookalike_key.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import TypedDict

from launchkit.store.warehouse import QueryRunner
from launchkit.visible import lookalike_key, visible
from launchkit.window import Window

_WORDS = {"tenant_id": "tenant ids", "cohort": "cohorts", "model": "models", "tool_name": "tool names"}


def spelled(text: str) -> str:
    """An id with every character a reader could take for another shown as <U+XXXX>: the invisible ones
    (`visible`) and every non-ASCII one that reads as something else (Cyrillic а, fullwidth ａ)."""
    out: list[str] = []
    composed = unicodedata.is_normalized("NFC", text)
    for ch in visible(text):
        if not ch.isascii() and (
            lookalike_key(ch) != unicodedata.normalize("NFC", ch).casefold()
            or (not composed and unicodedata.combining(ch))
        ):
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    return "".join(out)


class LookalikeFinding(TypedDict):
    """Ids of one column that read the same but differ: the ids, spelled out, and a message."""

    finding: str  # "lookalike_ids"
    column: str
    ids: list[str]
    shown: list[str]
    message: str


def findings(db: QueryRunner, window: Window) -> list[LookalikeFinding]:
    """One finding per group of ids (of one column) that read the same: the ids, spelled out, and a message."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for col, ident in db.rows("quality/window_ids", window.params):
        groups[(str(col), lookalike_key(str(ident)))].append(str(ident))
    out: list[LookalikeFinding] = []
    for (col, _), ids in sorted(groups.items()):
        if len(ids) < 2:
            continue
        shown = [spelled(i) for i in sorted(ids)]
        out.append(
            {
                "finding": "lookalike_ids",
                "column": col,
                "ids": sorted(ids),
                "shown": shown,
                "message": (
                    f"{len(ids)} {_WORDS.get(col, col)} read the same but are different ids: {', '.join(shown)} "
                    "(they differ by invisible characters, Unicode normalisation or lookalike letters); "
                    "each is counted apart: fix the exporter or map them to one id"
                ),
            }
        )
    return out
