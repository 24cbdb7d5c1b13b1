"""Reports: runner, HTML rendering, JSON summaries, index, atomic writes, escaping of data text.

The fast tests build their inputs by hand. The slow ones use one `launchkit demo --days 3` run
(tests/_report_fixtures.py) whose reports were executed with papermill, and check the JSON
summaries against values recomputed with pandas from the CSV rows themselves.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime

import nbformat
import numpy as np
import pandas as pd
import pytest
from _report_fixtures import (
    BOLD_TOOL,
    EVIL_TENANT,
    EVIL_TITLE,
    HOSTILE_HOUR,
    LAST_DAY,
    SCRIPT_COMMENT,
)

from launchkit.analytics import gonogo, span, themes
from launchkit.config import load_config
from launchkit.errors import InputFileError, ReportError
from launchkit.jsonclean import clean
from launchkit.reports import kinds
from launchkit.reports.page import charts, widgets
from launchkit.reports.run import execute, render
from launchkit.reports.run import index as report_index
from launchkit.store import atomic, snapshot
from launchkit.store.warehouse import Warehouse

# ---------------------------------------------------------------------------------------------
# fast: pieces


def test_write_atomic_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "r.html"
    atomic.write_text(target, "first")
    atomic.write_text(target, "second version")
    assert target.read_text() == "second version"
    assert [p.name for p in target.parent.iterdir()] == ["r.html"]


def test_write_atomic_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "r.json"
    atomic.write_text(target, "old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_fmt_shows_missing_as_dash_never_zero():
    assert charts.fmt(None, "%") == "—"
    assert charts.fmt(float("nan"), "$") == "—"
    assert charts.fmt(0.9712, "%") == "97.1 %"
    assert charts.fmt(0.2, "$") == "$0.20"
    assert charts.fmt(np.int64(12345)) == "12,345"
    assert charts.fmt(2345.67, "ms") == "2,345.7 ms"


def test_table_tiles_and_notes_escape_data_text():
    df = pd.DataFrame({"tool": [BOLD_TOOL], "comment": [SCRIPT_COMMENT], "rate": [0.5]})
    html = charts.table(df, units={"rate": "%"}, tz=None)._repr_html_()
    assert "<b>bold" not in html and "<script>" not in html and "<img" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    tile = charts.tiles([charts.Tile(EVIL_TENANT, 1, sub=SCRIPT_COMMENT)])._repr_html_()
    assert "<i>evil" not in tile and "<script>" not in tile
    assert "<script>" not in charts.note(SCRIPT_COMMENT, "warn", EVIL_TITLE)._repr_html_()
    assert "<img" not in charts.bullets([EVIL_TITLE])._repr_html_()


def test_chart_labels_are_escaped_and_thresholds_drawn():
    df = pd.DataFrame({"tool": [BOLD_TOOL, "sql_query"], "rate": [0.5, 0.99]})
    c = charts.bars(
        df, "tool", "rate", title="Success by tool", unit="%", target=0.97, threshold=0.95, direction="higher"
    )
    fig = c.fig
    assert list(fig.data[0].y) == ["&lt;b&gt;bold&lt;/b&gt;", "sql_query"]
    assert fig.layout.title.text == "Success by tool"
    assert "(%)" in fig.layout.xaxis.title.text
    lines = sorted(s.x0 for s in fig.layout.shapes)
    assert lines == [95.0, 97.0]  # fail line and target, in percent
    assert fig.data[0].marker.color == (charts.BREACH, charts.OK)
    bundle = c._repr_mimebundle_()
    assert set(bundle) == {"application/vnd.plotly.v1+json", "text/html"}
    assert "<b>" not in bundle["text/html"] and "plotly.min.js" not in bundle["text/html"]
    assert 'class="plotly-graph-div"' in bundle["text/html"]


def test_trend_draws_target_and_fail_line_with_units():
    ts = pd.DataFrame({"bucket": pd.date_range("2026-03-02", periods=3, freq="h", tz="UTC"), "p95": [1.0, 2.0, None]})
    fig = charts.trend(
        ts, "bucket", "p95", title="Latency", tz=UTC, unit="ms", y_label="latency", target=8000, threshold=10000
    ).fig
    assert fig.layout.yaxis.title.text == "latency (ms)"
    assert sorted(s.y0 for s in fig.layout.shapes) == [8000, 10000]
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert "GA target: 8,000 ms" in texts and "fail line: 10,000 ms" in texts
    empty = charts.trend(ts.iloc[:0], "bucket", "p95", title="Latency", tz=UTC, unit="ms").fig
    assert any("no data" in a.text for a in empty.layout.annotations)


def test_json_safe_makes_strict_json():
    obj = {
        "a": float("nan"),
        "b": pd.Timestamp("2026-03-02T10:00Z"),
        "c": np.float64(1.5),
        "d": date(2026, 3, 2),
        "e": pd.DataFrame({"x": [1, None]}),
        "f": pd.NA,
    }
    out = clean(obj)
    json.dumps(out, allow_nan=False)
    assert out["a"] is None and out["c"] == 1.5 and out["d"] == "2026-03-02" and out["f"] is None
    assert out["e"][1]["x"] is None


def test_themes_counts_comments_and_prefers_phrases():
    comments = ["The query tool kept failing", "query tool failing again", "Love it", "love it!", None, "Slow"]
    t = themes.themes(comments)
    top = dict(zip(t["theme"], t["comments"]))
    assert top["query tool"] == 2
    assert top["love"] == 2
    assert "query" not in top  # covered by the phrase
    assert "slow" not in top  # said once
    assert themes.themes([None, ""]).empty


def test_checklist_loads_and_errors_name_item_and_key(tmp_path):
    items = gonogo.load_checklist()
    assert {i["phase"] for i in items} == {"precondition", "go/no-go"}
    assert all(i["owner"] and i["status"] in gonogo.CHECKLIST_STATUSES for i in items)
    bad = tmp_path / "c.toml"
    bad.write_text('[[item]]\nid = "a"\nphase = "precondition"\ntitle = "t"\nowner = "o"\nstatus = "maybe"\n')
    with pytest.raises(InputFileError, match=r"item 1: status must be one of"):
        gonogo.load_checklist(bad)
    bad.write_text('[[item]]\nid = "a"\nphase = "precondition"\ntitle = "t"\nstatus = "done"\n')
    with pytest.raises(InputFileError, match=r"item 1: 'owner' is required"):
        gonogo.load_checklist(bad)


def test_go_no_go_needs_every_item_done():
    def item(id: str, status: str) -> gonogo.ChecklistItem:
        return gonogo.ChecklistItem(
            id=id,
            phase="go/no-go",
            title=id.upper(),
            owner="o",
            status=status,
            evidence="",
            note="",
            source="checklist",
        )

    items = [item("a", "done"), item("b", "n/a")]
    assert gonogo.go_no_go(items)["decision"] == "GO"
    items.append(item("c", "pending"))
    g = gonogo.go_no_go(items)
    assert g["decision"] == "NO-GO" and [i["id"] for i in g["open_items"]] == ["c"]


def test_checklist_table_links_only_http_evidence():
    items = [
        {"phase": "precondition", "title": "A", "owner": "o", "status": "done", "evidence": "javascript:alert(1)"},
        {
            "phase": "precondition",
            "title": "B",
            "owner": "o",
            "status": "done",
            "evidence": "https://wiki.example.com/x?a=1&b=<2>",
        },
    ]
    html = widgets.checklist_table(items)._repr_html_()
    assert 'href="javascript' not in html
    assert 'href="https://wiki.example.com/x?a=1&amp;b=&lt;2&gt;"' in html


def _executed_notebook(with_chart: bool = True) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## Section"),
    ]
    out_cell = nbformat.v4.new_code_cell("SECRET_CODE_TEXT = 1")
    if with_chart:
        bundle = charts.bars(pd.DataFrame({"k": ["a"], "v": [1.0]}), "k", "v", title="T")._repr_mimebundle_()
        out_cell.outputs = [
            nbformat.v4.new_output("display_data", data=bundle),
            nbformat.v4.new_output("display_data", data=bundle),
            nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: noise"),
        ]
    cells.append(out_cell)
    s = nbformat.v4.new_code_cell("reports.summary({})", metadata={"tags": ["summary"]})
    s.outputs = [nbformat.v4.new_output("display_data", data={"application/json": {"headline": "SUMMARY_ONLY"}})]
    cells.append(s)
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_render_html_hides_code_and_prompts_and_embeds_plotly_once():
    html = render.render_html(_executed_notebook())
    body = html[html.index("<body") :]
    assert "SECRET_CODE_TEXT" not in html and "x = 1" not in html
    assert "In&nbsp;[" not in body and "Out[" not in body and 'class="jp-InputPrompt' not in body
    assert html.count("plotly.js v") == 1  # the library's banner: embedded once for two charts
    assert html.count('class="plotly-graph-div"') == 2
    assert "SUMMARY_ONLY" not in html and "FutureWarning" not in html
    assert not re.search(r'<script[^>]+src="https?://', html), "no script may need the network"
    assert "data-script-errors" in html  # the error hook the browser check reads
    plain = render.render_html(_executed_notebook(with_chart=False))
    assert "plotly.js v" not in plain


def test_check_parameters_refuses_undeclared(tmp_path):
    p = tmp_path / "n.ipynb"
    nbformat.write(_executed_notebook(), p)
    execute.check_parameters(p, {"x": 2})
    with pytest.raises(ReportError, match="does not declare parameter"):
        execute.check_parameters(p, {"x": 2, "at": "2026-03-02T10:00Z"})


def test_a_notebooks_parameters_are_inspected_once_per_version(tmp_path, monkeypatch):
    import papermill

    calls: list[str] = []
    real = papermill.inspect_notebook

    def counted(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(papermill, "inspect_notebook", counted)
    p = tmp_path / "n.ipynb"
    nbformat.write(_executed_notebook(), p)
    execute.redact_parameter(p, True)  # a run asks for the redact parameter, then checks the rest
    execute.check_parameters(p, {"x": 2})
    assert calls == [str(p)]
    nb = _executed_notebook()
    nb.cells[0].source = "x = 1\nredact = True"  # a new version of the file is read again
    nbformat.write(nb, p)
    os.utime(p, ns=(p.stat().st_mtime_ns + 10**9,) * 2)
    assert set(execute.declared_parameters(p)) == {"x", "redact"} and len(calls) == 2


def _summary(kind, stamp, start, end, title="T", **extra):
    return {
        "schema": kinds.SUMMARY_SCHEMA,
        "kind": kind,
        "stamp": stamp,
        "title": title,
        "period": {"start": start, "end": end},
        "files": {"html": f"{stamp}.html", "json": f"{stamp}.json"},
        "verdicts": [],
        "recommendation": None,
        **extra,
    }


def test_index_lists_every_report_newest_first_and_escapes(tmp_path):
    for kind, stamp, start, end, title in [
        ("hourly", "2026-03-02T10", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "hour 10"),
        ("debrief", "2026-03-02", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "day 2 " + SCRIPT_COMMENT),
        ("hourly", "2026-03-02T23", "2026-03-02T23:00:00Z", "2026-03-03T00:00:00Z", "hour 23"),
        ("ga", "2026-03-01", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z", "ga day 1"),
    ]:
        (tmp_path / kind).mkdir(exist_ok=True)
        (tmp_path / kind / f"{stamp}.html").write_text("x")
        (tmp_path / kind / f"{stamp}.json").write_text(json.dumps(_summary(kind, stamp, start, end, title)))
    (tmp_path / "hourly" / ".tmp123.json").write_text("{")  # a write in progress is ignored
    index = report_index.write_index(tmp_path).read_text()
    rows = re.findall(r"<tr><td>(\w+)</td><td>([\dT-]+)</td>", index)
    assert rows == [
        ("hourly", "2026-03-02T23"),
        ("debrief", "2026-03-02"),
        ("hourly", "2026-03-02T10"),
        ("ga", "2026-03-01"),
    ]
    assert "<script>alert" not in index and "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert 'href="debrief/2026-03-02.html"' in index


def test_index_update_adds_one_report_and_drops_deleted_ones(tmp_path):
    (tmp_path / "hourly").mkdir()
    for stamp, hour in (("2026-03-02T10", "10"), ("2026-03-02T11", "11")):
        (tmp_path / "hourly" / f"{stamp}.html").write_text("x")
        (tmp_path / "hourly" / f"{stamp}.json").write_text(
            json.dumps(_summary("hourly", stamp, f"2026-03-02T{hour}:00:00Z", f"2026-03-02T{int(hour) + 1}:00:00Z"))
        )
    report_index.write_index(tmp_path)
    (tmp_path / "hourly" / "2026-03-02T10.html").unlink()
    (tmp_path / "hourly" / "2026-03-02T12.html").write_text("x")
    new = _summary(
        "hourly",
        "2026-03-02T12",
        "2026-03-02T12:00:00Z",
        "2026-03-02T13:00:00Z",
        title="hour 12",
        verdicts=[{"status": "breach"}],
    )
    index = report_index.write_index(tmp_path, new).read_text()
    assert re.findall(r"<tr><td>hourly</td><td>([\dT-]+)</td>", index) == ["2026-03-02T12", "2026-03-02T11"]
    stored = json.loads((tmp_path / "index.json").read_text())
    assert [r["stamp"] for r in stored["reports"]] == ["2026-03-02T12", "2026-03-02T11"]
    assert stored["reports"][0]["breaches"] == 1


def test_snapshot_copies_only_when_the_warehouse_changed(tmp_path):
    cfg = load_config(warehouse=str(tmp_path / "w.duckdb"))
    con = Warehouse.open(cfg.warehouse_path)
    con.execute("INSERT INTO rollout VALUES ('t1', 'pilot', NULL, NULL, 0)")
    con.close()
    r1 = snapshot.refresh(cfg)
    assert r1.published and r1.current
    r2 = snapshot.refresh(cfg)
    assert not r2.published and r2.current
    reader = snapshot.connect(cfg)  # a notebook holding the snapshot open...
    con = Warehouse.open(cfg.warehouse_path, wait_s=2)  # ...does not keep the writer out
    con.execute("INSERT INTO rollout VALUES ('t2', 'pilot', NULL, NULL, 0)")
    con.close()
    assert not snapshot.is_fresh(cfg.warehouse_path)
    assert snapshot.refresh(cfg).published
    assert reader.execute("SELECT count(*) FROM rollout").fetchall()[0][0] == 1  # its old copy, consistent
    assert snapshot.connect(cfg).execute("SELECT count(*) FROM rollout").fetchall()[0][0] == 2
    assert not os.access(snapshot.snapshot_path(cfg.warehouse_path), os.W_OK) or os.geteuid() == 0


def test_latest_complete_hour_never_reports_the_running_hour():
    con = Warehouse.memory()
    con.execute(
        "INSERT INTO sessions VALUES ('s', 't', NULL, TIMESTAMPTZ '2026-03-02 10:40:00+00', NULL, 'pilot', NULL, 0)"
    )
    assert span.latest_hour_with_data(con, now=datetime(2026, 3, 3, tzinfo=UTC), tz=UTC) == datetime(
        2026, 3, 2, 10, tzinfo=UTC
    )
    assert span.latest_hour_with_data(con, now=datetime(2026, 3, 2, 10, 50, tzinfo=UTC), tz=UTC) == datetime(
        2026, 3, 2, 9, tzinfo=UTC
    )
    assert span.latest_day_with_data(con, tz=UTC) == date(2026, 3, 2)


def _sessions_per_hour(con: Warehouse, counts: dict[str, int]) -> None:
    """`counts` sessions starting in each hour ('2026-03-02 10')."""
    n = 0
    for hour, k in counts.items():
        for i in range(k):
            n += 1
            con.execute(
                f"INSERT INTO sessions VALUES ('s{n}', 't', NULL, TIMESTAMPTZ '{hour}:{i:02d}:00+00', NULL, 'pilot', NULL, 0)"
            )


def test_the_busiest_hour_is_the_complete_hour_with_most_sessions():
    con = Warehouse.memory()
    _sessions_per_hour(
        con, {"2026-03-01 14": 9, "2026-03-02 10": 3, "2026-03-02 11": 5, "2026-03-03 09": 5, "2026-03-03 15": 7}
    )
    late = datetime(2026, 3, 5, tzinfo=UTC)
    assert execute.busiest_hour(con, date(2026, 3, 2), date(2026, 3, 3), late, tz=UTC) == datetime(
        2026, 3, 3, 15, tzinfo=UTC
    )
    # an hour still running is not complete; of equals, the later
    assert execute.busiest_hour(
        con, date(2026, 3, 2), date(2026, 3, 3), datetime(2026, 3, 3, 15, 30, tzinfo=UTC), tz=UTC
    ) == (datetime(2026, 3, 3, 9, tzinfo=UTC))
    assert execute.busiest_hour(con, date(2026, 3, 1), date(2026, 3, 3), late, tz=UTC) == datetime(
        2026, 3, 1, 14, tzinfo=UTC
    )
    assert execute.busiest_hour(con, date(2026, 3, 4), date(2026, 3, 4), late, tz=UTC) is None


def test_plan_lists_the_hourly_report_then_each_days_reports_oldest_first():
    con = Warehouse.memory()
    _sessions_per_hour(con, {"2026-03-01 14": 9, "2026-03-02 10": 3, "2026-03-03 09": 5, "2026-03-03 20": 1})
    now = datetime(2026, 3, 5, tzinfo=UTC)
    daily = [k for k, spec in kinds.KINDS.items() if spec.grain == "day"]
    assert execute.plan(con, now=now, tz=UTC) == [("hourly", {"at": datetime(2026, 3, 3, 20, tzinfo=UTC)})] + [
        (k, {"day": date(2026, 3, 3)}) for k in daily
    ]
    jobs = execute.plan(con, days=2, hour="busiest", now=now, tz=UTC)
    assert jobs[0] == ("hourly", {"at": datetime(2026, 3, 3, 9, tzinfo=UTC)})  # 2026-03-01 is not among the 2 days
    assert jobs[1:] == [(k, {"day": d}) for d in (date(2026, 3, 2), date(2026, 3, 3)) for k in daily]
    with pytest.raises(ReportError, match="hour must be"):
        execute.plan(con, hour="noisiest", tz=UTC)
    with pytest.raises(ReportError, match="days must be"):
        execute.plan(con, days=0, tz=UTC)


class _FakeKernel:
    def __init__(self, log: list[str], kind: str) -> None:
        self.log, self.kind = log, kind
        log.append(f"start {kind}")

    def shutdown(self) -> None:
        self.log.append(f"stop {self.kind}")


def test_reports_run_side_by_side_in_order_and_a_failure_stops_the_rest(monkeypatch, tmp_path):
    log: list[str] = []
    monkeypatch.setattr(execute, "start_kernel", lambda kind: _FakeKernel(log, kind))

    def fake_run(kind, config, *, pdf, update_index, kernel, **when):
        kernel.shutdown()
        if kind == "boom":
            raise ReportError("boom failed")
        return kinds.ReportResult(kind, "s", tmp_path / f"{kind}.html", tmp_path / "x", tmp_path / "y", {})

    monkeypatch.setattr(execute, "run_report", fake_run)
    jobs: list[tuple[str, dict]] = [(k, {}) for k in ("a", "b", "c", "d", "e")]
    for workers in (1, 2, 3):
        log.clear()
        out = execute._run_jobs(None, jobs, pdf=False, workers=workers)  # type: ignore[arg-type]
        assert out == [tmp_path / f"{k}.html" for k in "abcde"]
        assert sorted(log) == sorted([f"start {k}" for k in "abcde"] + [f"stop {k}" for k in "abcde"])
    log.clear()
    execute._run_jobs(None, [("a", {}), ("ga", {}), ("b", {})], pdf=False, workers=1)  # type: ignore[arg-type]
    assert [x for x in log if x.startswith("start")] == ["start ga", "start a", "start b"]  # the longest first
    log.clear()
    with pytest.raises(ReportError, match="boom failed"):
        execute._run_jobs(None, [("a", {}), ("boom", {}), ("c", {}), ("d", {}), ("e", {})], pdf=False, workers=1)  # type: ignore[arg-type]
    started = [x.split()[1] for x in log if x.startswith("start")]
    assert "e" not in started and sorted(started) == sorted(x.split()[1] for x in log if x.startswith("stop"))


# ---------------------------------------------------------------------------------------------
# slow: the demo's reports, executed with papermill


def _in(df: pd.DataFrame, col: str, start: str, end: str) -> pd.DataFrame:
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    return df[(df[col] >= s) & (df[col] < e)]


def _oracle(run, start: str, end: str) -> dict:
    """The window's headline metrics recomputed with pandas from the CSV rows."""
    turns = _in(run.frame("turns"), "started_at", start, end)
    calls = _in(run.frame("tool_calls"), "started_at", start, end)
    sess = _in(run.frame("sessions"), "started_at", start, end)
    fb = _in(run.frame("feedback"), "submitted_at", start, end)
    ok = turns[turns["status"] == "ok"]["latency_ms"].dropna().to_numpy()
    return {
        "active_sessions": len(set(turns["session_id"]) | set(calls["session_id"]) | set(sess["session_id"])),
        "new_sessions": sess["session_id"].nunique(),
        "tool_call_success_rate": (calls["status"] == "ok").mean(),
        "tool_calls": len(calls),
        "turn_error_rate": (turns["status"] == "error").mean(),
        "turns": len(turns),
        "reported_cost": turns["cost_usd"].sum(),
        "latency_p95": float(np.percentile(ok, 95)),
        "latency_p50": float(np.percentile(ok, 50)),
        "responses": len(fb),
        "comments": int(fb["comment"].notna().sum()),
    }


