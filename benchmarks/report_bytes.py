"""Bytes on disk per report: plotly.js embedded in each report vs one shared file per reports folder.

Renders the same hourly hour, cost day and debrief day of a small synthetic pilot twice, into two
reports folders: `[reports] share_plotly = false` (every report embeds plotly.js, as before) and
`true` (the default: hourly, cost and debrief load ../plotly-<version>.min.js; GA stays embedded).
Prints each report's files (html, ipynb, json) in bytes, the shared file once, and what a day
and a month of hourly reports take either way ([reports] keep_days bounds the count).

    python benchmarks/report_bytes.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from launchkit import synth
from launchkit.config import load_config
from launchkit.jobs import load
from launchkit.reports.run import execute
from launchkit.store.warehouse import Warehouse

HOUR = "2026-03-03T14:00Z"
DAY = "2026-03-03"
KINDS = (("hourly", {"at": HOUR}), ("cost", {"day": DAY}), ("debrief", {"day": DAY}))


def _size(folder: Path, kind: str) -> dict[str, int]:
    return {p.suffix: p.stat().st_size for p in (folder / kind).iterdir() if not p.name.startswith(".")}


def main() -> int:
    execute.skip_slow_optional_imports()
    with tempfile.TemporaryDirectory(prefix="lk-bytes-") as tmp:
        root = Path(tmp)
        synth.generate(root / "data", days=2, tenants=4, seed=5, sessions_per_hour=40, start=date(2026, 3, 2))
        sizes: dict[bool, dict[str, dict[str, int]]] = {}
        for share in (False, True):
            cfg = load_config(env={}, warehouse=str(root / "lk.duckdb"), reports_dir=str(root / f"reports-{share}"))
            cfg = cfg.with_overrides(**{"reports.share_plotly": share})
            if not share:
                with Warehouse.open(cfg.warehouse_path) as wh:
                    load.run(wh, [root / "data"], cfg)
            for kind, when in KINDS:
                execute.run_report(kind, cfg, update_index=False, **when)
            sizes[share] = {kind: _size(cfg.reports_dir, kind) for kind, _ in KINDS}
        shared = sum(p.stat().st_size for p in (root / "reports-True").glob("plotly-*.min.js"))
    print(
        f"{'report':<9}{'html embedded':>14}{'html shared':>13}{'+ ipynb + json':>16}{'all embedded':>14}{'all shared':>12}{'saved':>7}"
    )
    for kind, _ in KINDS:
        e, s = sizes[False][kind], sizes[True][kind]
        a, b = sum(e.values()), sum(s.values())
        rest = b - s[".html"]
        print(f"{kind:<9}{e['.html']:>14,}{s['.html']:>13,}{rest:>16,}{a:>14,}{b:>12,}{1 - b / a:>7.0%}")
    print(f"shared plotly.js, once per reports folder: {shared:,} bytes")
    hourly = sum(sizes[False]["hourly"].values()), sum(sizes[True]["hourly"].values())
    for label, n in (("a day of hourly reports", 24), ("30 days of hourly reports", 720)):
        print(f"{label} ({n}): embedded {hourly[0] * n / 1e6:,.1f} MB, shared {(hourly[1] * n + shared) / 1e6:,.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
