"""Ingestion rules with known answers: counts, reasons, idempotence, corrections, atomicity, time."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from _tables import TURN_COLS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchkit import ingest
from launchkit.config import load_config
from launchkit.ingest import merge, tabular
from launchkit.store.warehouse import Warehouse


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def good_turn(i: int, latency: float = 1000.0) -> list[object]:
    return [f"t{i}", "s1", "2026-03-02T10:00:00Z", "gpt-4o", "ok", latency, 200, 100, 50, 0.001]


def counts(r: ingest.FileResult) -> tuple[int, int, int, int, int]:
    return r.rows_read, r.loaded, r.updated, r.duplicates, r.rejected


def table_rows(con, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


@pytest.fixture(params=["staged", "streamed"])
def path_kind(request, monkeypatch):
    """Run a test through both load paths: small files staged in a table, large ones streamed."""
    if request.param == "streamed":
        monkeypatch.setattr(tabular, "SMALL_FILE", 0)
    return request.param


def test_known_counts_and_reasons(con, config, tmp_path, path_kind):
    good = [good_turn(i) for i in range(1, 6)]  # N = 5
    bad = [
        ["b1", "s1", "not a time", "gpt-4o", "ok", 1, 1, 1, 1, 0],  # unparseable timestamp
        ["b2", "s1", "2026-03-02T10:00:00Z", "gpt-4o", "maybe", 1, 1, 1, 1, 0],  # status out of domain
        ["b3", "s1", "2026-03-02T10:00:00Z", "gpt-4o", "ok", -5, 1, 1, 1, 0],  # negative latency
        ["b4", "", "2026-03-02T10:00:00Z", "gpt-4o", "ok", 1, 1, 1, 1, 0],  # missing required
        ["b5", "s1", "2026-03-02T10:00:00Z", "gpt-4o", "ok", "fast", 1, 1, 1, 0],  # not a number
        ["b6", "s1", "2026-03-02T10:00:00Z", "gpt-4o", "ok", 1, 1, 2.5, 1, 0],  # tokens not whole
    ]  # M = 6
    dups = [good_turn(1), good_turn(3)]  # K = 2 exact repeats
    f = write_csv(tmp_path / "turns_2026-03-02T10.csv", TURN_COLS, good + bad[:3] + dups + bad[3:])
    [r] = ingest.ingest(con, [f], config=config)
    assert counts(r) == (13, 5, 0, 2, 6)
    assert con.execute("SELECT count(*) FROM turns").fetchall()[0][0] == 5
    rejects = con.execute("SELECT row_number, column_name, reason FROM rejects ORDER BY row_number").fetchall()
    assert rejects == [
        (6, "started_at", "unparseable timestamp"),
        (7, "status", "not one of ok, error"),
        (8, "latency_ms", "below minimum 0"),
        (11, "session_id", "missing required value"),
        (12, "latency_ms", "not a number"),
        (13, "input_tokens", "not a whole number"),
    ]
    raw = json.loads(con.execute("SELECT raw FROM rejects WHERE row_number = 7").fetchall()[0][0])
    assert raw["status"] == "maybe" and raw["turn_id"] == "b2"
    manifest = con.execute(
        "SELECT table_name, status, rows_read, loaded, updated, duplicates, rejected FROM loads"
    ).fetchall()
    assert manifest == [("turns", "loaded", 13, 5, 0, 2, 6)]


def test_same_file_twice_changes_nothing(con, config, tmp_path, path_kind):
    f = write_csv(
        tmp_path / "turns_a.csv", TURN_COLS, [good_turn(1), good_turn(2), ["x", "", "", "", "", "", "", "", "", ""]]
    )
    [first] = ingest.ingest(con, [f], config=config)
    before = (table_rows(con, "turns"), table_rows(con, "loads"), table_rows(con, "rejects"))
    [again] = ingest.ingest(con, [f], config=config)
    assert again.skipped and not first.skipped
    # A copy under another name is the same content: skipped too.
    copy = tmp_path / "turns_copy.csv"
    copy.write_bytes(f.read_bytes())
    [third] = ingest.ingest(con, [copy], config=config)
    assert third.skipped
    assert (table_rows(con, "turns"), table_rows(con, "loads"), table_rows(con, "rejects")) == before


def test_overlapping_files_count_duplicates_across_files(con, config, tmp_path, path_kind):
    a = write_csv(tmp_path / "turns_a.csv", TURN_COLS, [good_turn(i) for i in (1, 2, 3)])
    b = write_csv(tmp_path / "turns_b.csv", TURN_COLS, [good_turn(i) for i in (2, 3, 4, 5)])
    ra, rb = ingest.ingest(con, [a, b], config=config)
    assert counts(ra) == (3, 3, 0, 0, 0)
    assert counts(rb) == (4, 2, 0, 2, 0)
    assert con.execute("SELECT count(*), count(DISTINCT turn_id) FROM turns").fetchall() == [(5, 5)]


def test_late_correction_replaces_the_row(con, config, tmp_path):
    a = write_csv(tmp_path / "turns_a.csv", TURN_COLS, [good_turn(1, 1000), good_turn(2, 1000)])
    b = write_csv(tmp_path / "turns_b.csv", TURN_COLS, [good_turn(2, 2500), good_turn(3, 1000)])
    ingest.ingest(con, [a], config=config)
    [rb] = ingest.ingest(con, [b], config=config)
    assert counts(rb) == (2, 1, 1, 0, 0)
    assert con.execute("SELECT turn_id, latency_ms FROM turns ORDER BY turn_id").fetchall() == [
        ("t1", 1000.0),
        ("t2", 2500.0),
        ("t3", 1000.0),
    ]


def test_correction_inside_one_file_last_row_wins(con, config, tmp_path, path_kind):
    f = write_csv(
        tmp_path / "turns_a.csv",
        TURN_COLS,
        [good_turn(1, 100), good_turn(1, 200), good_turn(1, 200), good_turn(1, 300)],
    )
    [r] = ingest.ingest(con, [f], config=config)
    # first: loaded; 200 differs from 100: updated; 200 again: duplicate; 300: updated
    assert counts(r) == (4, 1, 2, 1, 0)
    assert con.execute("SELECT latency_ms FROM turns").fetchall() == [(300.0,)]


def test_failure_mid_file_leaves_warehouse_as_it_was(con, config, tmp_path, monkeypatch, path_kind):
    ingest.ingest(con, [write_csv(tmp_path / "turns_a.csv", TURN_COLS, [good_turn(1)])], config=config)
    before = (table_rows(con, "turns"), table_rows(con, "loads"), table_rows(con, "rejects"))

    def boom(*args, **kwargs):
        raise RuntimeError("disk full (injected)")

    # Rows of the second file are already inserted when the key check runs: the crash must undo them.
    # Not the input's fault: that file fails (one line), unrecorded so a later run tries it again,
    # and the rest of the batch still loads.
    monkeypatch.setattr(merge, "_has_key_conflicts", boom)
    bad = write_csv(tmp_path / "turns_b.csv", TURN_COLS, [good_turn(2), good_turn(3), ["x", *[""] * 9]])
    [r] = ingest.ingest(con, [bad], config=config)
    assert not r.ok and "internal error" in str(r.error) and "injected" in str(r.error) and "\n" not in str(r.error)
    assert (table_rows(con, "turns"), table_rows(con, "loads"), table_rows(con, "rejects")) == before
    monkeypatch.undo()
    [r] = ingest.ingest(con, [bad], config=config)  # and the file loads cleanly afterwards
    assert counts(r) == (3, 2, 0, 0, 1)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-03-02T10:00:00Z", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("2026-03-02T12:30:00+02:30", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("2026-03-02T05:00:00-05:00", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
        ("2026-03-02 10:00:00.250Z", datetime(2026, 3, 2, 10, 0, 0, 250000, tzinfo=UTC)),
        ("1772445600", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),  # epoch seconds
        ("1772445600.5", datetime(2026, 3, 2, 10, 0, 0, 500000, tzinfo=UTC)),
        ("1772445600000", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),  # epoch milliseconds
        ("2026-03-02T10:00:00", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),  # no zone: UTC
    ],
)
def test_timestamps_land_on_the_right_utc_instant(con, config, tmp_path, value, expected):
    f = write_csv(tmp_path / "sessions_x.csv", ["session_id", "tenant_id", "started_at"], [["s1", "t01", value]])
    [r] = ingest.ingest(con, [f], config=config)
    assert r.loaded == 1, r
    assert con.execute("SELECT started_at FROM sessions").fetchall()[0][0] == expected


def test_zoneless_timestamps_follow_the_configured_zone(con, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "launchkit.toml").write_text('[ingest]\ntimezone = "America/New_York"\n')
    cfg = load_config()
    f = write_csv(
        tmp_path / "sessions_x.csv",
        ["session_id", "tenant_id", "started_at"],
        [["s1", "t01", "2026-03-02T05:00:00"], ["s2", "t01", "2026-03-02T05:00:00Z"]],
    )
    ingest.ingest(con, [f], config=cfg)
    got = dict(con.execute("SELECT session_id, started_at FROM sessions").fetchall())
    assert got["s1"] == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # EST is UTC-5 in March before DST
    assert got["s2"] == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # an explicit zone wins
    # and the session zone is back to UTC afterwards
    assert con.execute("SELECT current_setting('TimeZone')").fetchall()[0][0] == "UTC"


def test_out_of_range_epoch_and_garbage_are_rejected_not_null(con, config, tmp_path):
    f = write_csv(
        tmp_path / "sessions_x.csv",
        ["session_id", "tenant_id", "started_at"],
        [["s1", "t01", "99999999999999999"], ["s2", "t01", "yesterday"]],
    )
    [r] = ingest.ingest(con, [f], config=config)
    assert counts(r) == (2, 0, 0, 0, 2)
    assert [x[0] for x in con.execute("SELECT reason FROM rejects ORDER BY row_number").fetchall()] == [
        "epoch value out of range",
        "unparseable timestamp",
    ]


def test_cross_column_and_domain_rules(con, config, tmp_path):
    fb = write_csv(
        tmp_path / "feedback_x.csv",
        ["feedback_id", "session_id", "submitted_at", "rating", "thumbs", "comment"],
        [
            ["f1", "s1", "2026-03-02T10:00:00Z", 5, "up", "great"],
            ["f2", "s1", "2026-03-02T10:00:00Z", 9, "", ""],  # rating 9
            ["f3", "s1", "2026-03-02T10:00:00Z", "", "", "no vote"],  # neither rating nor thumbs
            ["f4", "s1", "2026-03-02T10:00:00Z", "", "DOWN", ""],  # case-insensitive domain, stored canonical
        ],
    )
    ses = write_csv(
        tmp_path / "sessions_x.csv",
        ["session_id", "tenant_id", "started_at", "ended_at"],
        [
            ["s1", "t01", "2026-03-02T10:00:00Z", "2026-03-02T09:00:00Z"],  # ends before it starts
            ["s2", "t01", "2026-03-02T10:00:00Z", ""],
        ],
    )
    r1, r2 = ingest.ingest(con, [fb, ses], config=config)
    assert counts(r1) == (4, 2, 0, 0, 2) and counts(r2) == (2, 1, 0, 0, 1)
    assert con.execute(
        "SELECT table_name, row_number, column_name, reason FROM rejects ORDER BY table_name, row_number"
    ).fetchall() == [
        ("feedback", 2, "rating", "above maximum 5"),
        ("feedback", 3, "rating", "needs a rating or thumbs"),
        ("sessions", 1, "ended_at", "ended before it started"),
    ]
    assert con.execute("SELECT thumbs FROM feedback WHERE feedback_id = 'f4'").fetchall() == [("down",)]
    assert con.execute("SELECT cohort FROM sessions").fetchall() == [("pilot",)]  # the default


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("turns_empty.csv", b"", "empty file"),
        ("turns_bin.csv", bytes(range(256)) * 20, "not a readable CSV file"),
        (
            "turns_cols.csv",
            b"turn_id,started_at\nt1,2026-03-02T10:00:00Z\n",
            "missing required column(s) session_id, status",
        ),
        ("turns_extra.csv", (",".join(TURN_COLS) + ",colour\n").encode(), "unknown column(s) colour"),
        ("mystery.csv", b"a,b\n1,2\n", "cannot tell the table"),
        ("turns_x.txt", b"hello", "unknown format"),
        ("turns_bad.jsonl", b'{"turn_id": "t1"}\n[1, 2]\n', "not a JSON object"),
        ("turns_bad.parquet", b"PAR1 this is not parquet", "not a readable PARQUET file"),
    ],
)
def test_a_bad_file_gets_one_line_and_the_others_still_load(con, config, tmp_path, name, content, message):
    bad = tmp_path / name
    bad.write_bytes(content)
    good = write_csv(tmp_path / "turns_good.csv", TURN_COLS, [good_turn(1)])
    results = ingest.ingest(con, [bad, good], config=config)
    assert [r.ok for r in results] == [False, True]
    assert results[0].error is not None
    assert message in results[0].error and "\n" not in results[0].error
    assert results[0].summary().startswith(f"FAILED {bad}")
    assert con.execute("SELECT count(*) FROM turns").fetchall()[0][0] == 1
    assert con.execute("SELECT count(*) FROM loads WHERE status = 'failed'").fetchall()[0][0] == 1
    ingest.ingest(con, [bad], config=config)  # the same failure again records nothing new
    assert con.execute("SELECT count(*) FROM loads WHERE status = 'failed'").fetchall()[0][0] == 1


def test_malformed_csv_lines_are_rejected_with_their_line(con, config, tmp_path, path_kind):
    f = tmp_path / "sessions_m.csv"
    f.write_text(
        "session_id,tenant_id,started_at\ns1,t01,2026-03-02T10:00:00Z\ns2,t01,2026-03-02T10:00:00Z,extra,fields\ns3,t01,2026-03-02T10:00:00Z\n"
    )
    [r] = ingest.ingest(con, [f], config=config)
    assert counts(r) == (3, 2, 0, 0, 1)
    [(row, reason)] = con.execute("SELECT row_number, reason FROM rejects").fetchall()
    assert row == 3 and reason.startswith("malformed CSV line 3")


def test_parquet_and_jsonl_follow_the_same_rules(con, config, tmp_path, path_kind):
    rows = [good_turn(1), good_turn(2), good_turn(2), ["t3", "s1", "2026-03-02T10:00:00Z", "m", "maybe", 1, 1, 1, 1, 0]]
    df = pd.DataFrame(rows, columns=TURN_COLS).astype({"latency_ms": float})
    pq = tmp_path / "turns_p.parquet"
    df.to_parquet(pq)
    jl = tmp_path / "turns_j.jsonl"
    jl.write_text("\n".join(json.dumps(dict(zip(TURN_COLS, r))) for r in rows) + "\n")
    [rp] = ingest.ingest(con, [pq], config=config)
    assert counts(rp) == (4, 2, 0, 1, 1)
    [rj] = ingest.ingest(con, [jl], config=config)
    assert counts(rj) == (4, 0, 0, 3, 1)  # same rows again: duplicates of what Parquet loaded
    assert con.execute("SELECT row_number, reason FROM rejects ORDER BY load_id").fetchall() == [
        (4, "not one of ok, error"),
        (4, "not one of ok, error"),
    ]


def test_typed_parquet_timestamps_and_epoch_numbers(con, config, tmp_path):
    df = pd.DataFrame(
        {
            "session_id": ["a", "b", "c"],
            "tenant_id": ["t", "t", "t"],
            "started_at": pd.to_datetime(["2026-03-02T10:00:00Z"] * 3, utc=True),
            "ended_at": [1772449200, 1772449200000, None],
        }
    )
    p = tmp_path / "sessions_p.parquet"
    df.to_parquet(p)
    [r] = ingest.ingest(con, [p], config=config)
    assert counts(r) == (3, 3, 0, 0, 0)
    ends = con.execute("SELECT ended_at FROM sessions ORDER BY session_id").fetchall()
    assert ends == [(datetime(2026, 3, 2, 11, tzinfo=UTC),)] * 2 + [(None,)]


def test_folder_loads_every_file_and_table_flag_overrides_prefix(con, config, tmp_path):
    d = tmp_path / "inbox"
    d.mkdir()
    write_csv(d / "turns_1.csv", TURN_COLS, [good_turn(1)])
    write_csv(
        d / "tool_calls_1.csv",
        ["call_id", "session_id", "tool_name", "started_at", "status"],
        [["c1", "s1", "sql_query", "2026-03-02T10:00:00Z", "timeout"]],
    )
    (d / ".hidden.csv").write_text("junk")
    results = ingest.ingest(con, [d], config=config)
    assert sorted(str(r.table) for r in results if not r.passed_over) == ["tool_calls", "turns"]
    assert [(Path(r.file).name, r.reason) for r in results if r.passed_over] == [(".hidden.csv", "hidden file")]
    other = write_csv(tmp_path / "export.csv", TURN_COLS, [good_turn(9)])
    [r] = ingest.ingest(con, [other], config=config, table="turns")
    assert r.table == "turns" and r.loaded == 1


# --- property: any mix of good, bad and repeated rows reconciles --------------------------------

row_kind = st.sampled_from(["good", "bad_status", "bad_time", "bad_latency", "missing_session", "repeat", "correct"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(row_kind, min_size=0, max_size=25), preload=st.integers(min_value=0, max_value=3))
def test_any_mix_reconciles(tmp_path_factory, kinds, preload):
    tmp = tmp_path_factory.mktemp("mix")
    con = Warehouse.memory()
    cfg = load_config(env={})
    # an earlier load so that repeats and corrections can also hit rows already in the warehouse
    if preload:
        ingest.ingest(
            con, [write_csv(tmp / "turns_pre.csv", TURN_COLS, [good_turn(i) for i in range(preload)])], config=cfg
        )
    rows, expect_bad = [], 0
    model: dict[str, float] = {f"t{i}": 1000.0 for i in range(preload)}
    expected = {"loaded": 0, "updated": 0, "duplicates": 0}
    fresh = 100
    for k in kinds:
        if k == "good":
            fresh += 1
            rows.append(good_turn(fresh))
            key, lat = f"t{fresh}", 1000.0
        elif k in ("repeat", "correct") and model:
            key = sorted(model)[len(rows) % len(model)]
            lat = model[key] if k == "repeat" else model[key] + 1
            rows.append([key, "s1", "2026-03-02T10:00:00Z", "gpt-4o", "ok", lat, 200, 100, 50, 0.001])
        elif k in ("repeat", "correct"):
            continue
        else:
            expect_bad += 1
            bad = good_turn(999)
            bad[{"bad_status": 4, "bad_time": 2, "bad_latency": 5, "missing_session": 1}[k]] = {
                "bad_status": "maybe",
                "bad_time": "soon",
                "bad_latency": -1,
                "missing_session": "",
            }[k]
            rows.append(bad)
            continue
        if key not in model:
            expected["loaded"] += 1
        elif model[key] == lat:
            expected["duplicates"] += 1
        else:
            expected["updated"] += 1
        model[key] = lat
    # columns in another order: a valid file whose bytes never equal the preload's
    order = TURN_COLS[::-1]
    flipped = [[dict(zip(TURN_COLS, row))[c] for c in order] for row in rows]
    [r] = ingest.ingest(con, [write_csv(tmp / "turns_mix.csv", order, flipped)], config=cfg)
    if not rows:
        assert r.rows_read == 0
        return
    assert r.reconciles() and r.rows_read == len(rows)
    assert r.rejected == expect_bad
    assert (r.loaded, r.updated, r.duplicates) == (expected["loaded"], expected["updated"], expected["duplicates"])
    got = dict(con.execute("SELECT turn_id, latency_ms FROM turns").fetchall())
    assert got == model
    stored = con.execute("SELECT sum(rows_read) = sum(loaded + updated + duplicates + rejected) FROM loads").fetchall()[
        0
    ][0]
    assert stored


def test_a_big_clean_file_keeps_row_order(con, config, tmp_path, path_kind):
    n = 50_000
    rows = [[f"t{i}", f"s{i // 5}", "2026-03-02T10:00:00Z", "m", "ok", i, 1, 1, 1, 0] for i in range(n)]
    rows[n - 7][4] = "maybe"
    [r] = ingest.ingest(con, [write_csv(tmp_path / "turns_big.csv", TURN_COLS, rows)], config=config)
    assert counts(r) == (n, n - 1, 0, 0, 1)
    assert con.execute("SELECT row_number, raw::JSON->>'turn_id' FROM rejects").fetchall() == [(n - 6, f"t{n - 7}")]


def test_a_folder_passes_over_files_that_are_not_data(con, config, tmp_path):
    d = tmp_path / "drop"
    d.mkdir()
    write_csv(d / "turns_1.csv", TURN_COLS, [good_turn(1)])
    (d / "ground_truth.json").write_text('{"scenario": "healthy"}')
    (d / "notes.csv").write_text("a,b\n1,2\n")
    results = {Path(r.file).name: r for r in ingest.ingest(con, [d], config=config)}
    assert results["turns_1.csv"].loaded == 1
    assert results["ground_truth.json"].passed_over and results["notes.csv"].passed_over
    assert all(r.ok for r in results.values())
    # named explicitly, the same file is a failure
    [r] = ingest.ingest(con, [d / "notes.csv"], config=config)
    assert not r.ok and "cannot tell the table" in str(r.error)


@pytest.mark.parametrize("bad_last", [False, True])
def test_quoted_newlines_do_not_fool_the_row_count(con, config, tmp_path, path_kind, bad_last):
    """A record may span lines; counts must come from records, not lines."""
    f = tmp_path / "feedback_q.csv"
    last = "f3,s1,2026-03-02T10:00:00Z,7,," if bad_last else "f3,s1,2026-03-02T10:00:00Z,4,,"
    f.write_text(
        "feedback_id,session_id,submitted_at,rating,thumbs,comment\n"
        'f1,s1,2026-03-02T10:00:00Z,5,up,"line one\nline two\nline three"\n'
        "f2,s1,2026-03-02T10:00:00Z,,down,\n" + last + "\n"
    )
    [r] = ingest.ingest(con, [f], config=config)
    assert counts(r) == ((3, 2, 0, 0, 1) if bad_last else (3, 3, 0, 0, 0))
    assert con.execute("SELECT comment FROM feedback WHERE feedback_id = 'f1'").fetchall() == [
        ("line one\nline two\nline three",)
    ]


def test_surrounding_spaces_are_trimmed_and_blank_is_missing(con, config, tmp_path):
    f = tmp_path / "turns_sp.csv"
    f.write_text(
        "turn_id,session_id,started_at,status,latency_ms,model\n"
        " t1 , s1,  2026-03-02T10:00:00Z , OK ,  12.5 ,gpt-4o \n"
        "t2,   ,2026-03-02T10:00:00Z,ok,1,m\n"
        "t3,s1,2026-03-02T10:00:00Z,ok,   ,  \n"
    )
    [r] = ingest.ingest(con, [f], config=config)
    assert counts(r) == (3, 2, 0, 0, 1)
    assert con.execute(
        "SELECT turn_id, session_id, status, latency_ms, model FROM turns ORDER BY turn_id"
    ).fetchall() == [("t1", "s1", "ok", 12.5, "gpt-4o"), ("t3", "s1", "ok", None, None)]
    assert con.execute("SELECT row_number, column_name, reason FROM rejects").fetchall() == [
        (2, "session_id", "missing required value")
    ]


def test_a_large_file_seen_under_another_name_is_skipped_after_the_speculative_load(con, config, tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "SMALL_FILE", 0)  # every file counts as large: hashed beside the load
    a = write_csv(tmp_path / "turns_a.csv", TURN_COLS, [good_turn(1), good_turn(2)])
    b = tmp_path / "turns_b.csv"
    b.write_bytes(a.read_bytes())
    [ra] = ingest.ingest(con, [a], config=config)
    before = (table_rows(con, "turns"), table_rows(con, "loads"))
    [rb] = ingest.ingest(con, [b], config=config)  # new path: loaded speculatively, then rolled back
    [ra2] = ingest.ingest(con, [a], config=config)  # known path: hashed first
    assert ra.loaded == 2 and rb.skipped and ra2.skipped
    assert (table_rows(con, "turns"), table_rows(con, "loads")) == before