def _check_metrics(m: dict, o: dict) -> None:
    assert m["active_sessions"] == o["active_sessions"]
    assert m["new_sessions"] == o["new_sessions"]
    assert m["samples"]["tool_calls"] == o["tool_calls"]
    assert m["tool_call_success_rate"] == pytest.approx(o["tool_call_success_rate"], abs=1e-12)
    assert m["samples"]["turns"] == o["turns"]
    assert m["turn_error_rate"] == pytest.approx(o["turn_error_rate"], abs=1e-12)
    assert m["latency_ms"]["p95"] == pytest.approx(o["latency_p95"], rel=1e-9)
    assert m["latency_ms"]["p50"] == pytest.approx(o["latency_p50"], rel=1e-9)
    assert m["feedback"]["responses"] == o["responses"]
    # cost: reported costs exactly, plus whatever was priced from tokens (never less)
    assert m["total_cost_usd"] >= o["reported_cost"] - 1e-9


@pytest.mark.slow
def test_demo_writes_every_report_and_an_index(demo_run):
    for kind in ("hourly", "cost", "debrief", "ga"):
        names = {p.name for p in (demo_run.reports / kind).iterdir() if p.suffix != ".pdf"}  # PDFs: test_browser
        stems = {n.split(".")[0] for n in names}
        assert stems and names == {f"{s}.{ext}" for s in stems for ext in ("html", "ipynb", "json")}, kind
    index = (demo_run.reports / "index.html").read_text()
    for kind in ("hourly", "cost", "debrief", "ga"):
        for p in (demo_run.reports / kind).glob("*.html"):
            assert f'href="{kind}/{p.name}"' in index
    assert "report: " in demo_run.output and "index.html" in demo_run.output
    assert not list(demo_run.reports.rglob(".*.tmp")) and not list(demo_run.reports.rglob("*.failed.ipynb"))


