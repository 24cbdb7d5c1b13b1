"""Tables as spreadsheet files: CSV text (the one way a table becomes CSV: exports and the reports'
"download CSV" links) and XLSX workbooks (openpyxl, the `launchkit[xlsx]` extra).

Values are raw: numbers unformatted (amounts in USD as computed, shares as fractions 0-1), dates and
timestamps ISO 8601 in UTC, missing values empty, never 0; a workbook's cells carry number formats
(currency, percent, whole numbers, dates) by their column's unit, so they read right and stay numbers. A text cell a spreadsheet would read as a
formula (starting with = + - @, a tab or a carriage return: CSV injection, OWASP's list) gets a
leading apostrophe in CSV (a number, and a text that is a plain number such as `-12.5`, stays as it
is: it cannot hold a formula and reads as the number) and is stored as text in XLSX, so opening an
export never runs data. The same apostrophe goes after a `;`, CR or LF inside a text when a formula
character follows (`a;=cmd` becomes `a;'=cmd`): a reader splitting on `;`, or on every line end,
would start a cell there. A CSV field holding `,`, `;`, a quote, CR or LF is quoted, so a reader
splitting on either separator (Excel's `;` in many locales) keeps every field whole and every row
one row. Text cells show characters a reader cannot see as <U+XXXX> (`acme<U+200B>`: launchkit.visible), tabs
and line ends apart. `csv_rows` is the one CSV writer: the exports, the tickets file and the reports' download
links all go through it (docs/reports.md, "CSV files"). Files are UTF-8 with a
byte-order mark, so Excel reads accented names right. No plotly here: commands and kernels use it.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from launchkit.errors import LaunchkitError
from launchkit.store import atomic
from launchkit.visible import visible

BOM = "\ufeff"
_CELL_KEEP = "\t\n\r"  # a cell may hold lines; every other invisible character is shown (launchkit.visible)
# OWASP's CSV-injection list: a cell starting with one of these is read as a formula by some spreadsheet
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A field with one of these is quoted: both separators a spreadsheet may split on (`,`, and `;` where
# the decimal mark is a comma), the quote itself, and both line ends (a bare CR ends a row for Excel)
_QUOTE_IF = frozenset(',;"\r\n')
# A text that is a plain decimal number: a spreadsheet reads it as that number, never as a formula
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


# Inside a text, where a reader that splits on `;` (or on a line end: a quote in mid-field is no quote
# to it) starts a new cell: after `;`, CR or LF, optionally a quote, then a formula character.
_INNER_CELL = re.compile(r'([;\r\n]"?)(?=[=+\-@\t\r])')


def _safe_text(v: str) -> str:
    """A text cell a spreadsheet will not run: a leading apostrophe before a formula character, except
    on a plain number (`-12.5` stays readable as the number it is: no formula can hide in it); and one
    where a `;` or a line end inside the text would start a cell for a reader splitting there."""
    v = _INNER_CELL.sub(r"\1'", v)
    if v.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(v):
        return "'" + v
    return v


def csv_field(v: Any) -> str:
    """One value as a CSV field: numbers as computed, ISO dates, empty for missing, text guarded and quoted."""
    v = cell_text(v)
    if any(c in _QUOTE_IF for c in v):
        return '"' + v.replace('"', '""') + '"'
    return v


def cell_text(v: Any) -> str:
    """One value as CSV text, before quoting: text through the formula guard, numbers unformatted."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, str):
        return _safe_text(visible(v, keep=_CELL_KEEP))
    if hasattr(v, "item") and type(v).__module__ == "numpy":
        v = v.item()
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ""
    if isinstance(v, bool | int):
        return str(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    return _safe_text(str(v))


def csv_rows(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """The one CSV writer (every export, the tickets file, the reports' download links): a header and
    rows, `\n` line ends, each field through `csv_field`."""
    lines = [",".join(csv_field(h) for h in header)]
    lines += [",".join(csv_field(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def csv_text(df: pd.DataFrame) -> str:
    """`df` as CSV text (header, no index): raw numbers, ISO dates and timestamps, missing values empty."""
    cols = []
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.map(lambda v: v.isoformat() if pd.notna(v) else None)
        elif pd.api.types.is_datetime64_dtype(s.dtype):
            days = s.dropna()
            whole = bool((days == days.dt.normalize()).all())
            s = s.map(lambda v, whole=whole: None if pd.isna(v) else (v.date().isoformat() if whole else str(v)))
        cols.append(s.astype(object).tolist())
    return csv_rows([str(c) for c in df.columns], zip(*cols) if cols else [])


def cell_value(v: Any) -> Any:
    """A table value as a spreadsheet cell: None for missing, plain numbers, naive UTC datetimes, dates."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            v = v.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones: UTC, as the header says
        return v.date() if v == datetime(v.year, v.month, v.day) else v
    if hasattr(v, "item") and type(v).__module__ == "numpy":
        return cell_value(v.item())
    return v


USD_FORMAT = '"$"#,##0.00'
FRACTION_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"


def number_format(column: str, v: Any) -> str:
    """A cell's Excel number format, by its column's unit (the files' convention: `*_usd` an amount in USD,
    `*_fraction` a share 0-1 shown as a percentage) or its value (a whole number, a date, a time)."""
    if isinstance(v, bool) or v is None:
        return "General"
    if isinstance(v, datetime):
        return "yyyy-mm-dd hh:mm:ss"
    if isinstance(v, date):
        return "yyyy-mm-dd"
    if column.endswith("_usd"):
        return USD_FORMAT
    if column.endswith("_fraction"):
        return FRACTION_FORMAT
    if isinstance(v, int):
        return COUNT_FORMAT
    return "#,##0.00##"


def write_csv(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """One CSV file per table (<name>.csv) in `folder`, each written whole or not at all."""
    return [atomic.write_text(folder / f"{name}.csv", BOM + csv_text(df)) for name, df in tables.items()]


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """One XLSX workbook with one sheet per table (openpyxl: `pip install 'launchkit[xlsx]'`)."""
    try:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise LaunchkitError(
            "--format xlsx needs openpyxl: pip install 'launchkit[xlsx]' (or use --format csv)"
        ) from None
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables.items():
        ws = wb.create_sheet(title=name[:31])
        ws.append([str(c) for c in df.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r, rec in enumerate(df.itertuples(index=False, name=None), start=2):
            for c, raw in enumerate(rec, start=1):
                v = cell_value(raw)
                if isinstance(v, str):
                    v = ILLEGAL_CHARACTERS_RE.sub("", visible(v, keep=_CELL_KEEP))
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                else:
                    cell.number_format = number_format(str(df.columns[c - 1]), v)
        ws.freeze_panes = "A2"
        for c, col in enumerate(df.columns, start=1):
            ws.column_dimensions[get_column_letter(c)].width = min(60, max(10, len(str(col)) + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return atomic.write_bytes(path, buf.getvalue())
