"""Numbers as people read them, the same in every tile, table, chart label and summary line.

97.1 %, $0.21, 2,345 ms, yes / no; a missing value is an em dash, never 0; a count with its noun
in the right number ("1 session", "2 sessions"); a table column's unit from its name when the
caller gives none (`column_unit`); a moment on the clock of the zone the caller passes, [reports]
timezone, with its abbreviation ("2026-03-29 03:15 CEST"). There is no process-wide zone: a time
formatted without one is an error, never UTC by default.
"""

from __future__ import annotations

import math
import numbers
from datetime import UTC, date, datetime, tzinfo
from typing import Any

import numpy as np
import pandas as pd

from launchkit.analytics.headlines import STATE_LABELS as STATE_LABELS  # re-exported: the tables' words
from launchkit.catalogue import unit as catalogue_unit
from launchkit.window import clock, zone_name


def time_axis(kind: str, tz: tzinfo) -> str:
    """An axis title that names the zone: 'time (UTC)', 'day (Europe/Berlin)'."""
    return f"{kind} ({zone_name(tz)})"


def on_clock(v: Any, tz: tzinfo) -> Any:
    """Instants (a tz-aware datetime or pandas column) as `tz`'s wall clock, without the zone (plotly draws
    the wall clock it is given and ignores offsets); anything else as it is."""
    if isinstance(v, pd.Series) and isinstance(v.dtype, pd.DatetimeTZDtype):
        return v.dt.tz_convert(tz).dt.tz_localize(None)
    if isinstance(v, datetime) and v.tzinfo is not None:
        return pd.Timestamp(v).tz_convert(tz).tz_localize(None)
    return v


def missing(v: Any) -> bool:
    """None, NaN, NaT or pandas NA: a value that is not there."""
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


class ZoneMissing(TypeError):
    """A time was to be shown without the zone to show it in (a defect of the caller, not of the data)."""


def moment(value: datetime | pd.Timestamp, tz: tzinfo) -> str:
    """A time on `tz`'s clock with the zone's abbreviation ('2026-03-29 03:15 CEST'); a naive time is UTC, as
    the warehouse stores them; missing is an em dash."""
    if missing(value):
        return "—"
    ts = pd.Timestamp(value)
    return clock((ts if ts.tzinfo is not None else ts.tz_localize(UTC)).to_pydatetime(), tz)


def fmt(value: Any, unit: str = "", digits: int | None = None) -> str:
    """A number for people: 97.1 %, $0.21, 2,345 ms; missing is an em dash, never 0. A time raises
    ZoneMissing: it is shown by `moment(value, tz)`, on the clock of a zone the caller names."""
    if missing(value):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (datetime, pd.Timestamp)):
        raise ZoneMissing(f"the time {value} is shown without a zone: text.moment(value, tz)")
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, numbers.Real):
        return str(value)
    integral = isinstance(value, numbers.Integral)
    value = float(value) if not integral else int(value)  # type: ignore[call-overload]
    if math.isinf(value):
        return "unbounded" if value > 0 else "−unbounded"
    if unit == "%":
        return f"{value * 100:.{1 if digits is None else digits}f} %"
    if unit == "$":
        d = digits if digits is not None else (2 if abs(value) >= 0.1 or value == 0 else 4)
        text = f"${abs(value):,.{d}f}"
        return f"-{text}" if value < 0 and text.strip("$0.,") else text  # -$0.23, never $-0.23
    if integral or (float(value).is_integer() and digits is None):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.{1 if digits is None else digits}f}"
    return f"{text} {unit}".rstrip()


def plural_of(noun: str) -> str:
    """The English plural of a regular noun: session -> sessions, breach -> breaches, day -> days,
    entry -> entries. Irregular ones (criterion) are given to `plural` explicitly."""
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if len(noun) > 1 and noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def plural(n: Any, noun: str, many: str | None = None) -> str:
    """A count with its noun: '1 session', '0 sessions', '2,345 sessions', '1 breach', '2 breaches';
    a missing count is '— sessions'. `many` gives an irregular plural (plural(3, 'criterion', 'criteria'))."""
    many = many or plural_of(noun)
    if missing(n):
        return f"— {many}"
    return f"{fmt(n)} {noun if n == 1 else many}"


def column_unit(name: str) -> str:
    """The unit of a table column from its name, when the table's caller names none: a catalogue
    metric's unit, else by suffix: *_usd money ('$'), *_rate and *share a 0-1 share ('%'), *_pct
    a share already in percent ('pct'), *_ms milliseconds ('ms')."""
    known = catalogue_unit(name)
    if known in ("%", "$", "ms"):
        return known
    if name.endswith("_usd"):
        return "$"
    if name.endswith(("_rate", "share")):
        return "%"
    if name.endswith("_pct"):
        return "pct"
    if name.endswith("_ms"):
        return "ms"
    return ""
