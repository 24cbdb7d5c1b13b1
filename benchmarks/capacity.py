"""Capacity projection, checked: does a pilot at 1/20 of a target traffic predict the target's p99 minute?

    .venv/bin/python benchmarks/capacity.py --seeds 20 [--rate 6] [--scale 20] [--days 21] [--day-levels]

For each seed, two synthetic pilots of the same generator (launchkit.synth) with independent seeds: a
small one at --rate sessions/hour (weekday business hours) and a big one at --scale times that. The
small pilot's last 14 days are projected (launchkit.analytics.capacity.projection) to --scale times
their sessions a day over the next 7 days, and the big pilot's last 7 days give the p99 minute that
happened (requests and total tokens per minute, per model). A hit: the big pilot's p99 minute lies in
the projection's 95 % interval. Target: at least 18 of 20 seeds for every model and measure.
Shown per model and measure: hits, misses below and above the interval, the medians of the actual and
projected p99 minute, of the interval's width (absolute and relative to the projected p99) and of
what the naive projection (one minute's count x scale) would have said.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from launchkit import synth
from launchkit.analytics.capacity.load import observed_percentiles, pilot_load
from launchkit.analytics.capacity.projection import project
from launchkit.contract import TABLES
from launchkit.store.warehouse import Warehouse

MEASURES = ("requests", "total_tokens")


def warehouse(days: int, rate: float, seed: int) -> Warehouse:
    pilot = synth.generate_frames(days=days, seed=seed, sessions_per_hour=rate)
    wh = Warehouse.memory()
    for name in ("sessions", "turns"):
        df = pilot.frames[name]
        cols = TABLES[name].column_names
        wh.con.register("_frame", df[cols])
        wh.execute(f"INSERT INTO {name} ({', '.join(cols)}, _load_id) SELECT {', '.join(cols)}, 0 FROM _frame")
        wh.con.unregister("_frame")
    return wh


def one(
    seed: int, rate: float, scale: float, days: int, replicates: int, day_levels: bool, at_actual: bool
) -> dict[str, Any]:
    start = synth.DEFAULT_START
    small, big = warehouse(days, rate, 1000 + seed), warehouse(days, rate * scale, 2000 + seed)
    last = start + timedelta(days=days - 1)
    train = pilot_load(small, last - timedelta(days=13), last, UTC)
    test = pilot_load(big, last - timedelta(days=6), last, UTC)
    out: dict[str, Any] = {}
    k = scale
    if at_actual and train.sessions_per_day and test.sessions_per_day:
        k = test.sessions_per_day / train.sessions_per_day  # the S a team would be asked about: what happened
    out["sessions a day, big / small"] = k
    for key in train.keys:
        proj = project(
            train.minutes[key],
            k,
            horizon_days=7,
            first_weekday=(last - timedelta(days=6)).weekday(),
            replicates=replicates,
            seed=seed,
            day_levels=day_levels,
        )
        for m in MEASURES:
            actual = observed_percentiles(test.minutes[key], m)["p99"]
            q = proj.measures[m].p99
            naive = float(np.quantile(train.minutes[key][m].to_numpy() * scale, 0.99))
            out[f"{key[1]} {m}"] = (q.low <= actual <= q.high, actual, q.estimate, q.low, q.high, naive)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--rate", type=float, default=6.0, help="small pilot: sessions/hour at the weekday peak")
    ap.add_argument("--scale", type=float, default=20.0)
    ap.add_argument("--days", type=int, default=21)
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--day-levels", action="store_true", help="project with a level per day (project(day_levels=))")
    ap.add_argument(
        "--at-actual-sessions",
        action="store_true",
        help="project to the big pilot's own sessions a day (its test week over the small pilot's window), "
        "the traffic the projection is asked about, instead of --scale x the small pilot's",
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    hits: dict[str, list[bool]] = {}
    rows: dict[str, list[tuple[float, ...]]] = {}
    ratios = []
    for seed in range(args.seeds):
        res = one(seed, args.rate, args.scale, args.days, args.replicates, args.day_levels, args.at_actual_sessions)
        ratios.append(res.pop("sessions a day, big / small"))
        for name, (hit, *vals) in res.items():
            hits.setdefault(name, []).append(hit)
            rows.setdefault(name, []).append(tuple(vals))
        print(f"seed {seed}: done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    levels = ", a level per day" if args.day_levels else ""
    levels += ", at the big pilot's own sessions a day" if args.at_actual_sessions else ""
    print(
        f"projection from 1/{args.scale:g} of the traffic{levels}, {args.seeds} seeds "
        f"({time.perf_counter() - t0:.0f} s); medians over the seeds; the big pilot's sessions a day over the "
        f"small's: {min(ratios):.2f}-{max(ratios):.2f} (median {np.median(ratios):.2f})"
    )
    print(
        f"{'model measure':<30} {'hits':>5} {'below':>5} {'above':>5} {'actual p99':>11} {'projected':>10} "
        f"{'width':>9} {'width/proj':>10} {'naive x scale':>13}"
    )
    for name in sorted(hits):
        r = np.array(rows[name])
        actual, low, high = r[:, 0], r[:, 2], r[:, 3]
        relative = np.median((high - low) / np.where(r[:, 1] > 0, r[:, 1], np.nan))
        print(
            f"{name:<30} {sum(hits[name]):>2}/{len(hits[name]):<2} {int((actual < low).sum()):>5} "
            f"{int((actual > high).sum()):>5} {np.median(actual):>11,.0f} {np.median(r[:, 1]):>10,.0f} "
            f"{np.median(high - low):>9,.0f} {relative:>10.2f} {np.median(r[:, 4]):>13,.0f}"
        )


if __name__ == "__main__":
    main()
