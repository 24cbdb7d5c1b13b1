"""Faults and hostile input at ingest (issue 12), each case with counts known by construction.

A bad file is one recorded failure and the batch goes on; a file name is never a pattern; every
line end counts; the inbox decides by content; a folder names what it does not read; timestamps
nobody meant are rejected with their reason; one line for a long field, UTF-16 and a repeated
column; a correction file erases nothing it does not carry.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from _tables import TURN_COLS

from launchkit import ingest
from launchkit.config import load_config
from launchkit.errors import ConfigError
from launchkit.ingest import inbox, tabular
from launchkit.ingest.compile import TOO_EARLY, TOO_LATE
from launchkit.jobs.hourly import new_inbox_files

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "otlp"
CALL_COLS = ["call_id", "session_id", "tool_name", "started_at", "status"]
WHEN = "2026-03-02T10:00:00Z"


def csv_text(header: list[str], rows: list[list[object]], newline: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, header: list[str], rows: list[list[object]], newline: str = "\n") -> Path:
    path.write_bytes(csv_text(header, rows, newline).encode())
    return path


def good_turn(i: int, latency: float = 1000.0) -> list[object]:
    return [f"t{i}", "s1", WHEN, "gpt-4o", "ok", latency, 200, 100, 50, 0.001]


def call(i: int, when: str = WHEN) -> list[object]:
    return [f"c{i}", "s1", "sql_query", when, "ok"]


def counts(r: ingest.FileResult) -> tuple[int, int, int, int, int]:
    return r.rows_read, r.loaded, r.updated, r.duplicates, r.rejected


def snapshot(con) -> dict[str, list[tuple]]:
    """Every table a load writes, whole (the loads manifest without its time column)."""
    tables = ["sessions", "turns", "tool_calls", "feedback", "vendor_costs", "incidents", "rollout", "rejects"]
    out = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    out["loads"] = con.execute("SELECT * EXCLUDE (loaded_at) FROM loads ORDER BY load_id").fetchall()
    return out


@pytest.fixture(params=["staged", "streamed"])
def path_kind(request, monkeypatch):
    """Run a test through both load paths: small files staged in a table, large ones streamed."""
    if request.param == "streamed":
        monkeypatch.setattr(tabular, "SMALL_FILE", 0)
    return request.param


# --- 1. a bad file is one failed file, never a stopped batch ------------------------------------

DEEP = 2000
BAD_TRACE_FILES = {
    "resourceSpans is a number": '{"resourceSpans": 5}',
    "scopeSpans is a number": '{"resourceSpans": [{"scopeSpans": 5}]}',
    "spans is a number": '{"resourceSpans": [{"scopeSpans": [{"spans": 7}]}]}',
    "resource attributes is a number": '{"resourceSpans": [{"resource": {"attributes": 5}, "scopeSpans": []}]}',
    "span attributes is a string": (
        '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c", '
        '"spanId": "eee19b7ec3c1b174", "name": "chat", "attributes": "gen_ai.operation.name"}]}]}]}'
    ),
    "events is a number": (
        '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c", '
        '"spanId": "eee19b7ec3c1b174", "name": "chat", "events": 3}]}]}]}'
    ),
    "attribute nested 2,000 deep": (
        '{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c", '
        '"spanId": "eee19b7ec3c1b174", "name": "chat", "attributes": [{"key": "x", "value": '
        + '{"arrayValue": {"values": [' * DEEP
        + "1"
        + "]}}" * DEEP
        + "}]}]}]}]}"
    ),
    "observations is a number": '{"trace": {"id": "t1", "sessionId": "s1"}, "observations": 7}',
    "scores is a number": (
        '{"trace": {"id": "t1", "sessionId": "s1", "scores": 5}, '
        '"observations": [{"id": "o1", "type": "GENERATION", "startTime": "2026-03-02T10:00:00Z"}]}'
    ),
    "a list nested 2,000 deep": "[" * DEEP + "]" * DEEP,
}


@pytest.mark.parametrize("case", list(BAD_TRACE_FILES))
def test_a_structurally_wrong_trace_file_is_one_recorded_failure_and_the_batch_loads(con, config, tmp_path, case):
    """Allowed: records read with counts that reconcile, or one failure, recorded once. Never a traceback."""
    bad = tmp_path / "export.json"
    bad.write_text(BAD_TRACE_FILES[case])
    good = write_csv(tmp_path / "tool_calls_good.csv", CALL_COLS, [call(1), call(2)])
    results = ingest.ingest(con, [bad, good], config=config)
    assert [counts(r) for r in results if r.file == str(good)] == [(2, 2, 0, 0, 0)]
    mine = [r for r in results if r.file == str(bad)]
    assert all(r.reconciles() for r in mine)
    if any(not r.ok for r in mine):
        [failed] = mine
        assert "\n" not in str(failed.error) and failed.summary().startswith(f"FAILED {bad}: ")
        # recorded once, with the content hash, so the hourly run does not read it again unchanged
        digest = hashlib.sha256(bad.read_bytes()).hexdigest()
        assert con.execute("SELECT path, content_hash FROM loads WHERE status = 'failed'").fetchall() == [
            (str(bad), digest)
        ]
        assert con.execute("SELECT count(*) FROM turns").fetchall() == [(0,)]
        ingest.ingest(con, [bad], config=config)
        assert con.execute("SELECT count(*) FROM loads WHERE status = 'failed'").fetchall() == [(1,)]


@pytest.mark.parametrize(
    "exc",
    [
        TypeError("'int' object is not iterable"),
        RecursionError("maximum recursion depth exceeded"),
        MemoryError(),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
        KeyError("spans"),
        ValueError("bad\nvalue"),
    ],
    ids=lambda e: type(e).__name__,
)
@pytest.mark.parametrize("fmt", ["otlp", "csv"])
def test_whatever_a_reader_raises_is_one_recorded_failure(con, config, tmp_path, monkeypatch, exc, fmt):
    """The guarantee is structural: it holds for any exception of any reader, present or future."""

    def broken(*args, **kwargs):
        raise exc

    if fmt == "otlp":
        monkeypatch.setattr("launchkit.ingest.load.trace_reader", lambda fmt: broken)
        bad = tmp_path / "trace.json"
        shutil.copy(FIXTURES / "two_traces.json", bad)
    else:
        monkeypatch.setattr("launchkit.ingest.load.stage_tabular", broken)
        bad = write_csv(tmp_path / "tool_calls_x.csv", CALL_COLS, [call(1)])
    before = snapshot(con)
    [r] = ingest.ingest(con, [bad], config=config, fmt=fmt)
    error = str(r.error)
    assert not r.ok and error.startswith(f"not a readable {fmt if fmt == 'otlp' else 'CSV'} file")
    assert "\n" not in error
    after = snapshot(con)
    [failure] = after["loads"][len(before["loads"]) :]
    table = None if fmt == "otlp" else "tool_calls"
    assert failure[1:5] == (str(bad), hashlib.sha256(bad.read_bytes()).hexdigest(), table, fmt)
    assert failure[5] == "failed" and failure[12] == r.error
    assert {k: v for k, v in after.items() if k != "loads"} == {k: v for k, v in before.items() if k != "loads"}


# --- 3. no row lost without a count: names are literal -----------------------------------------


def write_table(path: Path, fmt: str, header: list[str], rows: list[list[object]]) -> Path:
    if fmt == "csv":
        return write_csv(path, header, rows)
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(dict(zip(header, r))) + "\n" for r in rows))
        return path
    pd.DataFrame(rows, columns=header).to_parquet(path)
    return path


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
@pytest.mark.parametrize(
    "own, neighbour",
    [
        ("tool_calls_2026-03-02T10 [1]", "tool_calls_2026-03-02T10 1"),  # [1] is a character class
        ("tool_calls_*", "tool_calls_a"),
        ("tool_calls_?", "tool_calls_b"),
        ("tool_calls_{a,b}", "tool_calls_a"),
        ("tool_calls_x\\y", "tool_calls_xy"),
    ],
)
def test_a_file_name_is_read_literally_never_as_a_pattern(con, config, tmp_path, fmt, own, neighbour):
    ext = {"csv": ".csv", "parquet": ".parquet", "jsonl": ".jsonl"}[fmt]
    mine = write_table(tmp_path / (own + ext), fmt, CALL_COLS, [call(1), call(2)])
    write_table(tmp_path / (neighbour + ext), fmt, CALL_COLS, [call(9)])
    [r] = ingest.ingest(con, [mine], config=config)
    assert r.ok and counts(r) == (2, 2, 0, 0, 0), r.summary()
    assert con.execute("SELECT call_id FROM tool_calls ORDER BY 1").fetchall() == [("c1",), ("c2",)]


def test_a_folder_named_like_a_hive_partition_adds_no_column(con, config, tmp_path):
    d = tmp_path / "date=2026-03-02"
    d.mkdir()
    f = write_csv(d / "tool_calls_x.csv", CALL_COLS, [call(1), call(2)])
    [r] = ingest.ingest(con, [f], config=config)
    assert r.ok and counts(r) == (2, 2, 0, 0, 0), r.summary()


# --- every line end counts --------------------------------------------------------------------

SESSION_COLS = ["session_id", "tenant_id", "started_at"]
# 4 good rows, 2 with a bad time, 1 line that does not split into the header's columns: 7 records.
SESSION_ROWS = [
    ["s1", "t01", WHEN],
    ["s2", "t01", "soon"],
    ["s3", "t01", WHEN],
    ["s4", "t01", WHEN, "extra", "fields"],
    ["s5", "t01", "later"],
    ["s6", "t01", WHEN],
    ["s7", "t01", WHEN],
]
# Records are numbered as read (the malformed line is not a record); a malformed line by its line number.
EXPECTED_REJECTS = [(2, "started_at", "unparseable timestamp"), (4, "started_at", "unparseable timestamp")]


def sessions_bytes(ends: list[str]) -> bytes:
    lines = [",".join(SESSION_COLS)] + [",".join(r) for r in SESSION_ROWS]
    return "".join(line + ends[i % len(ends)] for i, line in enumerate(lines)).encode()


@pytest.mark.parametrize(
    "ends",
    [["\r"], ["\r\n"], ["\n", "\r\n"], ["\r\n", "\r", "\n"], ["\n", "\n", "\n", "\r"]],
    ids=["CR", "CRLF", "LF+CRLF", "CRLF+CR+LF", "LF then a CR"],
)
def test_every_kind_of_line_end_gives_the_known_counts(con, config, tmp_path, path_kind, ends):
    f = tmp_path / "sessions_ends.csv"
    f.write_bytes(sessions_bytes(ends))
    [r] = ingest.ingest(con, [f], config=config)
    assert r.ok and counts(r) == (7, 4, 0, 0, 3), r.summary()
    got = con.execute("SELECT row_number, column_name, reason FROM rejects ORDER BY row_number").fetchall()
    assert got[:2] == EXPECTED_REJECTS and got[2][:2] == (5, None) and got[2][2].startswith("malformed CSV line 5:")
    assert con.execute("SELECT session_id, tenant_id FROM sessions ORDER BY 1").fetchall() == [
        ("s1", "t01"),
        ("s3", "t01"),
        ("s6", "t01"),
        ("s7", "t01"),
    ]


def test_mixed_line_ends_keep_line_breaks_inside_quoted_values(con, config, tmp_path):
    f = tmp_path / "feedback_mixed.csv"
    f.write_bytes(
        b"feedback_id,session_id,submitted_at,rating,comment\r\n"
        b'f1,s1,2026-03-02T10:00:00Z,5,"one\r\ntwo"\n'
        b'f2,s1,2026-03-02T10:00:00Z,4,"a ""quoted""\nword"\r'
        b"f3,s1,2026-03-02T10:00:00Z,3,plain\n"
    )
    [r] = ingest.ingest(con, [f], config=config)
    assert r.ok and counts(r) == (3, 3, 0, 0, 0), r.summary()
    assert con.execute("SELECT feedback_id, comment FROM feedback ORDER BY 1").fetchall() == [
        ("f1", "one\r\ntwo"),
        ("f2", 'a "quoted"\nword'),
        ("f3", "plain"),
    ]


# --- the inbox decides by content ---------------------------------------------------------------


def load_inbox(con, config, folder: Path) -> list[ingest.FileResult]:
    return ingest.ingest(con, new_inbox_files(con, folder), config=config)


def test_a_corrected_file_with_its_old_timestamp_is_loaded(con, config, tmp_path, monkeypatch):
    monkeypatch.setattr(inbox, "RACY_NS", 0)  # remember every hash at once (the test writes files just now)
    box = tmp_path / "inbox"
    box.mkdir()
    f = write_csv(box / "turns_a.csv", TURN_COLS, [good_turn(1, 1000.0), good_turn(2, 1000.0)])
    old = int(datetime(2026, 3, 2, 11, tzinfo=UTC).timestamp() * 1e9)
    os.utime(f, ns=(old, old))
    [r] = load_inbox(con, config, box)
    assert counts(r) == (2, 2, 0, 0, 0)
    assert new_inbox_files(con, box) == []
    # rsync -t / cp -p: new content, same size, the original modification time
    write_csv(f, TURN_COLS, [good_turn(1, 2500.0), good_turn(2, 1000.0)])
    os.utime(f, ns=(old, old))
    assert f.stat().st_size == len(csv_text(TURN_COLS, [good_turn(1, 1000.0), good_turn(2, 1000.0)]))
    assert new_inbox_files(con, box) == [f.resolve()]
    [r] = load_inbox(con, config, box)
    assert counts(r) == (2, 0, 1, 1, 0)
    assert con.execute("SELECT latency_ms FROM turns WHERE turn_id = 't1'").fetchall() == [(2500.0,)]


def test_the_inbox_hashes_only_what_changed_and_reads_a_failure_once(con, config, tmp_path, monkeypatch):
    monkeypatch.setattr(inbox, "RACY_NS", 0)
    hashed: list[str] = []
    real = inbox.content_hash

    def counting(p: Path) -> str:
        hashed.append(Path(p).name)
        return real(p)

    monkeypatch.setattr(inbox, "content_hash", counting)
    box = tmp_path / "inbox"
    box.mkdir()
    write_csv(box / "turns_a.csv", TURN_COLS, [good_turn(1)])
    bad = box / "turns_bad.csv"
    bad.write_text("not,the,contract\n1,2,3\n")
    (box / "README.txt").write_text("not data")
    results = load_inbox(con, config, box)
    assert sorted(hashed) == ["turns_a.csv", "turns_bad.csv"]
    assert [(Path(r.file).name, r.ok) for r in results] == [("turns_a.csv", True), ("turns_bad.csv", False)]
    hashed.clear()
    assert new_inbox_files(con, box) == [] and hashed == []  # nothing new: nothing read again
    # a copy of loaded content under another name is not new either (hashed once, then remembered)
    shutil.copy(box / "turns_a.csv", box / "turns_a_copy.csv")
    assert new_inbox_files(con, box) == [] and hashed == ["turns_a_copy.csv"]
    # the failed file, corrected, is read again
    hashed.clear()
    write_csv(bad, TURN_COLS, [good_turn(5)])
    assert new_inbox_files(con, box) == [bad.resolve()] and hashed == ["turns_bad.csv"]


# --- a folder names every entry it does not read ------------------------------------------------


def test_a_folder_reads_gzip_and_names_what_it_passes_over(con, config, tmp_path):
    d = tmp_path / "drop"
    d.mkdir()
    (d / "tool_calls_1.csv.gz").write_bytes(gzip.compress(csv_text(CALL_COLS, [call(1), call(2)]).encode()))
    (d / "tool_calls_2.jsonl.gz").write_bytes(
        gzip.compress("".join(json.dumps(dict(zip(CALL_COLS, call(3)))) + "\n" for _ in range(1)).encode())
    )
    (d / "traces.json.gz").write_bytes(gzip.compress((FIXTURES / "two_traces.json").read_bytes()))
    (d / "sub").mkdir()
    write_csv(d / "sub" / "tool_calls_9.csv", CALL_COLS, [call(9)])
    (d / "turns_old.zip").write_bytes(b"PK\x03\x04")
    (d / "turns_p.parquet.gz").write_bytes(gzip.compress(b"PAR1"))
    (d / "README.md").write_text("hello")
    (d / ".DS_Store").write_bytes(b"\x00")
    results = {Path(r.file).name: r for r in ingest.ingest(con, [d], config=config)}
    assert all(r.ok for r in results.values()), [r.summary() for r in results.values()]
    assert counts(results["tool_calls_1.csv.gz"]) == (2, 2, 0, 0, 0)
    assert counts(results["tool_calls_2.jsonl.gz"]) == (1, 1, 0, 0, 0)
    assert con.execute("SELECT count(*) FROM turns").fetchall() == [(3,)]  # the two_traces fixture: 3 turns
    passed = {name: str(r.reason) for name, r in results.items() if r.passed_over}
    assert set(passed) == {"sub", "turns_old.zip", "turns_p.parquet.gz", "README.md", ".DS_Store"}
    assert "folder" in passed["sub"] and "zip" in passed["turns_old.zip"]
    assert "Parquet" in passed["turns_p.parquet.gz"] and "hidden" in passed[".DS_Store"]
    assert all(r.summary().startswith(f"passed over {r.file}: ") for r in results.values() if r.passed_over)
    assert all(r.to_json()["reason"] == passed[n] for n, r in results.items() if r.passed_over)


def test_the_cli_lists_what_a_folder_load_passes_over(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from launchkit.cli import cli

    monkeypatch.chdir(tmp_path)
    for var in ("LAUNCHKIT_CONFIG", "LAUNCHKIT_REPORTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    d = tmp_path / "drop"
    (d / "later").mkdir(parents=True)
    write_csv(d / "tool_calls_1.csv", CALL_COLS, [call(1)])
    (d / "old.zip").write_bytes(b"PK")
    out = CliRunner().invoke(cli, ["ingest", str(d)])
    assert out.exit_code == 0, out.output
    assert (
        f"passed over {d / 'later'}: a folder" in out.output
        and f"passed over {d / 'old.zip'}: compressed" in out.output
    )
    lines = [json.loads(x) for x in CliRunner().invoke(cli, ["ingest", str(d), "--json"]).output.splitlines()]
    assert {Path(x["file"]).name: x.get("reason", "")[:9] for x in lines if x.get("passed_over")} == {
        "later": "a folder ",
        "old.zip": "compresse",
    }


# --- 5. plausible timestamps -----------------------------------------------------------------


def load_times(con, config, tmp_path, values: list[str]) -> ingest.FileResult:
    f = write_csv(tmp_path / "tool_calls_t.csv", CALL_COLS, [call(i, v) for i, v in enumerate(values)])
    [r] = ingest.ingest(con, [f], config=config)
    assert r.ok, r.summary()
    return r


def reasons(con) -> list[tuple[int, str | None, str]]:
    return con.execute("SELECT row_number, column_name, reason FROM rejects ORDER BY row_number").fetchall()


@pytest.mark.parametrize(
    "value",
    [
        "infinity",
        "-infinity",
        "Infinity",
        "epoch",
        "2026-03-02T10:00:00+25:00",
        "2026-03-02T10:00:00+14:30",
        "2026-03-02T10:00:00-99",
        "2026-03-02 10:00:00+05:75",
        "2026-03-02T10:00:00.5+1500",
        "nan",
        "inf",
    ],
)
def test_special_values_and_impossible_offsets_are_unparseable(con, config, tmp_path, value):
    r = load_times(con, config, tmp_path, [WHEN, value])
    assert counts(r) == (2, 1, 0, 0, 1)
    [(row, column, reason)] = reasons(con)
    assert (row, column) == (2, "started_at") and reason.startswith("unparseable timestamp")


@pytest.mark.parametrize(
    "value, utc",
    [
        ("2026-03-02T10:00:00+14:00", datetime(2026, 3, 1, 20, tzinfo=UTC)),
        ("2026-03-02T10:00:00-12:00", datetime(2026, 3, 2, 22, tzinfo=UTC)),
        ("2026-03-02T10:00:00+0530", datetime(2026, 3, 2, 4, 30, tzinfo=UTC)),
        ("2026-03-02 10:00:00 America/New_York", datetime(2026, 3, 2, 15, tzinfo=UTC)),
    ],
)
def test_possible_offsets_still_load(con, config, tmp_path, value, utc):
    r = load_times(con, config, tmp_path, [value])
    assert counts(r) == (1, 1, 0, 0, 0)
    assert con.execute("SELECT started_at FROM tool_calls").fetchall() == [(utc,)]


def test_the_plausibility_window_rejects_with_its_reason(con, config, tmp_path):
    now = datetime.now(UTC)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    values = [
        "2020-01-01T00:00:00Z",  # 0: the first instant of the default window
        "2019-12-31T23:59:59Z",  # 1: too early
        "1970-01-01T00:00:00Z",  # 2: the epoch
        "0",  # 3: epoch seconds 0
        "9999-12-31T00:00:00Z",  # 4: crashed every daily report
        (now + timedelta(hours=48)).strftime(iso),  # 5: too late
        (now + timedelta(hours=1)).strftime(iso),  # 6: within max_future_hours
        WHEN,  # 7
    ]
    r = load_times(con, config, tmp_path, values)
    assert counts(r) == (8, 3, 0, 0, 5)
    assert reasons(con) == [
        (2, "started_at", TOO_EARLY),
        (3, "started_at", TOO_EARLY),
        (4, "started_at", TOO_EARLY),
        (5, "started_at", TOO_LATE),
        (6, "started_at", TOO_LATE),
    ]
    assert con.execute("SELECT min(started_at) FROM tool_calls").fetchall() == [(datetime(2020, 1, 1, tzinfo=UTC),)]


def test_the_window_is_set_in_the_config(con, config, tmp_path):
    cfg = config.with_overrides(**{"ingest.earliest": "2010-01-01", "ingest.max_future_hours": 0})
    f = write_csv(
        tmp_path / "tool_calls_w.csv",
        CALL_COLS,
        [call(1, "2018-12-13T14:51:00Z"), call(2, (datetime.now(UTC) + timedelta(hours=1)).isoformat())],
    )
    [r] = ingest.ingest(con, [f], config=cfg)
    assert counts(r) == (2, 1, 0, 0, 1) and reasons(con) == [(2, "started_at", TOO_LATE)]


def test_dates_and_planned_times(con, config, tmp_path):
    costs = write_csv(
        tmp_path / "vendor_costs_x.csv",
        ["line_id", "vendor", "usage_date", "amount_usd"],
        [["l1", "openai", "2026-03-02", 1], ["l2", "openai", "9999-12-31", 1], ["l3", "openai", "infinity", 1]],
    )
    next_month = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT00:00:00Z")
    rollout = write_csv(
        tmp_path / "rollout_x.csv", ["tenant_id", "enabled_at"], [["t01", next_month], ["t02", "1999-01-01T00:00:00Z"]]
    )
    rc, rr = ingest.ingest(con, [costs, rollout], config=config)
    assert counts(rc) == (3, 1, 0, 0, 2) and counts(rr) == (2, 1, 0, 0, 1)
    assert con.execute("SELECT table_name, row_number, reason FROM rejects ORDER BY ALL").fetchall() == [
        ("rollout", 2, TOO_EARLY),
        ("vendor_costs", 2, TOO_LATE),
        ("vendor_costs", 3, "unparseable date"),
    ]


def test_trace_spans_are_classified_before_the_window(con, config, tmp_path):
    """The 2018 spans: a chat span is a turn, rejected by the window; an unrelated span stays ignored."""

    def span(span_id: str, op: str | None) -> dict:
        attrs = [{"key": "gen_ai.operation.name", "value": {"stringValue": op}}] if op else []
        return {
            "traceId": "5b8efff798038103d269b633813fc60c",
            "spanId": span_id,
            "name": op or "http",
            "startTimeUnixNano": "1544712660000000000",
            "endTimeUnixNano": "1544712661000000000",
            "attributes": attrs + [{"key": "gen_ai.conversation.id", "value": {"stringValue": "conv-1"}}],
        }

    doc = {
        "resourceSpans": [
            {"scopeSpans": [{"spans": [span("eee19b7ec3c1b174", "chat"), span("eee19b7ec3c1b175", None)]}]}
        ]
    }
    f = tmp_path / "old.json"
    f.write_text(json.dumps(doc))
    results = ingest.ingest(con, [f], config=config)
    turns = next(r for r in results if r.table == "turns")
    assert (turns.rows_read, turns.loaded, turns.ignored, turns.rejected) == (2, 0, 1, 1)
    assert con.execute("SELECT table_name, reason FROM rejects ORDER BY ALL").fetchall() == [
        ("sessions", TOO_EARLY),
        ("turns", TOO_EARLY),
    ]
    con2 = type(con).memory()
    results = ingest.ingest(con2, [f], config=config.with_overrides(**{"ingest.earliest": "2018-01-01"}))
    turns = next(r for r in results if r.table == "turns")
    assert (turns.rows_read, turns.loaded, turns.ignored, turns.rejected) == (2, 1, 1, 0)
    con2.close()


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("earliest", '"last year"', "must be a date YYYY-MM-DD"),
        ("earliest", "2020-01-01T00:00:00Z", "must be a date YYYY-MM-DD"),
        ("max_future_hours", "-1", "must be >= 0"),
        ("max_future_hours", "nan", "finite"),
        ("max_future_hours", '"24"', "must be int or float"),
    ],
)
def test_the_window_keys_are_validated(tmp_path, monkeypatch, key, value, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "launchkit.toml").write_text(f"[ingest]\n{key} = {value}\n")
    with pytest.raises(ConfigError, match=message):
        load_config(env={})


def test_a_toml_date_is_a_window_start(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "launchkit.toml").write_text("[ingest]\nearliest = 2018-06-01\nmax_future_hours = 2.5\n")
    cfg = load_config(env={})
    assert (cfg.earliest, cfg.max_future_hours) == (date(2018, 6, 1), 2.5)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "NaN"])
def test_a_non_finite_whole_number_rejects_its_row_not_the_file(con, config, tmp_path, value):
    """Found by the fuzz: the value of a rejected row was still cast, and NaN failed the whole file."""
    f = write_csv(
        tmp_path / "feedback_n.csv",
        ["feedback_id", "session_id", "submitted_at", "rating"],
        [["f1", "s1", WHEN, value], ["f2", "s1", WHEN, "4"]],
    )
    [r] = ingest.ingest(con, [f], config=config)
    assert r.ok and counts(r) == (2, 1, 0, 0, 1), r.summary()
    assert reasons(con) == [(1, "rating", "not a number")]


# --- 6. one line for a long field, UTF-16 and a repeated column ---------------------------------

FEEDBACK_COLS = ["feedback_id", "session_id", "submitted_at", "rating", "comment"]


def test_a_10_mb_field_loads(con, config, tmp_path):
    big = "x" * (10 << 20)
    f = write_csv(
        tmp_path / "feedback_big.csv",
        FEEDBACK_COLS,
        [["f1", "s1", WHEN, 5, "short"], ["f2", "s1", WHEN, 4, big], ["f3", "s1", WHEN, 9, "bad rating"]],
    )
    [r] = ingest.ingest(con, [f], config=config)
    assert r.ok and counts(r) == (3, 2, 0, 0, 1), r.summary()
    assert con.execute("SELECT feedback_id, length(comment) FROM feedback ORDER BY 1").fetchall() == [
        ("f1", 5),
        ("f2", 10 << 20),
    ]
    assert reasons(con) == [(3, "rating", "above maximum 5")]


def test_a_record_longer_than_the_first_read_allows_is_read_again(con, config, tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "SMALL_FILE", 0)  # a large file: streamed, read with DuckDB's line limit
    monkeypatch.setattr(tabular, "MAX_LINE_SIZE", 1 << 20)  # that limit: 1 MiB
    f = write_csv(
        tmp_path / "feedback_long.csv",
        FEEDBACK_COLS,
        [["f1", "s1", WHEN, 5, "short"], ["f2", "s1", WHEN, 4, "y" * (3 << 20)], ["f3", "s1", WHEN, 4, "z"]],
    )
    [r] = ingest.ingest(con, [f], config=config)
    assert r.ok and counts(r) == (3, 3, 0, 0, 0), r.summary()
    assert con.execute("SELECT max(length(comment)) FROM feedback").fetchall() == [(3 << 20,)]


def test_a_record_longer_than_launchkit_reads_is_one_line(con, config, tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "SMALL_FILE", 0)
    monkeypatch.setattr(tabular, "MAX_LINE_SIZE", 1 << 20)
    f = write_csv(tmp_path / "feedback_long.csv", FEEDBACK_COLS, [["f1", "s1", WHEN, 4, "y" * (3 << 20)]])
    [r] = ingest.ingest(con, [f], config=config.with_overrides(**{"ingest.max_record_mb": 2}))
    assert not r.ok and "longer than [ingest] max_record_mb (2 MiB)" in str(r.error), r.error
    assert con.execute("SELECT status FROM loads").fetchall() == [("failed",)]


TEXT = "session_id,tenant_id,started_at\r\ns1,tÿ-01,2026-03-02T10:00:00Z\r\ns2,t02,2026-03-02T10:00:00Z\r\n"


@pytest.mark.parametrize(
    "encoded",
    [
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-be"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    ],
    ids=["utf-16-le BOM", "utf-16-be BOM", "utf-16-le", "utf-16-be", "utf-8 BOM"],
)
def test_a_utf16_csv_is_transcoded(con, config, tmp_path, encoded):
    f = tmp_path / "sessions_u.csv"
    f.write_bytes(encoded)
    [r] = ingest.ingest(con, [f], config=config)
    assert r.ok and counts(r) == (2, 2, 0, 0, 0), r.summary()
    assert con.execute("SELECT session_id, tenant_id FROM sessions ORDER BY 1").fetchall() == [
        ("s1", "tÿ-01"),
        ("s2", "t02"),
    ]


def test_utf16_and_gzip_trace_and_jsonl_files_are_detected_and_read(con, config, tmp_path):
    raw = (FIXTURES / "two_traces.json").read_bytes()
    wide = tmp_path / "export.json"
    wide.write_bytes(codecs.BOM_UTF16_LE + raw.decode().encode("utf-16-le"))
    packed = tmp_path / "collector.jsonl.gz"  # trace JSON Lines (no table prefix), gzip
    packed.write_bytes(gzip.compress(raw))
    lines = tmp_path / "tool_calls_w.jsonl"
    lines.write_bytes("".join(json.dumps(dict(zip(CALL_COLS, call(i)))) + "\n" for i in (1, 2)).encode("utf-16"))
    first = {r.table: r for r in ingest.ingest(con, [wide], config=config)}
    assert all(r.format == "otlp" and r.detected for r in first.values())
    assert counts(first["turns"])[1] == 3
    second = {r.table: r for r in ingest.ingest(con, [packed], config=config)}
    assert second["turns"].format == "otlp" and counts(second["turns"])[3] == 3  # the same spans: duplicates
    [r] = ingest.ingest(con, [lines], config=config)
    assert counts(r) == (2, 2, 0, 0, 0)


def test_a_latin1_csv_rejects_its_non_utf8_lines_saying_so(con, config, tmp_path):
    f = tmp_path / "sessions_l.csv"
    f.write_bytes(TEXT.replace("\r\n", "\n").encode("latin-1"))
    [r] = ingest.ingest(con, [f], config=config)
    assert counts(r) == (2, 1, 0, 0, 1)
    [(row, _, reason)] = reasons(con)
    assert row == 2 and "not UTF-8" in reason


@pytest.mark.parametrize(
    "header, message",
    [
        (
            b"call_id,session_id,tool_name,started_at,status,Session_ID",
            "duplicate column name(s) session_id in the header",
        ),
        (b"call_id,,tool_name,started_at,status", "column(s) 2 of the header have no name"),
        (b"call_id,sessi\xf3n_id,tool_name,started_at,status", "the header (line 1) is not UTF-8 text"),
    ],
)
def test_a_header_duckdb_renames_is_explained(con, config, tmp_path, header, message):
    f = tmp_path / "tool_calls_h.csv"
    f.write_bytes(header + b"\nc1,s1,q,2026-03-02T10:00:00Z,ok\n")
    [r] = ingest.ingest(con, [f], config=config)
    assert not r.ok and message in str(r.error), r.error


# --- 10. a correction file erases nothing it does not carry -------------------------------------


def test_a_correction_with_fewer_columns_keeps_the_stored_values(con, config, tmp_path):
    full = write_csv(tmp_path / "turns_full.csv", TURN_COLS, [good_turn(1), good_turn(2)])
    ingest.ingest(con, [full], config=config)
    cols = ["turn_id", "session_id", "started_at", "status", "latency_ms"]
    fix = write_csv(tmp_path / "turns_fix.csv", cols, [["t1", "s1", WHEN, "ok", 2500], ["t3", "s1", WHEN, "ok", 7]])
    [r] = ingest.ingest(con, [fix], config=config)
    assert counts(r) == (2, 1, 1, 0, 0)
    assert con.execute(
        "SELECT turn_id, latency_ms, model, ttft_ms, input_tokens, output_tokens, cost_usd FROM turns ORDER BY 1"
    ).fetchall() == [
        ("t1", 2500.0, "gpt-4o", 200.0, 100, 50, 0.001),
        ("t2", 1000.0, "gpt-4o", 200.0, 100, 50, 0.001),
        ("t3", 7.0, None, None, None, None, None),
    ]
    assert r.notes and "model, ttft_ms, input_tokens, output_tokens, cost_usd" in r.notes[0]
    # the same subset again is a duplicate: nothing changes
    again = write_csv(tmp_path / "turns_fix2.csv", cols, [["t1", "s1", WHEN, "ok", 2500]])
    [r2] = ingest.ingest(con, [again], config=config)
    assert counts(r2) == (1, 0, 0, 1, 0)
