"""Text from outside (a file name, a path) made safe for a log line: control characters escaped.

A newline in an inbox file's name would otherwise start a forged line in the hourly log (a whole
`hourly ... OK`), and an escape sequence would steer the terminal reading it. Every C0/C1 control
character, DEL, and the Unicode line and paragraph separators become a visible `\\xNN` / `\\uNNNN`.
Other text is unchanged.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(m: re.Match[str]) -> str:
    c = m.group(0)
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def printable(text: object) -> str:
    """`text` with every control character escaped (one line, never a terminal command)."""
    s = str(text)
    return _CONTROL.sub(_escaped, s) if _CONTROL.search(s) else s
