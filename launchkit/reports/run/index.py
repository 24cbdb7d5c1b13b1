"""reports/index.html and index.json: every report, newest period first, with links (all escaped).

Each entry carries its report's state from the verdicts its tiles show (`report_state`): the worst of
the summary's tiles (launchkit.analytics.headlines.SEVERITY), or of the GA scorecard's criteria, named
with the tile that gives it, in the words the report uses; low sample and no data are said, never green.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from launchkit import __version__
from launchkit.analytics.headlines import STATE_LABELS, STATE_WORDS, criterion_tile, worst_tile
from launchkit.reports.html import esc
from launchkit.reports.kinds import KINDS, SUMMARY_SCHEMA
from launchkit.reports.style import BREACH, NEUTRAL, OK, WARN
from launchkit.store import atomic
from launchkit.window import iso

INDEX_SCHEMA = "launchkit.index/1"
_COLOURS = {"ok": OK, "watch": WARN, "breach": BREACH}  # the other states are grey, as on the tiles


def report_state(s: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """A report's state as its tiles give it: the worst of its summary's `tiles` (a GA summary has none:
    its scorecard's criteria), the tile that gives it (None when the state is na) and the state in the
    report's words (the GA scorecard's for GA, the tables' and tiles' for the others)."""
    tiles = s.get("tiles")
    if not isinstance(tiles, list) or not tiles:
        criteria = (s.get("readiness") or {}).get("criteria") or []
        tiles = [criterion_tile(c).to_json() for c in criteria if isinstance(c, dict)]
    t = worst_tile(x for x in tiles if isinstance(x, dict))
    state = str(t["state"]) if t is not None else "na"
    words = (STATE_WORDS if kind == "ga" else STATE_LABELS).get(state, state)
    src = None if t is None or state == "na" else {k: t.get(k) for k in ("key", "label", "source")}
    return {"state": state, "state_words": words, "state_from": src}


def _entry(s: Mapping[str, Any], folder: str) -> dict[str, Any]:
    """What the index keeps of a report's JSON summary."""
    rec = s.get("recommendation")
    return {
        "kind": s.get("kind", folder),
        "dir": folder,
        "stamp": s.get("stamp", ""),
        "title": s.get("title", folder),
        "headline": s.get("headline", ""),
        "period": s.get("period", {}),
        "files": s.get("files", {}),
        "generated_at": s.get("generated_at", ""),
        "recommendation": rec.get("action") if isinstance(rec, dict) else rec,
        "breaches": sum(1 for v in s.get("verdicts", []) if isinstance(v, dict) and v.get("status") == "breach"),
        **report_state(s, str(s.get("kind", folder))),
    }


def _row(s: Mapping[str, Any], reports_dir: Path) -> str:
    """One report's row of the index table (all escaped): its state a badge in the tiles' colour and words."""
    e = esc
    d = s["dir"]
    files = s.get("files", {})
    links = " · ".join(
        f'<a href="{e(d)}/{e(files[k])}">{k}</a>'
        for k in ("html", "ipynb", "json", "pdf")
        if files.get(k) and (k in ("html", "ipynb", "json") or (reports_dir / d / files[k]).exists())
    )
    main = f'<a href="{e(d)}/{e(files.get("html", ""))}">{e(str(s.get("title", d)))}</a>'
    state = str(s.get("state") or "na")  # an entry of an older index.json has none
    words = e(str(s.get("state_words") or state))
    label = (s.get("state_from") or {}).get("label")
    shown = f'<span class="badge" style="background:{_COLOURS.get(state, NEUTRAL)}">{words}</span>'
    shown += f" {e(str(label))}" if label else ""
    return (
        f"<tr><td>{e(str(s.get('kind', d)))}</td><td>{e(str(s.get('stamp', '')))}</td><td>{main}</td>"
        f"<td>{e(str(s.get('headline', '')))}</td><td>{shown}</td><td>{e(str(s.get('recommendation') or ''))}</td>"
        f'<td class="num">{int(s.get("breaches") or 0)}</td><td>{links}</td>'
        f"<td>{e(str(s.get('generated_at', '')))}</td></tr>"
    )


