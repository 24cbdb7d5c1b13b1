"""Tables as spreadsheet files: CSV text (the one way a table becomes CSV: exports and the reports'
"download CSV" links) and XLSX workbooks (openpyxl, the `launchkit[xlsx]` extra).

Values are raw: numbers unformatted (amounts in USD as computed, shares as fractions 0-1), dates and
timestamps ISO 8601 in UTC, missing values empty, never 0. A text cell a spreadsheet would read as a
formula (starting with = + - @, a tab or a carriage return: CSV injection) gets a leading apostrophe
in CSV and is stored as text in XLSX, so opening an export never runs data. Files are UTF-8 with a
byte-order mark, so Excel reads accented names right. No plotly here: commands and kernels use it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from launchkit.errors import LaunchkitError
from launchkit.store import atomic

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(v: str) -> str:
    """A text cell a spreadsheet will not run: a leading apostrophe before a formula character."""
    return "'" + v if v.startswith(_FORMULA_START) else v


def csv_text(df: pd.DataFrame) -> str:
    """`df` as CSV text (header, no index): raw numbers, ISO dates and timestamps, missing values empty."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = s.map(lambda v: v.isoformat() if pd.notna(v) else None).astype(object)
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.map(_csv_cell).astype(object)
    return out.to_csv(index=False, lineterminator="\n", na_rep="")


def _csv_cell(v: Any) -> Any:
    if isinstance(v, str):
        return _safe_text(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


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
                    v = ILLEGAL_CHARACTERS_RE.sub("", v)
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                elif isinstance(v, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(v, date):
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "A2"
        for c, col in enumerate(df.columns, start=1):
            ws.column_dimensions[get_column_letter(c)].width = min(60, max(10, len(str(col)) + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return atomic.write_bytes(path, buf.getvalue())
