"""Old hourly reports pruned ([reports] keep_days), so a year of hourly runs does not fill the disk.

An hourly report is pruned when the hour it covers ended more than keep_days before the end of the
newest hourly report's hour: counted from the reports' periods (index.json, else the report's JSON
summary, else its file name), never from file times, and from the newest report rather than the
clock, so a backfill or a pilot replayed from past data keeps its last days. All of a report's files
go together (html, ipynb, json, pdf, a failed notebook); the index forgets them in the same step.
Daily reports (cost, debrief, GA) are never pruned: one a day is small and they are the record.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from launchkit.reports.kinds import hour_of_stamp
from launchkit.reports.run.index import write_index
from launchkit.window import parse_instant

KIND = "hourly"
SUFFIXES = (".html", ".ipynb", ".json", ".pdf", ".failed.ipynb")


def _stem(path: Path) -> str | None:
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if path.name.endswith(suffix) and not path.name.startswith("."):
            return path.name[: -len(suffix)]
    return None


def _indexed_ends(reports_dir: Path) -> dict[str, datetime]:
    """Each hourly report's period end, as index.json has it (none when it is missing or unreadable)."""
    try:
        data = json.loads((reports_dir / "index.json").read_text(encoding="utf-8"))
        entries = data["reports"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    out: dict[str, datetime] = {}
    for e in entries:
        try:
            if e.get("dir") == KIND:
                out[str(e["stamp"])] = parse_instant(e["period"]["end"], "period end", UTC)
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return out


def _period_end(folder: Path, stem: str, indexed: dict[str, datetime], tz: tzinfo) -> datetime | None:
    if stem in indexed:
        return indexed[stem]
    try:
        return parse_instant(
            json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))["period"]["end"], "period end", UTC
        )
    except (OSError, ValueError, KeyError, TypeError):
        pass
    start = hour_of_stamp(stem, tz)  # the file name is the hour's start (launchkit.reports.kinds.stamp_for)
    return start + timedelta(hours=1) if start is not None else None  # None: not a report of ours, left alone


def prune_hourly(reports_dir: Path, keep_days: int, tz: tzinfo) -> list[str]:
    """Remove the hourly reports older than keep_days (see the module docstring); their stamps, oldest first.

    keep_days 0 keeps everything. A file that cannot be removed is left for the next run. `tz`: the zone
    whose clock the file names show ([reports] timezone), read only when a report has no period on record.
    """
    folder = reports_dir / KIND
    if keep_days <= 0 or not folder.is_dir():
        return []
    files: dict[str, list[Path]] = {}
    for p in folder.iterdir():
        stem = _stem(p)
        if stem is not None and p.is_file():
            files.setdefault(stem, []).append(p)
    indexed = _indexed_ends(reports_dir)
    ends = {stem: end for stem in files if (end := _period_end(folder, stem, indexed, tz)) is not None}
    if not ends:
        return []
    cutoff = max(ends.values()) - timedelta(days=keep_days)
    old = sorted((end, stem) for stem, end in ends.items() if end <= cutoff)
    removed = []
    for _, stem in old:
        try:
            for p in files[stem]:
                p.unlink(missing_ok=True)
        except OSError:
            continue
        removed.append(stem)
    if removed:
        write_index(reports_dir, forget={(KIND, s) for s in removed})
    return removed
