"""Text from outside made visible: characters a reader cannot see (or that steer a terminal) shown as <U+XXXX>.

Ids are stored as given, but `acme`, `acme` + a zero-width space and `acme` with a right-to-left mark
look the same on a page, in a spreadsheet and in a terminal, and an escape sequence in a receiver's
error body can rewrite a log line when it is printed. `visible` shows each such character as its code
point (`acme<U+200B>`): control characters (C0, DEL, C1: ESC, CSI, ...), format characters
(zero-width spaces and joiners, bidirectional marks, embeddings, overrides and isolates, the
byte-order mark, the soft hyphen), line and paragraph separators, every space but the plain one
(no-break, en, em, ideographic ...), and the fillers that draw nothing (Hangul fillers, braille blank).

`lookalike_key` is the rule that says which ids read the same: NFKC (compatibility forms: fullwidth
`ａｃｍｅ`, ligatures), invisible characters dropped, case folded, and letters of other scripts that
look like Latin ones mapped to them (a small table of the common Cyrillic and Greek confusables:
Cyrillic `а` U+0430 reads as Latin `a`). Two ids with the same key and different text are
"lookalikes" (the data-quality finding `lookalike_ids`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

# Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables.txt, the common subset):
# what a chargeback reader would take for the Latin letter.
_CONFUSABLE = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w",
        "ɡ": "g", "ӏ": "l", "ı": "i",
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "γ": "y",
    }
)  # fmt: skip


@lru_cache(maxsize=4096)
def _hidden(ch: str) -> bool:
    if ch == " ":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs", "Cs", "Co", "Cn") or ch in _FILLERS


def printable(text: object) -> str:
    """Any value from outside (a file name, a path, a receiver's answer) as one safe log line: `visible`
    of its text, so a newline in an inbox file's name cannot forge a line and an escape sequence cannot
    steer the terminal reading the log."""
    return visible(str(text))


def visible(text: str, keep: str = "") -> str:
    """`text` with every character a reader cannot see, or that steers a terminal, as <U+XXXX>; the
    characters in `keep` (e.g. "\t\n\r" for a multi-line cell) stay as they are."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(f"<U+{ord(ch):04X}>" if _hidden(ch) and ch not in keep else ch for ch in text)


def visible_value(value: object) -> object:
    """`visible` for a text value; anything else as it is (for table cells)."""
    return visible(value) if isinstance(value, str) else value


def lookalike_key(text: str) -> str:
    """What an id reads as: NFKC, invisible characters dropped, case folded, Latin lookalikes mapped."""
    norm = unicodedata.normalize("NFKC", text)
    shown = "".join(ch for ch in norm if not _hidden(ch) or ch == " ")
    return unicodedata.normalize("NFKC", shown.casefold().translate(_CONFUSABLE))
