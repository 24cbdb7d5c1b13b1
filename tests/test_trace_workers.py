"""A large trace file mapped by worker processes, a share of its traces each (launchkit.ingest.traces.workers).

Known answers: the hand-worked rows of tests/fixtures/otlp/README.md, rows worked out by hand below,
and a synthetic pilot's own frames (the generator's truth, not the importer's); and, row for row,
the reading in one process, which the rest of the suite checks against hand-worked fixtures. The
size threshold is lowered so small files go to the workers, and the batch made tiny so that each
worker spills traces to its temporary file and sends rows in several batches.
"""

from __future__ import annotations

import json
import os
import random
import sys
import textwrap
import time
from pathlib import Path

import pytest
from _otlp import chat_line, one_span_per_line

from launchkit import ingest, synth
from launchkit.config import load_config
from launchkit.errors import ConfigError, InputFileError
from launchkit.ingest.traces import buffer, otlp, workers
from launchkit.ingest.traces.share import Share
from launchkit.store.warehouse import Warehouse
from launchkit.synth import otlp as synth_otlp

TWO_TRACES = Path(__file__).resolve().parent / "fixtures" / "otlp" / "two_traces.json"
TABLES = ("turns", "tool_calls", "sessions", "rejects")


@pytest.fixture(autouse=True)
def _every_file_to_the_workers(monkeypatch):
    monkeypatch.setattr(workers, "MIN_BYTES", 0)


def _load(path: Path, n_workers: int) -> tuple[Warehouse, list]:
    con = Warehouse.memory()
    cfg = load_config().with_overrides(**{"ingest.workers": n_workers})
    results = ingest.ingest(con, [path], config=cfg, fmt="otlp")
    return con, results


def _table(con: Warehouse, table: str) -> list[tuple]:
    cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    keep = [c for c in cols if c not in ("load_id", "loaded_at", "rejected_at")]
    return con.execute(f"SELECT {', '.join(keep)} FROM {table} ORDER BY ALL").fetchall()


def _summary(results: list) -> list[tuple]:
    return [
        (r.table, r.rows_read, r.loaded, r.duplicates, r.rejected, r.ignored, r.ignored_by_reason, r.notes, r.warnings)
        for r in results
    ]


@pytest.fixture(scope="module")
def shuffled_pilot(tmp_path_factory) -> tuple[Path, object]:
    """A synthetic pilot's spans, one per line, shuffled: every trace spread over the file."""
    pilot = synth.generate_frames(days=1, tenants=3, seed=11, sessions_per_hour=6)
    folder = tmp_path_factory.mktemp("pilot")
    files = synth_otlp.write_otlp(pilot, folder / "otlp")
    docs = [
        json.loads(line)
        for p in files
        if p.name.startswith(synth_otlp.TRACE_FILE_PREFIX)
        for line in p.read_text().splitlines()
        if line.strip()
    ]
    lines = one_span_per_line(docs)
    random.Random(3).shuffle(lines)
    f = folder / "all_spans.jsonl"
    f.write_text("".join(json.dumps(d) + "\n" for d in lines))
    return f, pilot


@pytest.mark.parametrize("n_workers", [2, 3])
def test_workers_load_the_pilot_the_generator_wrote(shuffled_pilot, monkeypatch, n_workers):
    monkeypatch.setattr(buffer, "BATCH_FACTS", 7)
    path, pilot = shuffled_pilot
    con, results = _load(path, n_workers)
    assert all(r.ok and r.reconciles() for r in results), [r.summary() for r in results]
    frames = pilot.frames
    turns, calls = frames["turns"], frames["tool_calls"]
    # the generator's truth: every turn and tool call once, tokens and failures as generated
    assert con.execute("SELECT count(*), sum(input_tokens), sum(output_tokens) FROM turns").fetchall() == [
        (len(turns), int(turns["input_tokens"].sum()), int(turns["output_tokens"].sum()))
    ]
    assert con.execute("SELECT count(*), count(*) FILTER (status <> 'ok') FROM tool_calls").fetchall() == [
        (len(calls), int((calls["status"] != "ok").sum()))
    ]
    got = con.execute("SELECT session_id, tenant_id FROM sessions ORDER BY 1").fetchall()
    sessions = frames["sessions"].sort_values("session_id")
    assert got == list(zip(sessions["session_id"], sessions["tenant_id"]))


