"""Reports that do not fill the disk: old hourly reports pruned by their period ([reports] keep_days),
with the index; one plotly.js per reports folder for the reports that share it ([reports] share_plotly).

The browser side (a shared-plotly report draws offline; copied alone it cannot; GA draws alone) is
in tests/test_browser.py.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from launchkit.config import load_config
from launchkit.config.schema import REPORT_KINDS
from launchkit.errors import ConfigError
from launchkit.reports import kinds
from launchkit.reports.kinds import KINDS
from launchkit.reports.page import charts
from launchkit.reports.run import index as report_index
from launchkit.reports.run import prune, render

T0 = datetime(2026, 3, 2, 0, tzinfo=UTC)


def _hourly(
    folder: Path, start: datetime, *, files: tuple[str, ...] = ("html", "ipynb", "json"), period: datetime | None = None
) -> str:
    """One hourly report's files; its JSON summary's period may differ from its file name (`period`)."""
    stamp = start.strftime("%Y-%m-%dT%H")
    at = period or start
    summary = {
        "schema": kinds.SUMMARY_SCHEMA,
        "kind": "hourly",
        "stamp": stamp,
        "title": stamp,
        "period": {
            "start": at.strftime("%Y-%m-%dT%H:00:00Z"),
            "end": (at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:00:00Z"),
        },
        "files": {k: f"{stamp}.{k}" for k in files},
        "verdicts": [],
    }
    (folder / "hourly").mkdir(parents=True, exist_ok=True)
    for k in files:
        (folder / "hourly" / f"{stamp}.{k}").write_text(json.dumps(summary) if k == "json" else "x")
    return stamp


def _daily(folder: Path, kind: str, day: str) -> None:
    (folder / kind).mkdir(parents=True, exist_ok=True)
    summary = {
        "schema": kinds.SUMMARY_SCHEMA,
        "kind": kind,
        "stamp": day,
        "period": {"start": f"{day}T00:00:00Z", "end": f"{day}T23:59:59Z"},
        "files": {"html": f"{day}.html", "json": f"{day}.json"},
    }
    (folder / kind / f"{day}.html").write_text("x")
    (folder / kind / f"{day}.json").write_text(json.dumps(summary))


def _indexed(folder: Path) -> list[tuple[str, str]]:
    return sorted((r["dir"], r["stamp"]) for r in json.loads((folder / "index.json").read_text())["reports"])


def test_prune_removes_old_hourly_reports_by_period_with_their_files_and_index_entries(tmp_path: Path) -> None:
    stamps = [_hourly(tmp_path, T0 + timedelta(hours=h)) for h in range(0, 72, 6)]  # 3 days, every 6 hours
    _hourly(tmp_path, T0 + timedelta(hours=1), files=("html", "ipynb", "json", "pdf"))  # with a PDF
    (tmp_path / "hourly" / "2026-03-02T02.failed.ipynb").write_text("x")  # a failed run's notebook only
    _daily(tmp_path, "debrief", "2026-03-02")  # never pruned
    (tmp_path / "hourly" / "notes.txt").write_text("mine")  # not a report: left alone
    report_index.write_index(tmp_path)
    # newest hour 2026-03-04T18 ends at 19:00; keep_days = 1 keeps the reports ending after 2026-03-03T19:00
    removed = prune.prune_hourly(tmp_path, keep_days=1, tz=UTC)
    ends = {
        s: datetime.strptime(s, "%Y-%m-%dT%H").replace(tzinfo=UTC) + timedelta(hours=1)
        for s in [*stamps, "2026-03-02T01", "2026-03-02T02"]
    }
    cutoff = max(ends.values()) - timedelta(days=1)
    expected = sorted(s for s, end in ends.items() if end <= cutoff)
    assert removed == expected and "2026-03-03T18" in removed and "2026-03-04T00" not in removed
    left = sorted(p.name for p in (tmp_path / "hourly").iterdir())
    kept = sorted(s for s in ends if s not in expected)
    assert left == sorted([f"{s}.{k}" for s in kept for k in ("html", "ipynb", "json")] + ["notes.txt"])
    assert (tmp_path / "debrief" / "2026-03-02.html").is_file()
    assert _indexed(tmp_path) == sorted([("debrief", "2026-03-02")] + [("hourly", s) for s in kept])
    assert "2026-03-02T06" not in (tmp_path / "index.html").read_text()
    assert prune.prune_hourly(tmp_path, keep_days=1, tz=UTC) == []  # nothing more to do


def test_prune_reads_the_period_not_the_file_time_nor_the_clock(tmp_path: Path) -> None:
    # the file named 03-04 says in its summary that it covers 03-01 (a report of ours would not, but the
    # period is what counts); file times are all "now" and the clock is months later
    old = _hourly(tmp_path, T0 + timedelta(days=2), period=T0 - timedelta(days=1))
    new = _hourly(tmp_path, T0 + timedelta(days=1))
    assert prune.prune_hourly(tmp_path, keep_days=1, tz=UTC) == [old]
    assert (tmp_path / "hourly" / f"{new}.html").is_file()


def test_keep_days_zero_keeps_everything(tmp_path: Path) -> None:
    _hourly(tmp_path, T0)
    _hourly(tmp_path, T0 + timedelta(days=30))
    assert prune.prune_hourly(tmp_path, keep_days=0, tz=UTC) == []
    assert len(list((tmp_path / "hourly").iterdir())) == 6


def test_reports_config_keys(tmp_path: Path) -> None:
    cfg = load_config(env={})
    # by default only the hourly series shares plotly.js: a cost, debrief or GA report is mailed alone
    assert cfg.keep_days == 0 and [cfg.share_plotly(k) for k in KINDS] == [True, False, False, False]
    (tmp_path / "launchkit.toml").write_text("[reports]\nkeep_days = 30\nshare_plotly = false\n")
    cfg = load_config(tmp_path / "launchkit.toml", env={})
    assert cfg.keep_days == 30 and not any(cfg.share_plotly(k) for k in KINDS)
    (tmp_path / "launchkit.toml").write_text("[reports]\nshare_plotly = true\n")  # one switch: all but GA
    cfg = load_config(tmp_path / "launchkit.toml", env={})
    assert [cfg.share_plotly(k) for k in KINDS] == [True, True, True, False]
    (tmp_path / "launchkit.toml").write_text("[reports.share_plotly]\ncost = true\n")
    cfg = load_config(tmp_path / "launchkit.toml", env={})
    assert [cfg.share_plotly(k) for k in KINDS] == [True, True, False, False]
    assert tuple(KINDS) == REPORT_KINDS
    (tmp_path / "launchkit.toml").write_text("[reports.share_plotly]\nweekly = true\n")
    with pytest.raises(ConfigError, match="reports.share_plotly.weekly"):
        load_config(tmp_path / "launchkit.toml", env={})
    (tmp_path / "launchkit.toml").write_text("[reports]\nkeep_days = -1\n")
    with pytest.raises(ConfigError, match="reports.keep_days"):
        load_config(tmp_path / "launchkit.toml", env={})


def _notebook_with_a_chart() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("chart")
    bundle = charts.bars(pd.DataFrame({"k": ["a"], "v": [1.0]}), "k", "v", title="T")._repr_mimebundle_()
    cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_one_plotly_file_per_folder_and_reports_that_point_at_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    asset = render.plotly_asset(tmp_path)
    assert asset == tmp_path / f"plotly-{get_plotlyjs_version()}.min.js"
    assert asset.read_text(encoding="utf-8") == get_plotlyjs()
    writes: list[Path] = []
    real = render.atomic.write_bytes

    def counted(path: Path, data: bytes, **kw: int) -> Path:
        writes.append(path)
        return real(path, data, **kw)

    monkeypatch.setattr(render.atomic, "write_bytes", counted)
    render.plotly_asset(tmp_path)
    assert writes == []  # whole already: not written again
    asset.write_text("truncated")
    render.plotly_asset(tmp_path)
    assert writes == [asset] and asset.read_text(encoding="utf-8") == get_plotlyjs()

    shared = render.render_html(_notebook_with_a_chart(), plotly_src=f"../{asset.name}")
    embedded = render.render_html(_notebook_with_a_chart())
    assert re.findall(r'<script[^>]* src="([^"]+)"', shared) == [f"../{asset.name}"]
    assert "plotly.js v" not in shared and embedded.count("plotly.js v") == 1
    assert len(embedded) - len(shared) > len(get_plotlyjs()) * 0.99


def test_base_url_turns_report_paths_into_links_and_is_checked(tmp_path: Path) -> None:
    (tmp_path / "launchkit.toml").write_text(
        '[reports]\ndir = "out"\nbase_url = "https://reports.example.com/pilot/"\n'
    )
    cfg = load_config(tmp_path / "launchkit.toml", env={})
    page = tmp_path / "out" / "hourly" / "2026-03-18T14.html"
    assert cfg.report_link(page) == "https://reports.example.com/pilot/hourly/2026-03-18T14.html"
    assert cfg.report_link(tmp_path / "elsewhere.html") == str(tmp_path / "elsewhere.html")  # not in the folder
    assert load_config(env={}).report_link(page) == str(page)  # no base_url: the path as it is
    (tmp_path / "launchkit.toml").write_text('[reports]\nbase_url = "reports.example.com"\n')
    with pytest.raises(ConfigError, match="reports.base_url"):
        load_config(tmp_path / "launchkit.toml", env={})
