"""Decision quality, measured: run the end-of-day decision over many synthetic pilots and score it
against each scenario's ground truth.

    .venv/bin/python benchmarks/decisions.py --seeds 20 --levels 20,100,500 [--jobs 2] [--json out.json]

For every traffic level (mean weekday business-hour sessions per hour) and seed:
- healthy: decide every day from the first with a full baseline (day 7) to the end; a ROLLBACK is a
  false rollback, anything but EXPAND a false non-EXPAND (weekend days, at ~10% of weekday traffic,
  are reported separately: HOLD for too little data is the designed answer there);
- latency-regression, tool-outage, cost-overrun: decide the day before the problem (should EXPAND),
  the problem's first day (detected = HOLD or ROLLBACK), and on until first flagged (the delay);
- low-traffic (traffic capped at 1.25 sessions/hour at the weekday peak whatever the level, so run once per seed): decide
  days 7..end; a wrong PASS is an EXPAND or a GA-ready verdict.
Targets: <= 2% false rollbacks on healthy pilots; every problem flagged on its first day at >= 100
sessions/hour; at low traffic INSUFFICIENT DATA (HOLD), never a wrong PASS.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from launchkit import synth
from launchkit.analytics import decision
from launchkit.config import load_config
from launchkit.contract import TABLES
from launchkit.store.warehouse import Warehouse

PROBLEMS = ("latency-regression", "tool-outage", "cost-overrun")
FIRST_DECIDED_DAY = 7  # the first day with a full 7-day baseline


def load_frames(con: Any, frames: dict[str, Any]) -> None:
    """Insert generated frames into the contract tables (lineage _load_id 0)."""
    for name, df in frames.items():
        cols = TABLES[name].column_names
        con.con.register("_frame", df[cols])
        con.execute(f"INSERT INTO {name} ({', '.join(cols)}, _load_id) SELECT {', '.join(cols)}, 0 FROM _frame")
        con.con.unregister("_frame")


def run_one(scenario: str, seed: int, level: float | None, days: int) -> dict[str, Any]:
    """Generate one pilot and decide the days the scenario is scored on."""
    pilot = synth.generate_frames(days=days, seed=seed, scenario=scenario, sessions_per_hour=level)
    gt = pilot.ground_truth
    con = Warehouse.memory()
    load_frames(con, pilot.frames)
    cfg = load_config(env={})
    start = date.fromisoformat(gt["start"])
    out: dict[str, Any] = {"scenario": scenario, "seed": seed, "level": level, "decisions": {}}

    def decide(d: date) -> dict[str, Any]:
        dec = decision.decide(con, d, cfg, store=False)
        return {
            "day": d.isoformat(),
            "weekday": d.weekday() < 5,
            "recommendation": dec.recommendation,
            "data_sufficient": dec.data_sufficient,
            "ready": dec.criteria.ready,
        }

    if scenario in PROBLEMS:
        pday = date.fromisoformat(gt["problem_day"])
        out["decisions"]["before"] = decide(pday - timedelta(days=1))
        d, flagged = pday, None
        end = date.fromisoformat(gt["end"])
        while d <= end:
            r = decide(d)
            if d == pday:
                out["decisions"]["first_day"] = r
            if r["recommendation"] in ("HOLD", "ROLLBACK"):
                flagged = (d - pday).days
                break
            d += timedelta(days=1)
        out["delay_days"] = flagged
    else:
        out["decisions"]["days"] = [decide(start + timedelta(days=k)) for k in range(FIRST_DECIDED_DAY, days)]
    con.close()
    return out


def _rate(k: int, n: int) -> str:
    return f"{k / n:.1%} ({k}/{n})" if n else "n/a"


def summarise(results: list[dict[str, Any]], levels: list[float]) -> tuple[str, dict[str, Any]]:
    lines = ["| traffic (sessions/h) | scenario | measure | value |", "|---|---|---|---|"]
    summary: dict[str, Any] = {}
    for level in levels:
        healthy = [r for r in results if r["scenario"] == "healthy" and r["level"] == level]
        days = [d for r in healthy for d in r["decisions"]["days"]]
        wk = [d for d in days if d["weekday"]]
        we = [d for d in days if not d["weekday"]]
        rb = sum(d["recommendation"] == "ROLLBACK" for d in days)
        nx_wk = sum(d["recommendation"] != "EXPAND" for d in wk)
        nx_we = sum(d["recommendation"] != "EXPAND" for d in we)
        we_insuff = sum(d["recommendation"] != "EXPAND" and not d["data_sufficient"] for d in we)
        s = summary.setdefault(str(level), {})
        s["healthy"] = {
            "false_rollback": rb / len(days) if days else None,
            "false_non_expand_weekdays": nx_wk / len(wk) if wk else None,
            "non_expand_weekends": nx_we / len(we) if we else None,
            "decisions": len(days),
        }
        lines.append(f"| {level:g} | healthy | false ROLLBACK (all days) | {_rate(rb, len(days))} |")
        lines.append(f"| {level:g} | healthy | false non-EXPAND (weekdays) | {_rate(nx_wk, len(wk))} |")
        lines.append(
            f"| {level:g} | healthy | non-EXPAND on weekends (of which too little data) | "
            f"{_rate(nx_we, len(we))} ({we_insuff}) |"
        )
        for scenario in PROBLEMS:
            rs = [r for r in results if r["scenario"] == scenario and r["level"] == level]
            first = [r["decisions"]["first_day"]["recommendation"] for r in rs]
            det = sum(x in ("HOLD", "ROLLBACK") for x in first)
            rbk = sum(x == "ROLLBACK" for x in first)
            before_bad = sum(r["decisions"]["before"]["recommendation"] != "EXPAND" for r in rs)
            delays = [r["delay_days"] for r in rs if r["delay_days"] is not None]
            missed = sum(r["delay_days"] is None for r in rs)
            s[scenario] = {
                "detected_first_day": det / len(rs) if rs else None,
                "rollback_first_day": rbk / len(rs) if rs else None,
                "mean_delay_days": sum(delays) / len(delays) if delays else None,
                "never_flagged": missed,
                "non_expand_day_before": before_bad / len(rs) if rs else None,
            }
            lines.append(
                f"| {level:g} | {scenario} | detected on first day (HOLD or ROLLBACK) | {_rate(det, len(rs))} |"
            )
            lines.append(f"| {level:g} | {scenario} | ROLLBACK on first day | {_rate(rbk, len(rs))} |")
            mean = f"{sum(delays) / len(delays):.2f}" if delays else "n/a"
            lines.append(f"| {level:g} | {scenario} | delay, days (mean; never flagged) | {mean}; {missed} |")
            lines.append(
                f"| {level:g} | {scenario} | non-EXPAND the day before (false alarm) | {_rate(before_bad, len(rs))} |"
            )
    low = [r for r in results if r["scenario"] == "low-traffic"]
    days = [d for r in low for d in r["decisions"]["days"]]
    hold = sum(d["recommendation"] == "HOLD" for d in days)
    insuff = sum(not d["data_sufficient"] for d in days)
    wrong = sum(d["recommendation"] == "EXPAND" or d["ready"] for d in days)
    summary["low-traffic"] = {
        "hold": hold / len(days) if days else None,
        "wrong_pass": wrong,
        "insufficient": insuff / len(days) if days else None,
    }
    lines.append(f"| <= 1.25 | low-traffic | HOLD | {_rate(hold, len(days))} |")
    lines.append(f"| <= 1.25 | low-traffic | data insufficient | {_rate(insuff, len(days))} |")
    lines.append(f"| <= 1.25 | low-traffic | wrong PASS (EXPAND or GA-ready) | {wrong} of {len(days)} |")
    return "\n".join(lines), summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=20, help="seeds per scenario and traffic level")
    ap.add_argument("--first-seed", type=int, default=100)
    ap.add_argument("--levels", default="20,100,500", help="sessions per hour, comma-separated")
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json", dest="json_out", help="write the raw results and summary here")
    args = ap.parse_args(argv)
    levels = [float(x) for x in args.levels.split(",") if x.strip()]
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    jobs = [(sc, s, lv, args.days) for lv in levels for sc in ("healthy",) + PROBLEMS for s in seeds]
    jobs += [("low-traffic", s, None, args.days) for s in seeds]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, *zip(*jobs), chunksize=1))
    table, summary = summarise(results, levels)
    print(table)
    print(f"\n{len(jobs)} pilots, {args.seeds} seeds each, {time.perf_counter() - t0:.0f}s")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"summary": summary, "results": results}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
