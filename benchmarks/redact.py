"""Redaction in the debrief: what `redact=True` costs the library calls that shape the debrief's free text.

The debrief reads the day's feedback (records.feedback), its recurring themes (themes.themes) and its
incidents (records.incidents). Each is timed with redact=True and redact=False on a synthetic pilot's
warehouse (or one you give), for the debrief's day and for the whole pilot (more comments, a steadier
figure); the difference is the redaction's cost, printed as comments per second. The medians of
--repeat alternating runs are printed (the machine is shared: alternation spreads its noise).

    python benchmarks/redact.py [--warehouse W] [--days 14] [--repeat 9]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from launchkit import synth
from launchkit.analytics import records, span, themes
from launchkit.config import load_config
from launchkit.jobs import load
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "redact"


def _warehouse(days: int) -> Path:
    wh = DATA / f"pilot-{days}d.duckdb"
    if not wh.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        out = DATA / f"pilot-{days}d"
        synth.generate(out, days=days, tenants=8, seed=7, scenario="healthy")
        with Warehouse.open(wh) as db:
            load.run(db, [out], load_config(warehouse=str(wh)))
    return wh


def _debrief_text(db: Warehouse, w: Window, redact: bool) -> int:
    """What the debrief notebook does with free text; returns the number of comments."""
    fb = records.feedback(db, w, redact=redact)
    themes.themes(fb["comment"], redact=redact)
    records.incidents(db, w, redact=redact)
    return int(fb["comment"].notna().sum())


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", type=Path, default=None)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    wh = args.warehouse or _warehouse(args.days)
    with Warehouse.open(wh, read_only=True) as db:
        first, last = span.activity_span(db)
        assert first is not None and last is not None, "empty warehouse"
        windows = {"debrief day": Window.day(last.date()), "whole pilot": Window.range(first.date(), last.date())}
        for label, w in windows.items():
            n = _debrief_text(db, w, True)
            on = _median_seconds(lambda w=w: _debrief_text(db, w, True), args.repeat)
            off = _median_seconds(lambda w=w: _debrief_text(db, w, False), args.repeat)
            extra = max(on - off, 1e-9)
            print(
                f"{label}: {n} comments; feedback+themes+incidents {off * 1000:.1f} ms unredacted, "
                f"{on * 1000:.1f} ms redacted (+{extra * 1000:.1f} ms): {n / extra:,.0f} comments/s of redaction"
            )


if __name__ == "__main__":
    main()
