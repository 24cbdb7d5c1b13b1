"""Columns of the synthetic tables from numpy arrays: timestamps, text, numbered ids, children per parent.

Shared by the generator (launchkit.synth.frames) and the events it adds (launchkit.synth.events), so
a column of either reads the same: tz-aware UTC timestamps, pandas' text dtype, missing as missing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def timestamps(ms: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """Epoch milliseconds -> tz-aware UTC timestamps; `missing` marks NaT."""
    out = pd.Series(pd.to_datetime(np.asarray(ms, dtype=np.int64), unit="ms", utc=True))
    if missing is not None and missing.any():
        out = out.mask(missing)
    return out


def zfill(values: np.ndarray, width: int) -> np.ndarray:
    """Whole numbers as zero-padded strings (np.char.zfill fails on an empty array)."""
    text = np.asarray(values).astype(str)
    return np.char.zfill(text, width) if len(text) else text


def numbered(prefix: str, n: int, width: int | None = None) -> np.ndarray:
    """prefix + zero-padded 1..n (6 digits unless `width`), as a numpy string array."""
    return np.char.add(prefix, zfill(np.arange(1, n + 1), width or max(6, len(str(n)))))


def within(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For children repeated `counts` times per parent: (parent index, 0-based index within parent)."""
    parent = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    return parent, np.arange(int(counts.sum())) - np.repeat(first, counts)


# pandas >= 3 has a string dtype ("str", missing = NaN); before, text columns are objects (missing = None)
_STR_DTYPE: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object


def text_column(values: np.ndarray, missing: np.ndarray | None = None) -> pd.Series:
    """A text column; `missing` marks missing values."""
    s = pd.Series(np.asarray(values, dtype=object))
    if missing is not None and missing.any():
        s[missing] = None
    return s.astype(_STR_DTYPE)