def test_workers_give_the_rows_of_one_process_row_for_row(shuffled_pilot, monkeypatch):
    monkeypatch.setattr(buffer, "BATCH_FACTS", 5)
    path, _ = shuffled_pilot
    one, r1 = _load(path, 1)
    three, r3 = _load(path, 3)
    assert _summary(r3) == _summary(r1)
    for table in TABLES:
        assert _table(three, table) == _table(one, table), table


def test_the_hand_worked_fixture_through_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(buffer, "BATCH_FACTS", 2)
    docs = [json.loads(line) for line in TWO_TRACES.read_text().splitlines() if line.strip()]
    order = one_span_per_line(docs)[::-1]
    f = tmp_path / "spread.jsonl"
    f.write_text("".join(json.dumps(d) + "\n" for d in order[::2] + order[1::2]))
    con, results = _load(f, 2)
    t = {r.table: r for r in results}
    assert (t["turns"].loaded, t["tool_calls"].loaded, t["turns"].ignored, t["turns"].rejected) == (3, 2, 2, 0)
    # tests/fixtures/otlp/README.md, by hand
    assert con.execute("SELECT turn_id, session_id, input_tokens, output_tokens FROM turns ORDER BY 1").fetchall() == [
        ("00f067aa0ba902b7", "conv-001", 1200, 300),
        ("1111222233334444", "conv-001", 800, 150),
        ("a1b2c3d4e5f60718", "4bf92f3577b34da6a3ce929d0e0e4736", 500, 100),
    ]
    assert con.execute("SELECT call_id, turn_id, status FROM tool_calls ORDER BY 1").fetchall() == [
        ("0102030405060708", "a1b2c3d4e5f60718", "ok"),
        ("5fb397be34d26b51", "00f067aa0ba902b7", "error"),
    ]
    assert con.execute("SELECT session_id, tenant_id, user_id FROM sessions ORDER BY 1").fetchall() == [
        ("4bf92f3577b34da6a3ce929d0e0e4736", "globex", "u-42"),
        ("conv-001", "acme", "u-17"),
    ]


def _owner(trace: str, n: int) -> int:
    return next(k for k in range(n) if Share(k, n).owns(trace))


def test_bad_records_are_rejected_once_with_their_numbers(tmp_path):
    # traces owned by different workers, so each worker meets bad records of its own
    traces = [f"{i:032x}" for i in range(1, 40)]
    a = next(t for t in traces if _owner(t, 2) == 0)
    b = next(t for t in traces if _owner(t, 2) == 1)
    lines = [
        json.dumps(chat_line(a, "a" * 16, 1772445600, {})),  # record 1: a turn
        "{not json",  # line 2, record 2
        json.dumps(chat_line(b, "zz" * 8, 1772445601, {})),  # record 3: an unreadable span id, trace b (worker 1)
        json.dumps(chat_line("xyz", "b" * 16, 1772445602, {})),  # record 4: an unreadable trace id (worker 0)
        json.dumps(chat_line(b, "c" * 16, 1772445603, {})),  # record 5: a turn
        json.dumps({"nothing": 1}),  # line 6, record 6: not TracesData
    ]
    f = tmp_path / "bad.jsonl"
    f.write_text("\n".join(lines) + "\n")
    con, results = _load(f, 2)
    assert {r.table: (r.rows_read, r.loaded, r.rejected) for r in results}["turns"] == (6, 2, 4)
    got = con.execute("SELECT row_number, reason FROM rejects ORDER BY row_number").fetchall()
    assert [row for row, _ in got] == [2, 3, 4, 6]
    assert got[0][1].startswith("line 2: not valid JSON")
    assert got[1][1].startswith("spanId: ")
    assert got[2][1].startswith("traceId: ")
    assert got[3][1] == "not an OTLP TracesData object (no resourceSpans)"