def _read_summaries(reports_dir: Path) -> list[dict[str, Any]]:
    """Index entries of every report summary on disk (a full scan)."""
    out = []
    for kind in KINDS:
        folder = reports_dir / kind
        if not folder.is_dir():
            continue
        for p in folder.glob("*.json"):
            if p.name.startswith("."):
                continue
            try:
                s = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if s.get("schema") != SUMMARY_SCHEMA:
                continue
            out.append(_entry(s, kind))
    return out


def _index_key(s: dict[str, Any]) -> tuple[str, str, str]:
    return (str(s.get("period", {}).get("end", "")), str(s.get("period", {}).get("start", "")), str(s.get("kind", "")))


def write_index(
    reports_dir: Path, summary: Mapping[str, Any] | None = None, *, forget: Collection[tuple[str, str]] = ()
) -> Path:
    """reports/index.html (and index.json): every report, newest period first, with links (all escaped).

    With `summary` (a report just written) the index is updated from index.json instead of reading
    every report's JSON again, so an hourly run's cost does not grow with the number of reports;
    likewise with `forget`, (folder, stamp) of reports removed (launchkit.reports.run.prune). Without
    either, or when index.json is missing or unreadable, the index is rebuilt from the files.
    """
    reports_dir.mkdir(parents=True, exist_ok=True)
    store = reports_dir / "index.json"
    with FileLock(str(reports_dir / ".index.lock"), timeout=60):
        entries: list[dict[str, Any]] | None = None
        if summary is not None or forget:
            try:
                data = json.loads(store.read_text(encoding="utf-8"))
                if data.get("schema") == INDEX_SCHEMA and all("state" in x for x in data["reports"]):
                    entries = list(data["reports"])  # (an index written before states were kept is rebuilt)
            except (OSError, ValueError, KeyError):
                entries = None
        if entries is None:
            entries = _read_summaries(reports_dir)
        if summary is not None:
            new = _entry(summary, str(summary["kind"]))
            entries = [x for x in entries if (x["dir"], x["stamp"]) != (new["dir"], new["stamp"])] + [new]
        entries = [
            x
            for x in entries
            if (reports_dir / x["dir"] / x["files"].get("html", "")).is_file()
            and x["files"].get("html")
            and (x["dir"], x["stamp"]) not in forget
        ]
        items = sorted(entries, key=_index_key, reverse=True)
        e = esc
        rows = [_row(s, reports_dir) for s in items]
        latest: dict[str, dict[str, Any]] = {}
        for s in items:
            latest.setdefault(s["dir"], s)
        cards = "".join(
            f'<li><a href="{e(k)}/{e(s.get("files", {}).get("html", ""))}">{e(str(s.get("title", k)))}</a>'
            f' <span class="muted">{e(str(s.get("stamp", "")))}</span></li>'
            for k, s in latest.items()
        )
        atomic.write_text(store, json.dumps({"schema": INDEX_SCHEMA, "reports": items}, indent=1, default=str) + "\n")
        page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>launchkit reports</title>
<style>
body{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1180px;margin:0 auto;padding:16px 24px;color:#1f2328}}
table{{border-collapse:collapse;font-size:14px;width:100%}} th,td{{border-bottom:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}}
th{{background:#f6f8fa}} td.num{{text-align:right}} .muted{{color:#57606a}}
.badge{{display:inline-block;border-radius:10px;padding:1px 8px;color:#fff;font-size:12px;font-weight:600;white-space:nowrap}}
</style></head>
<body>
<h1>launchkit reports</h1>
<p class="muted">{len(items)} reports · index written {e(iso(datetime.now(UTC).replace(microsecond=0)))} · launchkit {e(__version__)}</p>
<h2>Latest of each kind</h2>
<ul>{cards or '<li class="muted">no reports yet</li>'}</ul>
<h2>All reports, newest first</h2>
<table>
<thead><tr><th>kind</th><th>period</th><th>report</th><th>headline</th><th>state</th><th>recommendation</th><th>breaches</th><th>files</th><th>generated (UTC)</th></tr></thead>
<tbody>
{"".join(rows)}
</tbody></table>
</body></html>
"""
        return atomic.write_text(reports_dir / "index.html", page)
