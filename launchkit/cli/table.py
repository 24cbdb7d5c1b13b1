"""A frame as an aligned text table for the terminal: chosen columns, headers people read, each value
formatted with its unit (launchkit.reports.text.fmt: 98.4 %, $0.25, 5,967 ms, 12,973), missing as —.

`--json` prints every column raw; the table shows the ones a person compares at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Column:
    """A column of the table: the frame's column, its header, its unit ("%", "$", "ms", "" a count)."""

    name: str
    header: str
    unit: str = ""
    digits: int | None = None


def text_table(frame: pd.DataFrame, columns: Sequence[Column]) -> str:
    """The frame's rows under the columns it has (text left-aligned, numbers right-aligned)."""
    from launchkit.reports.text import fmt

    cols = [c for c in columns if c.name in frame.columns]
    cells = [[_cell(row[c.name], c, fmt) for c in cols] for row in frame.to_dict("records")]
    numeric = [pd.api.types.is_numeric_dtype(frame[c.name]) for c in cols]
    widths = [max([len(c.header), *(len(r[i]) for r in cells)]) for i, c in enumerate(cols)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    return "\n".join([line([c.header for c in cols]), *(line(r) for r in cells)])


def _cell(value: Any, column: Column, fmt: Any) -> str:
    if column.unit == "" and isinstance(value, float) and value.is_integer():
        value = int(value)  # a count the query summed as a float: 15612.0 is 15,612
    return str(fmt(value, column.unit, column.digits))
