"""Reconciliation on a pilot that caches its prompts: launchkit's computed cost against the vendor bills.

Generates the synthetic pilot (its turns cache ~60% of their input tokens; its vendor bills are
computed by the generator from its own price table, within +-1% noise), drops every reported cost
so that launchkit prices all turns itself (cache reads and writes at their own rates, genai-prices),
loads it, and prints per vendor and UTC day the difference with the bill: the largest |diff| % and
how many vendor-days are within tolerance. For comparison, the same turns priced cache-unaware (all
input at the input price, as before issue 9).

    python benchmarks/reconcile_cache.py [--days 14] [--seed 7]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=7)
    ns = ap.parse_args()

    from launchkit import synth
    from launchkit.analytics import reconcile
    from launchkit.config import load_config
    from launchkit.jobs import load
    from launchkit.store.warehouse import Warehouse

    pilot = synth.generate_frames(days=ns.days, seed=ns.seed)
    turns = pilot.frames["turns"]
    turns["cost_usd"] = float("nan")  # every turn priced by launchkit
    with tempfile.TemporaryDirectory() as tmp:
        files = synth.write_pilot(pilot, Path(tmp) / "pilot")
        wh = Warehouse.open(Path(tmp) / "w.duckdb")
        config = load_config(env={"LAUNCHKIT_CONFIG": "none"})  # the defaults, never a file found upwards
        load.run(wh, files, config, publish=False)
        df = reconcile.reconcile(wh, None, None, config)
        wh.close()
    both = df[df["computed_usd"].notna() & df["billed_usd"].notna()]
    print(
        f"{len(turns):,} turns, cache reads {turns['cache_read_tokens'].sum() / turns['input_tokens'].sum():.0%} "
        f"of input tokens; {len(both)} vendor-days compared, tolerance {config.tolerance_pct:g} %"
    )
    for vendor, g in both.groupby("vendor"):
        print(
            f"  {vendor:<10} max |diff| {g['diff_pct'].abs().max():.2f} %  mean diff {g['diff_pct'].mean():+.2f} %  "
            f"within tolerance {int(g['within_tolerance'].sum())}/{len(g)}"
        )
    # the same turns priced cache-unaware (every input token at the input price), against the same bills
    prices = synth.PRICES_PER_MTOK
    unaware = turns["input_tokens"] * turns["model_raw"].map(lambda m: prices[m][0]) + turns["output_tokens"] * turns[
        "model_raw"
    ].map(lambda m: prices[m][1])
    bills = pilot.frames["vendor_costs"]["amount_usd"].sum()
    print(f"cache-unaware pricing would compute {unaware.sum() / 1e6 / bills - 1:+.1%} against the bills in total")
    print(f"max |diff| % per vendor-day: {both['diff_pct'].abs().max():.2f}")


if __name__ == "__main__":
    main()