@pytest.mark.slow
def test_debrief_summary_matches_the_rows(demo_run):
    s = demo_run.summary("debrief", LAST_DAY)
    assert (
        s["schema"] == kinds.SUMMARY_SCHEMA
        and s["kind"] == "debrief"
        and s["parameters"] == {"date": LAST_DAY, "redact": True}
    )
    o = _oracle(demo_run, f"{LAST_DAY}T00:00:00Z", "2026-03-05T00:00:00Z")
    _check_metrics(s["metrics"], o)
    assert s["feedback"]["comments"] == o["comments"]
    assert s["recommendation"]["action"] in ("EXPAND", "HOLD", "ROLLBACK")
    assert {v["check"] for v in s["verdicts"]} >= {"vs_baseline:tool_call_success_rate", "criterion:tool_success"}
    assert s["data_quality"]["gates"]
    assert any(i["incident_id"] == "inc-evil" for i in s["incidents"])


@pytest.mark.slow
def test_hourly_summary_matches_the_rows(demo_run):
    assert "wrote" in demo_run.hourly_output  # `launchkit run hourly --at ...` in the fixture
    s = demo_run.summary("hourly", "2026-03-04T14")
    _check_metrics(s["metrics"], _oracle(demo_run, HOSTILE_HOUR, "2026-03-04T15:00:00Z"))
    tools = {t["tool"]: t for t in s["by_tool"]}
    assert tools[BOLD_TOOL]["tool_calls"] == 2 and tools[BOLD_TOOL]["tool_call_success_rate"] == 0.5
    assert EVIL_TENANT in {t["tenant"] for t in s["by_tenant"]}
    checks = {v["check"]: v for v in s["verdicts"]}
    assert {"tool_success", "latency_p95", "turn_error_rate", "data_arrived"} <= set(checks)
    assert all(v["status"] in ("ok", "watch", "breach", "na", "low-sample") for v in s["verdicts"])


