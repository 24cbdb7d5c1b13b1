"""Decision quality per pilot: run the end-of-day decision every evening of many synthetic 30-day pilots
and score it against what was injected.

    .venv/bin/python benchmarks/decisions.py --pilots 100 --levels 100 [--jobs 2] [--json out.json]
    .venv/bin/python benchmarks/decisions.py --before /tmp/before ...   # the same on another checkout

A team decides every evening, so what it lives with is the error rate per *pilot*. For each traffic level
(mean weekday business-hour sessions per hour) and pilot (seed):
- healthy: decide every weekday from day 7 (the first with a full baseline) to day 29: 17 evenings. A
  pilot with at least one HOLD (or ROLLBACK) had a false HOLD (ROLLBACK); at 20/h the non-EXPAND
  evenings are also classed by what they say (INSUFFICIENT DATA only, each such reason with a data_needed
  entry asking for more observations or days; a "regressed" reason; UNTRUSTED DATA) and the verdicts
  their reasons carry are counted.
- the generator's problem scenarios (latency x2.2, a tool failing 35 %, tokens x3; from day 18, a Friday) and effects at the
  floors of the minimum effects, injected into a healthy pilot from day 16 (a Wednesday, so both evenings scored are weekdays) with no
  incident row, so the metrics alone must catch them: latency x1.15, tokens (and cost) x1.25, one tool
  (sql_query) failing 5 % of its calls, CSAT -5 points. Detected on day one: HOLD or ROLLBACK on the
  problem day; within 2 days: on the problem day or the next.
Rates are per pilot with Wilson 95 % intervals. Cost: ~1 s per decision at 100/h on a quiet 2-core
machine (more at 500/h; the last-good baseline also judges each earlier day once per pilot), so a
healthy 30-day pilot takes ~30-60 s; see the printed wall time.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DAYS = 30
FIRST_DECIDED_DAY = 7  # the first day with a full 7-day baseline
PROBLEM_DAY = 18  # launchkit.synth.parameters.problem_day_index(30): a Friday
FLOOR_DAY = 16  # a Wednesday: the effects at the floors get two weekday evenings
PROBLEMS = ("latency-regression", "tool-outage", "cost-overrun")
FLOORS = ("latency x1.15", "tokens x1.25", "sql_query fails 5%", "csat -5 points")


def _import(before: str | None) -> Any:
    """launchkit from this checkout, or from `before` (an extracted copy of another commit)."""
    sys.path.insert(0, before or str(ROOT))
    return importlib.import_module("launchkit")


def load_frames(con: Any, frames: dict[str, Any], tables: Any) -> None:
    """Insert generated frames into the contract tables (lineage _load_id 0)."""
    for name, df in frames.items():
        cols = tables[name].column_names
        con.con.register("_frame", df[cols])
        con.execute(f"INSERT INTO {name} ({', '.join(cols)}, _load_id) SELECT {', '.join(cols)}, 0 FROM _frame")
        con.con.unregister("_frame")


def inject(frames: dict[str, pd.DataFrame], effect: str, since: pd.Timestamp, seed: int) -> None:
    """Apply an effect at the floor to every row from `since` on (in place)."""
    rng = np.random.default_rng(seed + 7919)
    if effect == "latency x1.15":
        t = frames["turns"]
        t.loc[t["started_at"] >= since, "latency_ms"] *= 1.15
    elif effect == "tokens x1.25":
        t = frames["turns"]
        hit = t["started_at"] >= since
        for col in ("input_tokens", "output_tokens"):
            t.loc[hit, col] = np.round(t.loc[hit, col] * 1.25).astype(t[col].dtype)
        t.loc[hit, "cost_usd"] *= 1.25
        v = frames["vendor_costs"]
        v.loc[pd.to_datetime(v["usage_date"]) >= since.tz_localize(None), "amount_usd"] *= 1.25
    elif effect == "sql_query fails 5%":
        c = frames["tool_calls"]
        hit = (c["started_at"] >= since) & (c["tool_name"] == "sql_query") & (c["status"] == "ok")
        base = 1 - float((frames["tool_calls"]["status"] == "ok")[c["tool_name"] == "sql_query"].mean())
        flip = hit & (rng.random(len(c)) < (0.05 - base) / (1 - base))
        c.loc[flip, "status"] = "error"
        c.loc[flip, "error_type"] = "warehouse_busy"
    elif effect == "csat -5 points":
        f = frames["feedback"]
        rated = f["rating"].notna()
        csat = float((f.loc[rated, "rating"] >= 4).mean())
        hit = (f["submitted_at"] >= since) & rated & (f["rating"] >= 4)
        f.loc[hit & (rng.random(len(f)) < 0.05 / csat), "rating"] = 3
    else:
        raise ValueError(effect)


def run_one(scenario: str, seed: int, level: float, before: str | None) -> dict[str, Any]:
    """Generate one pilot and decide the evenings the scenario is scored on."""
    _import(before)
    from launchkit import synth
    from launchkit.analytics import decision
    from launchkit.config import load_config
    from launchkit.contract import TABLES

    try:
        from launchkit.store.warehouse import Warehouse
    except ImportError:  # a checkout from before store.runner was renamed
        from launchkit.store.runner import Warehouse  # type: ignore[no-redef]

    t0 = time.perf_counter()
    gen = scenario if scenario in PROBLEMS else "healthy"
    pilot = synth.generate_frames(days=DAYS, seed=seed, scenario=gen, sessions_per_hour=level)
    start = date.fromisoformat(pilot.ground_truth["start"])
    pday = start + timedelta(days=FLOOR_DAY if scenario in FLOORS else PROBLEM_DAY)
    if scenario in FLOORS:
        inject(pilot.frames, scenario, pd.Timestamp(pday.isoformat(), tz="UTC"), seed)
    con = Warehouse.memory()
    load_frames(con, pilot.frames, TABLES)
    cfg = load_config(env={"LAUNCHKIT_CONFIG": "none"})  # the defaults: never a launchkit.toml found upwards
    kw: dict[str, Any] = {"store": False}
    if "memo" in inspect.signature(decision.decide).parameters:
        kw["memo"] = {}  # the pilot's data do not change: earlier days are judged once

    def decide(d: date) -> dict[str, Any]:
        dec = decision.decide(con, d, cfg, **kw)
        reasons = dec.reasons
        return {
            "day": d.isoformat(),
            "recommendation": dec.recommendation,
            "codes": sorted({r["code"] for r in reasons}),
            "regressed": any("regressed" in r.get("message", "") for r in reasons),
            "untrusted": any(
                "UNTRUSTED" in r.get("message", "") or r.get("verdict") == "UNTRUSTED DATA" for r in reasons
            ),
            "insufficient_only": all(
                r["code"] in ("data",) or r.get("verdict") == "INSUFFICIENT DATA" for r in reasons
            ),
            "says_needed": bool(dec.data_needed),
            "needs_all": all(_says_needed(r, dec.data_needed) for r in reasons),
            "what": sorted({str(r.get("verdict") or " ".join(r.get("message", "").split()[:3])) for r in reasons}),
        }

    out: dict[str, Any] = {"scenario": scenario, "seed": seed, "level": level}
    if scenario == "healthy":
        days = [start + timedelta(days=k) for k in range(FIRST_DECIDED_DAY, DAYS)]
        out["evenings"] = [decide(d) for d in days if d.weekday() < 5]
    else:
        out["evenings"] = [decide(pday), decide(pday + timedelta(days=1))]
    con.close()
    out["seconds"] = time.perf_counter() - t0
    return out


def _says_needed(reason: dict[str, Any], needed: list[dict[str, Any]]) -> bool:
    """Whether an INSUFFICIENT DATA reason has a data_needed entry asking for more (observations or days)."""
    if reason["code"] != "data" and reason.get("verdict") != "INSUFFICIENT DATA":
        return True
    if reason["code"] == "criterion":
        mine = [n for n in needed if n.get("criterion") == reason["criterion"]]
    else:  # a comparison's entry: what the day has and needs
        mine = [n for n in needed if n.get("metric") == reason["metric"] and "have" in n]
    return any((n.get("more") or 0) > 0 or n.get("need_days", 0) > n.get("days", 0) for n in mine)


def wilson(k: int, n: int) -> str:
    """k/n with its Wilson 95 % interval."""
    if not n:
        return "n/a"
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{k}/{n} ({p:.1%}, {max(0, centre - half):.1%}-{min(1, centre + half):.1%})"


def summarise(results: list[dict[str, Any]]) -> str:
    lines = [
        "| sessions/h | scenario | pilots | measure | pilots (rate, Wilson 95 %) |",
        "|---|---|---|---|---|",
    ]
    for level in sorted({r["level"] for r in results}):
        at = [r for r in results if r["level"] == level]
        healthy = [r for r in at if r["scenario"] == "healthy"]
        if healthy:
            n = len(healthy)
            ev = [e for r in healthy for e in r["evenings"]]
            hold = sum(any(e["recommendation"] != "EXPAND" for e in r["evenings"]) for r in healthy)
            rb = sum(any(e["recommendation"] == "ROLLBACK" for e in r["evenings"]) for r in healthy)
            nx = [e for e in ev if e["recommendation"] != "EXPAND"]
            for what, k in (("false HOLD (>= 1 per pilot)", hold), ("false ROLLBACK (>= 1 per pilot)", rb)):
                lines.append(f"| {level:g} | healthy | {n} | {what} | {wilson(k, n)} |")
            lines.append(f"| {level:g} | healthy | {n} | HOLD per evening | {wilson(len(nx), len(ev))} |")
            said: dict[str, int] = {}
            for e in nx:
                for w in e.get("what", []):
                    said[w] = said.get(w, 0) + 1
            if said:
                what = ", ".join(f"{w}: {k}" for w, k in sorted(said.items(), key=lambda x: -x[1]))
                lines.append(f"| {level:g} | healthy | {n} | non-EXPAND evenings saying (reasons' verdicts) | {what} |")
            if nx:
                lines.append(
                    f"| {level:g} | healthy | {n} | non-EXPAND evenings: INSUFFICIENT DATA only, with what is "
                    f"needed / a 'regressed' reason / UNTRUSTED DATA | "
                    f"{sum(e['insufficient_only'] and e.get('needs_all', e['says_needed']) for e in nx)} / "
                    f"{sum(e['regressed'] for e in nx)} / {sum(e['untrusted'] for e in nx)} of {len(nx)} |"
                )
        for sc in PROBLEMS + FLOORS:
            rs = [r for r in at if r["scenario"] == sc]
            if not rs:
                continue
            flagged = [[e["recommendation"] != "EXPAND" for e in r["evenings"]] for r in rs]
            d1 = sum(f[0] for f in flagged)
            d2 = sum(any(f) for f in flagged)
            lines.append(f"| {level:g} | {sc} | {len(rs)} | flagged on day one | {wilson(d1, len(rs))} |")
            lines.append(f"| {level:g} | {sc} | {len(rs)} | flagged within 2 days | {wilson(d2, len(rs))} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pilots", type=int, default=100, help="healthy pilots per level at 100/h")
    ap.add_argument("--effect-pilots", type=int, default=30, help="pilots per problem or floor scenario and level")
    ap.add_argument("--other-levels-share", type=float, default=0.5, help="pilots at other levels, as a share")
    ap.add_argument("--first-seed", type=int, default=100)
    ap.add_argument("--levels", default="20,100,500", help="sessions per hour, comma-separated")
    ap.add_argument("--scenarios", default="healthy," + ",".join(PROBLEMS + FLOORS))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--before", help="a directory holding another checkout's launchkit package (git archive)")
    ap.add_argument("--json", dest="json_out", help="write the raw results here (as they come)")
    ap.add_argument("--summarise", help="only print the table of a --json file written before")
    args = ap.parse_args(argv)
    if args.summarise:
        print(summarise(json.loads(Path(args.summarise).read_text(encoding="utf-8"))))
        return 0
    levels = [float(x) for x in args.levels.split(",") if x.strip()]
    scenarios = [s for s in args.scenarios.split(",") if s]
    jobs = []
    for lv in levels:
        share = 1.0 if lv == 100 else args.other_levels_share
        for sc in scenarios:
            count = args.pilots if sc == "healthy" else args.effect_pilots
            if sc != "healthy" and lv < 100:
                continue  # detection is asked of >= 100/h
            jobs += [
                (sc, s, lv, args.before) for s in range(args.first_seed, args.first_seed + max(1, round(count * share)))
            ]
    t0 = time.perf_counter()
    results = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for r in pool.map(run_one, *zip(*jobs), chunksize=1):
            results.append(r)
            if args.json_out:  # as it goes: a long run stopped early still leaves its results
                Path(args.json_out).write_text(json.dumps(results, indent=1), encoding="utf-8")
            marks = "".join(e["recommendation"][0] for e in r["evenings"])
            print(f"{len(results)}/{len(jobs)} {r['scenario']} {r['level']:g}/h seed {r['seed']}: {marks} "
                  f"({r['seconds']:.0f} s)", file=sys.stderr, flush=True)  # fmt: skip
    print(summarise(results))
    cpu = sum(r["seconds"] for r in results)
    print(f"\n{len(jobs)} pilots, {time.perf_counter() - t0:.0f} s wall, {cpu:.0f} s in workers ({args.jobs} jobs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
