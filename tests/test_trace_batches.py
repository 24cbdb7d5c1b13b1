"""Trace import in batches: a file larger than a batch gives exactly the rows of the file read at once.

The batch (launchkit.ingest.traces.buffer.BATCH_FACTS) is made tiny here, so the spans of one trace
fall into different batches (written to the temporary file and read back) and the rows are staged
in several steps. Expected rows are the hand-worked ones of tests/fixtures/otlp/README.md (the same
as test_otel's), and for the fold case worked out below by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _otlp import chat_line, one_span_per_line

from launchkit import ingest
from launchkit.ingest.traces import buffer
from launchkit.ingest.traces.spans import documents

TWO_TRACES = Path(__file__).resolve().parent / "fixtures" / "otlp" / "two_traces.json"


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_a_trace_spread_over_batches_gives_the_known_rows(con, config, tmp_path, monkeypatch):
    monkeypatch.setattr(buffer, "BATCH_FACTS", 2)
    docs = [json.loads(line) for line in TWO_TRACES.read_text().splitlines() if line.strip()]
    spans = one_span_per_line(docs)
    # children before parents, the two traces interleaved: each trace's spans land in several batches
    order = spans[::-1]
    order = order[::2] + order[1::2]
    f = tmp_path / "spread.jsonl"
    f.write_text("".join(json.dumps(d) + "\n" for d in order))
    results = ingest.ingest(con, [f], config=config, fmt="otlp")
    t = {r.table: r for r in results}
    assert all(r.ok and r.reconciles() for r in results)
    assert (t["turns"].loaded, t["tool_calls"].loaded, t["turns"].ignored, t["turns"].rejected) == (3, 2, 2, 0)
    assert rows(
        con,
        "SELECT turn_id, session_id, model, latency_ms, input_tokens, output_tokens FROM turns ORDER BY started_at",
    ) == [
        ("00f067aa0ba902b7", "conv-001", "gpt-4o", 2500.0, 1200, 300),
        ("1111222233334444", "conv-001", "gpt-4o-mini", 1500.0, 800, 150),
        ("a1b2c3d4e5f60718", "4bf92f3577b34da6a3ce929d0e0e4736", "claude-3-5-haiku", 1200.0, 500, 100),
    ]
    # a tool call finds its turn through parents that were in other batches
    assert rows(con, "SELECT call_id, session_id, turn_id, status FROM tool_calls ORDER BY started_at") == [
        ("5fb397be34d26b51", "conv-001", "00f067aa0ba902b7", "error"),
        ("0102030405060708", "4bf92f3577b34da6a3ce929d0e0e4736", "a1b2c3d4e5f60718", "ok"),
    ]
    assert rows(
        con,
        "SELECT session_id, tenant_id, user_id, strftime(started_at, '%H:%M:%S.%g'), "
        "strftime(ended_at, '%H:%M:%S.%g') FROM sessions ORDER BY started_at",
    ) == [
        ("conv-001", "acme", "u-17", "10:00:00.000", "10:00:09.000"),
        ("4bf92f3577b34da6a3ce929d0e0e4736", "globex", "u-42", "10:59:59.900", "11:00:02.000"),
    ]


def _chat(trace: str, span: str, parent: str | None, start_s: int, tokens: tuple[int, int]) -> dict:
    usage = {"gen_ai.usage.input_tokens": tokens[0], "gen_ai.usage.output_tokens": tokens[1]}
    return chat_line(
        trace,
        span,
        start_s,
        {"gen_ai.request.model": "gpt-4o", **usage},
        parent=parent,
        duration_s=2,
        name="chat gpt-4o",
    )


def test_a_re_recorded_call_split_across_batches_is_one_turn(con, config, tmp_path, monkeypatch):
    monkeypatch.setattr(buffer, "BATCH_FACTS", 2)
    trace = "a" * 32
    lines = [_chat(trace, "1" * 16, None, 1772445600, (100, 20))]  # the wrapper LLM span (first line)
    lines += [_chat(f"{i:032x}", f"{i:016x}", None, 1772445600 + i, (10 * i, i)) for i in (2, 3, 4)]
    lines.append(_chat(trace, "2" * 16, "1" * 16, 1772445601, (100, 20)))  # the same call, inside it (last line)
    f = tmp_path / "nested.jsonl"
    f.write_text("".join(json.dumps(d) + "\n" for d in lines))
    [r] = ingest.ingest(con, [f], config=config, fmt="otlp")[:1]
    # by hand: 5 LLM spans; the first and the last are one call (rule B1), the inner span is kept
    assert (r.rows_read, r.loaded, r.ignored) == (5, 4, 1)
    assert rows(con, "SELECT turn_id, input_tokens, output_tokens FROM turns WHERE input_tokens = 100") == [
        ("2" * 16, 100, 20)
    ]
    assert rows(con, "SELECT sum(input_tokens), sum(output_tokens) FROM turns") == [(100 + 20 + 30 + 40, 20 + 9)]


def test_fast_json_decoding_reads_what_the_standard_library_reads(tmp_path):
    """Where the fast decoder refuses or would read otherwise, the stdlib decides (oracle: json.loads)."""
    lines = [
        '{"big": 123456789012345678901234567890, "neg": -9223372036854775809}',  # beyond 64 bits: exact ints
        '{"inf": 1e400, "nan": NaN}',  # the stdlib reads these; the fast decoder refuses
        '{"lone": "\\ud800", "pair": "\\ud83d\\ude00"}',  # a lone surrogate
        '{"a": 1} {"b": 2.5}',  # two documents on one line
        '{"dup": 1, "dup": 2, "f": 0.1, "e": 2.5E-3}',
    ]
    f = tmp_path / "odd.jsonl"
    f.write_text("\n".join(lines) + "\n{not json\n")
    got: list[tuple[int, str, str | None]] = [(line, repr(doc), err) for line, doc, err in documents(f)]
    expected: list[tuple[int, str, str | None]] = [(1, repr(json.loads(lines[0])), None)]
    expected += [(2, repr(json.loads(lines[1])), None)]
    expected += [(3, repr(json.loads(lines[2])), None), (4, repr({"a": 1}), None), (4, repr({"b": 2.5}), None)]
    expected += [(5, repr(json.loads(lines[4])), None)]
    expected += [(6, "None", "line 6: not valid JSON (Expecting property name enclosed in double quotes)")]
    assert got == expected
    assert json.loads(lines[0])["big"] == 123456789012345678901234567890  # the oracle keeps it exact


@pytest.mark.parametrize("limit", [1, 3, 1000])
def test_the_buffer_gives_traces_in_first_seen_order_and_spans_in_file_order(limit):
    from launchkit.ingest.traces.facts import SpanFacts

    seq = ["b", "a", "b", "c", "a", "a", "b", None, "c", None]
    buf = buffer.TraceBuffer(limit)
    for row, trace in enumerate(seq, 1):
        buf.add(SpanFacts(row, trace, f"s{row}", None, name=f"n{row}", input=row * 10, raw_start=[row]))
    got = [(t, [(f.row, f.span, f.input, f.raw_start) for f in facts]) for t, facts in buf.traces()]
    assert got == [
        ("b", [(1, "s1", 10, [1]), (3, "s3", 30, [3]), (7, "s7", 70, [7])]),
        ("a", [(2, "s2", 20, [2]), (5, "s5", 50, [5]), (6, "s6", 60, [6])]),
        ("c", [(4, "s4", 40, [4]), (9, "s9", 90, [9])]),
        (None, [(8, "s8", 80, [8]), (10, "s10", 100, [10])]),
    ]
    assert list(buf.traces()) == []  # emptied