@pytest.mark.slow
def test_cost_summary_matches_the_rows(demo_run):
    s = demo_run.summary("cost", LAST_DAY)
    turns = demo_run.frame("turns")
    reported = turns["cost_usd"].sum()
    fin = s["finance"]
    cov = s["pricing_coverage"]
    assert cov["turns"] == len(turns)
    assert cov["unpriced"] == int(turns["cost_usd"].isna().sum()) - cov["computed"]
    if cov["computed"] == 0:
        assert fin["spend_to_date_usd"] == pytest.approx(reported, rel=1e-9)
    else:
        assert fin["spend_to_date_usd"] > reported
    assert fin["spend_to_date_usd"] == pytest.approx(s["metrics"]["total_cost_usd"], rel=1e-9)
    per_model = {r["model"]: r["turns"] for r in s["spend_by_model"]}
    assert per_model == turns.groupby("model").size().to_dict()
    assert EVIL_TENANT in {r["tenant"] for r in s["spend_by_tenant"]}
    assert {v["name"] for v in s["verdicts"]} >= {"cost_per_session", "projected_spend", "reconciliation"}


@pytest.mark.slow
def test_ga_summary_matches_the_rows(demo_run):
    s = demo_run.summary("ga", LAST_DAY)
    calls = demo_run.frame("tool_calls")
    v = {x["name"]: x for x in s["verdicts"]}
    assert v["tool_success"]["n"] == len(calls)  # the 7-day window holds the whole 3-day pilot
    assert v["tool_success"]["value"] == pytest.approx((calls["status"] == "ok").mean(), abs=1e-12)
    assert v["tool_success"]["verdict"] in ("PASS", "MARGINAL", "FAIL", "INSUFFICIENT DATA", "UNTRUSTED DATA")
    ids = {i["id"] for i in s["checklist"]}
    assert {i["id"] for i in gonogo.load_checklist()} <= ids and "data-quality" in ids
    assert s["recommendation"]["action"] == "NO-GO"  # the shipped checklist is all pending
    assert s["recommendation"]["day_recommendation"] in ("EXPAND", "HOLD", "ROLLBACK")


