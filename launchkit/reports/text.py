"""Numbers as people read them, the same in every tile, table, chart label and summary line.

97.1 %, $0.21, 2,345 ms; a missing value is an em dash, never 0.
"""

from __future__ import annotations

import math
import numbers
from datetime import date, datetime
from typing import Any

import pandas as pd


def missing(v: Any) -> bool:
    """None, NaN, NaT or pandas NA: a value that is not there."""
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def fmt(value: Any, unit: str = "", digits: int | None = None) -> str:
    """A number for people: 97.1 %, $0.21, 2,345 ms; missing is an em dash, never 0."""
    if missing(value):
        return "—"
    if isinstance(value, (datetime, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    integral = isinstance(value, numbers.Integral)
    value = float(value) if not integral else int(value)  # type: ignore[call-overload]
    if math.isinf(value):
        return "unbounded" if value > 0 else "−unbounded"
    if unit == "%":
        return f"{value * 100:.{1 if digits is None else digits}f} %"
    if unit == "$":
        d = digits if digits is not None else (2 if abs(value) >= 0.1 or value == 0 else 4)
        return f"${value:,.{d}f}"
    if integral or (float(value).is_integer() and digits is None):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.{1 if digits is None else digits}f}"
    return f"{text} {unit}".rstrip()