@pytest.mark.parametrize("batch", [1, 20_000])
def test_a_session_over_traces_of_two_workers_takes_the_first_spans_tenant(tmp_path, monkeypatch, batch):
    """By hand: session s1 has spans in traces of worker 0 and worker 1. The earliest record naming a
    tenant is record 2 (trace b, tenant 'first'); record 3 (trace a) names 'second'; the user comes from
    record 3, the only one naming one; the session runs from record 1's start to record 3's end.
    With a batch of 1, trace a's facts (records 1 and 3) are written out before trace b's are read."""
    monkeypatch.setattr(buffer, "BATCH_FACTS", batch)
    traces = [f"{i:032x}" for i in range(1, 40)]
    a = next(t for t in traces if _owner(t, 2) == 0)
    b = next(t for t in traces if _owner(t, 2) == 1)
    lines = [
        chat_line(a, "1" * 16, 1772445600, {"gen_ai.conversation.id": "s1"}),
        chat_line(b, "2" * 16, 1772445610, {"gen_ai.conversation.id": "s1", "tenant.id": "first"}),
        chat_line(a, "3" * 16, 1772445620, {"gen_ai.conversation.id": "s1", "tenant.id": "second", "user.id": "u9"}),
    ]
    f = tmp_path / "s.jsonl"
    f.write_text("".join(json.dumps(d) + "\n" for d in lines))
    for n in (1, 2):
        con, _ = _load(f, n)
        assert con.execute(
            "SELECT session_id, tenant_id, user_id, epoch(started_at)::BIGINT, epoch(ended_at)::BIGINT FROM sessions"
        ).fetchall() == [("s1", "first", "u9", 1772445600, 1772445621)], n


def test_warnings_are_listed_in_file_order_whatever_worker_found_them(tmp_path):
    # 25 spans naming a model launchkit does not recognise as a call, one trace each: 25 warnings
    lines = []
    for i in range(25):
        sp = chat_line(f"{i + 1:032x}", f"{i + 1:016x}", 1772445600 + i, {"gen_ai.request.model": "gpt-4o"})
        sp["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"][0]["value"]["stringValue"] = "mystery"
        lines.append(sp)
    f = tmp_path / "w.jsonl"
    f.write_text("".join(json.dumps(d) + "\n" for d in lines))
    _, r1 = _load(f, 1)
    _, r3 = _load(f, 3)
    warnings = r3[0].warnings
    assert warnings == r1[0].warnings
    assert len(warnings) == 21 and warnings[-1] == "... and 5 more"
    assert [w.split()[1] for w in warnings[:20]] == [f"{i + 1:016x}" for i in range(20)]


def test_a_file_that_is_not_otlp_fails_as_it_does_in_one_process(tmp_path):
    f = tmp_path / "not.jsonl"
    f.write_text('{"a": 1}\n' * 50)
    with pytest.raises(InputFileError) as serial:
        list(otlp.parse_otlp(f))
    [r] = ingest.ingest(
        Warehouse.memory(), [f], config=load_config().with_overrides(**{"ingest.workers": 2}), fmt="otlp"
    )
    assert not r.ok and r.error is not None and serial.value.reason in r.error


