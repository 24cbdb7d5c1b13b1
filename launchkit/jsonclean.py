"""The one JSON cleaner: any result launchkit prints or writes becomes strict, stable JSON.

NaN, infinities, NaT and pandas' NA become null (missing is never 0); numpy scalars, Decimals,
dates and timestamps become plain values; DataFrames become lists of records; objects with a
`to_json()` are asked for theirs. Floats keep 12 significant digits: DuckDB sums doubles in
parallel, so the last bits of a sum can differ between two runs over the same rows, and a re-run
report must be identical.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def clean(value: Any) -> Any:
    """A strict-JSON-ready copy of `value` (see the module docstring)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return float(f"{value:.12g}") if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [clean(v) for v in value]
    if isinstance(value, Decimal):
        return clean(float(value))
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    module = type(value).__module__
    if module.startswith("pandas"):
        return _pandas(value)
    if module.startswith("numpy"):
        return clean(value.tolist() if hasattr(value, "tolist") else value.item())
    if hasattr(value, "to_json") and callable(value.to_json):
        return clean(value.to_json())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _timestamp(value: Any) -> str | None:
    import pandas as pd  # pandas timestamps are datetimes too

    if value is pd.NaT:
        return None
    return pd.Timestamp(value).isoformat() if type(value).__module__.startswith("pandas") else value.isoformat()


def _pandas(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return [clean(r) for r in value.to_dict("records")]
    if isinstance(value, pd.Series):
        return [clean(v) for v in value.tolist()]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return clean(value.item()) if hasattr(value, "item") else value