@pytest.mark.slow
def test_reports_escape_every_data_string(demo_run):
    texts = {p: p.read_text(encoding="utf-8") for p in demo_run.reports.rglob("*.html")}
    joined = "\n".join(texts.values())
    for raw in (
        SCRIPT_COMMENT,
        "<script>alert",
        "<img src=x",
        BOLD_TOOL,
        EVIL_TENANT,
        "<u>cause</u>",
        "<a href=javascript",
        "<b>boom</b>",
    ):
        assert raw not in joined, raw
    debrief = texts[demo_run.reports / "debrief" / f"{LAST_DAY}.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in debrief
    assert "&lt;img src=x onerror=alert(3)&gt;Evil &amp; co" in debrief
    hourly = texts[demo_run.reports / "hourly" / "2026-03-04T14.html"]
    assert "&lt;b&gt;bold&lt;/b&gt;" in hourly and "t&lt;i&gt;evil&lt;/i&gt;" in hourly


@pytest.mark.slow
def test_a_failing_notebook_is_kept_and_reported_in_one_line(demo_run, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("at = None\nconfig_json = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise ValueError('no such metric: <b>x</b>')"),
    ]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    cfg = load_config(warehouse=str(demo_run.warehouse), reports_dir=str(tmp_path / "reports"))
    with pytest.raises(
        ReportError, match=r"broken.ipynb failed in cell \[3\] of the executed notebook: ValueError: no such metric"
    ) as e:
        execute.run_report("hourly", cfg, at=datetime.fromisoformat(HOSTILE_HOUR), notebook=path)
    assert "\n" not in str(e.value)
    failed = tmp_path / "reports" / "hourly" / "2026-03-04T14.failed.ipynb"
    assert failed.is_file() and "no such metric" in failed.read_text()
    assert not (tmp_path / "reports" / "hourly" / "2026-03-04T14.html").exists()


@pytest.mark.slow
def test_rerun_replaces_the_same_files(demo_run):
    before = sorted(p.name for p in (demo_run.reports / "cost").iterdir())
    old = demo_run.summary("cost", LAST_DAY)
    cfg = load_config(  # the demo's own launchkit.toml (its budget), as `launchkit run` in its folder reads it
        demo_run.folder / "launchkit.toml", warehouse=str(demo_run.warehouse), reports_dir=str(demo_run.reports)
    )
    r = execute.run_report("cost", cfg, day=date.fromisoformat(LAST_DAY))
    assert sorted(p.name for p in (demo_run.reports / "cost").iterdir()) == before
    assert r.summary["finance"] == old["finance"] and r.summary["metrics"] == old["metrics"]