def test_a_worker_that_dies_fails_the_load_and_loads_nothing(tmp_path, monkeypatch):
    mod = tmp_path / "lk_dying_parser.py"
    mod.write_text(
        textwrap.dedent(
            """
            import os

            def parse(path, notes):
                os._exit(3)
                yield
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    import lk_dying_parser

    f = tmp_path / "t.jsonl"
    f.write_text(json.dumps(chat_line("a" * 32, "b" * 16, 1772445600, {})) + "\n")
    with pytest.raises(RuntimeError, match=r"trace import worker \d of 2 stopped before it finished \(exit status 3"):
        workers.map_in_workers(lk_dying_parser.parse, f, ((), ()), 2, str(tmp_path))
    sys.modules.pop("lk_dying_parser", None)


@pytest.mark.parametrize("value", [-1, 1.5, "2", True])
def test_the_workers_setting_is_checked_when_loaded(tmp_path, monkeypatch, value):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "launchkit.toml").write_text(f"[ingest]\nworkers = {json.dumps(value)}\n")
    with pytest.raises(ConfigError, match="ingest.workers"):
        load_config()


def test_worker_count_follows_the_setting_and_the_cpus(monkeypatch):
    assert workers.worker_count(3) == 3
    assert workers.worker_count(1) == 1
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda _pid: set(range(16)), raising=False)
    assert workers.worker_count(0) == workers.WORKERS_MAX
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert workers.worker_count(0) == 1


def test_every_trace_belongs_to_exactly_one_share():
    ids = [None, "", "a" * 32, "4bf92f3577b34da6a3ce929d0e0e4736", "not hex", "\ud800"] + [
        f"{i:032x}" for i in range(200)
    ]
    for n in (1, 2, 3, 4):
        for t in ids:
            assert sum(Share(k, n).owns(t) for k in range(n)) == 1, (n, t)
    # the shares are about even on random ids
    counts = [sum(Share(k, 2).owns(f"{random.Random(i).getrandbits(128):032x}") for i in range(2000)) for k in (0, 1)]
    assert min(counts) > 900


SPAN_FORMATS = ("otlp", "otel-json", "otel-js", "phoenix", "span-attributes")  # the formats made of spans


def _span_files(folder: Path) -> list[tuple[Path, str]]:
    from launchkit.ingest.formats import detect_format

    found = [(p, detect_format(p)) for p in sorted(folder.rglob("*")) if p.suffix in (".json", ".jsonl")]
    return [(p, fmt) for p, fmt in found if fmt in SPAN_FORMATS]


def _same_through_workers(path: Path, fmt: str) -> None:
    loads = []
    for n in (1, 2):
        con = Warehouse.memory()
        results = ingest.ingest(con, [path], config=load_config().with_overrides(**{"ingest.workers": n}), fmt=fmt)
        loads.append((_summary(results), [_table(con, t) for t in TABLES]))
    assert loads[1] == loads[0], path


def test_every_instrumentation_fixture_gives_the_same_rows_through_workers():
    files = _span_files(Path(__file__).resolve().parent / "fixtures")
    # formats besides OTLP are here, so the workers' general path (no early skip) is run too
    assert {fmt for _, fmt in files} >= {"otlp", "otel-js", "phoenix"}, files
    for path, fmt in files:
        _same_through_workers(path, fmt)


@pytest.mark.realdata
def test_real_captures_give_the_same_rows_through_workers(realdata):
    files = _span_files(realdata / "traces")
    assert {fmt for _, fmt in files} >= {"otlp", "otel-json"}, files
    for path, fmt in files:
        _same_through_workers(path, fmt)


def test_row_batches_left_by_a_killed_load_are_removed_by_the_next(tmp_path, monkeypatch):
    import subprocess

    from launchkit.ingest.traces import stage

    monkeypatch.setattr(stage.tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f"launchkit-rows-{int(gone.stdout)}-abc"  # a process that has ended
    left.mkdir()
    (left / "turns-1.jsonl").write_text("{}\n")
    recent = tmp_path / f"launchkit-rows-{int(gone.stdout) + 1000000}-ghi"  # no such process, but written to lately
    recent.mkdir()
    mine = tmp_path / f"launchkit-rows-{os.getpid()}-def"  # a running process (this one)
    mine.mkdir()
    other = tmp_path / "launchkit-rows-notapid"
    other.mkdir()
    hour_ago = time.time() - 3700
    for d in (left, left / "turns-1.jsonl", mine, other):
        os.utime(d, (hour_ago, hour_ago))
    with stage.scratch_folder() as new:
        assert Path(new).parent == tmp_path and Path(new).name.startswith(f"launchkit-rows-{os.getpid()}-")
        assert not left.exists() and recent.exists() and mine.exists() and other.exists()


def test_a_large_trace_file_hashed_while_read_is_still_loaded_once(shuffled_pilot, tmp_path, monkeypatch):
    """A large file is hashed in a thread while the workers read it; a copy of it under another name is
    found out when the hash is known, before anything commits: skipped, nothing counted twice."""
    from launchkit.ingest import tabular

    monkeypatch.setattr(tabular, "SMALL_FILE", 0)  # every file is "large"
    path, pilot = shuffled_pilot
    copy = tmp_path / "same_spans_other_name.jsonl"
    copy.write_bytes(path.read_bytes())
    con = Warehouse.memory()
    cfg = load_config().with_overrides(**{"ingest.workers": 2})
    first = ingest.ingest(con, [path], config=cfg, fmt="otlp")
    assert all(r.ok and not r.skipped for r in first) and first[0].loaded > 0
    again = ingest.ingest(con, [copy, path], config=cfg, fmt="otlp")
    assert [r.skipped for r in again] == [True, True]
    assert con.execute("SELECT count(*) FROM turns").fetchall() == [(len(pilot.frames["turns"]),)]
