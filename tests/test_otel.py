"""OTLP/JSON and SDK span JSON import: known rows from a hand-written file, exact counts on the real files.

Expected values are worked out from the files themselves (tests/fixtures/otlp/README.md, and jq over
../shared/realdata as noted beside each table), never from the importer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from launchkit import ingest
from launchkit.errors import ConfigError
from launchkit.ingest.traces import semconv, values
from launchkit.ingest.traces import spans as otel

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "otlp"
TWO_TRACES = FIXTURES / "two_traces.json"


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def by_table(results: list[ingest.FileResult]) -> dict[str | None, ingest.FileResult]:
    assert all(r.ok for r in results), [r.error for r in results]
    assert all(r.reconciles() for r in results)
    return {r.table: r for r in results}


def spans_read(results: list[ingest.FileResult]) -> int:
    """Records read: every table's rows except the derived sessions."""
    return sum(r.rows_read for r in results if r.table != "sessions")


# ---------------------------------------------------------------------------------------------
# Converters


@pytest.mark.parametrize(
    "value, nbytes, expected",
    [
        ("5B8EFFF798038103D269B633813FC60C", 16, "5b8efff798038103d269b633813fc60c"),  # hex, upper case
        ("eee19b7ec3c1b174", 8, "eee19b7ec3c1b174"),
        ("EREiIjMzREQ=", 8, "1111222233334444"),  # base64 (proto3 JSON bytes)
        ("S/kvNXezTaajzpKdDg5HNg==", 16, "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("0x1a2b", 8, "0000000000001a2b"),  # SDK to_json
        (9295669169508793927, 8, "8100d9dbee1f3e47"),  # SDK integer (any-agent); bc: obase=16
        ("", 8, None),
        (None, 8, None),
        ("0000000000000000", 8, None),  # the invalid all-zero id
    ],
)
def test_ids_are_normalised_to_lowercase_hex(value, nbytes, expected):
    assert otel.norm_id(value, nbytes) == expected


@pytest.mark.parametrize("value", ["xyz", "abcd", -1, 1 << 64, "0xzz", True])
def test_unreadable_ids_raise(value):
    with pytest.raises(ValueError):
        otel.norm_id(value, 8)


def test_times_nanoseconds_and_iso():
    assert otel.to_ns("1544712660000000000") == 1544712660000000000
    assert otel.to_ns(1544712660000000000) == 1544712660000000000
    assert otel.to_ns("0") is None and otel.to_ns(0) is None
    assert otel.ns_to_iso(1544712660123456789) == "2018-12-13T14:51:00.123456Z"
    assert otel.to_ns("2018-12-13T14:51:00.123456789Z") == 1544712660123456789
    assert otel.to_ns("2018-12-13T15:51:00.5+01:00") == 1544712660500000000
    with pytest.raises(ValueError):
        otel.to_ns("yesterday")


def test_attribute_aliases_live_in_one_table():
    # the deprecated and OpenInference names resolve to the same logical field
    for attrs in ({"gen_ai.usage.input_tokens": 7}, {"gen_ai.usage.prompt_tokens": 7}, {"llm.token_count.prompt": 7}):
        assert semconv.first("input_tokens", attrs) == 7
    assert semconv.first("model", {"gen_ai.request.model": "a", "gen_ai.response.model": "b"}) == "b"
    assert semconv.classify({"gen_ai.operation.name": "call_llm"})[0] == "turn"
    assert semconv.classify({"gen_ai.operation.name": "execute_tool"})[0] == "tool"
    assert semconv.classify({"gen_ai.operation.name": "invoke_agent"})[0] == "wrapper"
    assert semconv.classify({"openinference.span.kind": "LLM"})[0] == "turn"
    assert values.cost({"gen_ai.usage.input_cost": 1.5, "gen_ai.usage.output_cost": 0.25}) == 1.75
    assert values.cost({"gen_ai.usage.input_cost": 1.5}) is None  # half a cost is not a cost


def test_every_alias_is_documented():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "telemetry.md").read_text(encoding="utf-8")
    missing = [n for names in semconv.ALIASES.values() for n in names if f"`{n}`" not in doc]
    assert missing == []


def test_identity_attributes_are_validated_when_the_config_is_built(config):
    with pytest.raises(ConfigError, match="attributes.tenant"):
        config.with_overrides(**{"attributes.tenant": []})


# ---------------------------------------------------------------------------------------------
# The hand-written OTLP/JSON file: two traces, chat and tool spans, a failed tool, deprecated names


def test_hand_written_otlp_gives_the_known_rows(con, config):
    results = ingest.ingest(con, [TWO_TRACES], config=config)
    t = by_table(results)
    assert all(r.format == "otlp" and r.detected for r in results)
    assert spans_read(results) == 7
    assert (t["turns"].loaded, t["tool_calls"].loaded, t["turns"].ignored, t["turns"].rejected) == (3, 2, 2, 0)
    assert t["sessions"].rows_read == 2
    assert rows(
        con,
        "SELECT turn_id, session_id, strftime(started_at, '%H:%M:%S.%g'), model, status, latency_ms, "
        "ttft_ms, input_tokens, output_tokens, cost_usd FROM turns ORDER BY started_at",
    ) == [
        ("00f067aa0ba902b7", "conv-001", "10:00:00.500", "gpt-4o", "ok", 2500.0, None, 1200, 300, None),
        ("1111222233334444", "conv-001", "10:00:04.500", "gpt-4o-mini", "ok", 1500.0, None, 800, 150, None),
        (
            "a1b2c3d4e5f60718",
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "11:00:00.000",
            "claude-3-5-haiku",
            "ok",
            1200.0,
            350.0,
            500,
            100,
            0.0008,
        ),
    ]
    assert rows(
        con,
        "SELECT call_id, session_id, turn_id, tool_name, duration_ms, status, error_type "
        "FROM tool_calls ORDER BY started_at",
    ) == [
        ("5fb397be34d26b51", "conv-001", "00f067aa0ba902b7", "sql_query", 1250.0, "error", "warehouse_busy"),
        ("0102030405060708", "4bf92f3577b34da6a3ce929d0e0e4736", "a1b2c3d4e5f60718", "doc_search", 350.0, "ok", None),
    ]
    assert rows(
        con,
        "SELECT session_id, tenant_id, user_id, strftime(started_at, '%H:%M:%S.%g'), "
        "strftime(ended_at, '%H:%M:%S.%g'), cohort, release FROM sessions ORDER BY started_at",
    ) == [
        ("conv-001", "acme", "u-17", "10:00:00.000", "10:00:09.000", "pilot", "2026.03.1"),
        ("4bf92f3577b34da6a3ce929d0e0e4736", "globex", "u-42", "10:59:59.900", "11:00:02.000", "pilot", "2026.03.1"),
    ]
    assert rows(con, "SELECT sum(input_tokens), sum(output_tokens) FROM turns") == [(2500, 550)]
    # one name per model for breakdowns; the name as reported is kept beside it
    assert rows(con, "SELECT model_raw, provider FROM turns ORDER BY started_at") == [
        ("gpt-4o-2024-08-06", None),
        ("gpt-4o-mini", "openai"),  # gen_ai.system (the deprecated name)
        ("claude-3-5-haiku-20241022", None),
    ]
    # the manifest holds the same counts, and they reconcile
    assert rows(con, "SELECT table_name, rows_read, loaded, ignored FROM loads ORDER BY load_id") == [
        ("turns", 5, 3, 2),
        ("tool_calls", 2, 2, 0),
        ("sessions", 2, 2, 0),
    ]


def test_same_spans_from_another_file_dedupe_and_the_same_file_is_skipped(con, config, tmp_path):
    first = ingest.ingest(con, [TWO_TRACES], config=config)
    again = ingest.ingest(con, [TWO_TRACES], config=config)
    assert [r.skipped for r in again] == [True]
    # the same spans, re-encoded (pretty-printed, other whitespace): a new file, nothing new in it
    copy = tmp_path / "copy.json"
    docs = [json.loads(line) for line in TWO_TRACES.read_text().splitlines() if line.strip()]
    copy.write_text("\n".join(json.dumps(d, indent=1) for d in docs))
    t = by_table(ingest.ingest(con, [copy], config=config))
    assert (t["turns"].loaded, t["turns"].duplicates, t["tool_calls"].duplicates, t["sessions"].duplicates) == (
        0,
        3,
        2,
        2,
    )
    assert rows(con, "SELECT count(*) FROM turns") == [(3,)]
    assert len(first) == 3


def test_later_spans_of_a_session_widen_it_without_overwriting(con, config, tmp_path):
    ingest.ingest(con, [TWO_TRACES], config=config)
    later = {
        "resourceSpans": [
            {
                "resource": {"attributes": []},
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": "0af7651916cd43dd8448eb211c80319d",
                                "spanId": "0000000000000abc",
                                "name": "chat",
                                "startTimeUnixNano": "1772445700000000000",
                                "endTimeUnixNano": "1772445701000000000",
                                "attributes": [
                                    {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                    {"key": "gen_ai.conversation.id", "value": {"stringValue": "conv-001"}},
                                ],
                            }
                        ]
                    }
                ],
            }
        ]
    }
    f = tmp_path / "later.json"
    f.write_text(json.dumps(later))
    t = by_table(ingest.ingest(con, [f], config=config))
    assert (t["turns"].loaded, t["sessions"].updated) == (1, 1)
    # tenant and user stay those loaded first (this file has none); the end moves to the new span's end
    assert rows(
        con,
        "SELECT tenant_id, user_id, strftime(started_at, '%H:%M:%S'), strftime(ended_at, '%H:%M:%S') "
        "FROM sessions WHERE session_id = 'conv-001'",
    ) == [("acme", "u-17", "10:00:00", "10:01:41")]


def test_unmappable_spans_and_bad_lines_are_rejected_with_reasons(con, config, tmp_path):
    good = TWO_TRACES.read_text().splitlines()[0]
    bad_span = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": "not-an-id!",
                                "spanId": "00f067aa0ba902b8",
                                "name": "chat",
                                "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}],
                            },
                            {
                                "traceId": "0af7651916cd43dd8448eb211c80319c",
                                "spanId": "00f067aa0ba902b9",
                                "name": "chat",
                                "startTimeUnixNano": "1772445600000000000",
                                "attributes": [
                                    {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                                    {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "-3"}},
                                ],
                            },
                        ]
                    }
                ]
            }
        ]
    }
    f = tmp_path / "mixed.jsonl"  # .jsonl: detected as OTLP because the name claims no table
    f.write_text(good + "\n{not json\n" + json.dumps(bad_span) + "\n")
    results = ingest.ingest(con, [f], config=config)
    t = by_table(results)
    assert results[0].format == "otlp"
    # 4 spans on line 1 + the bad line + 2 spans on line 3
    assert spans_read(results) == 7
    reasons = rows(con, "SELECT row_number, column_name, reason FROM rejects ORDER BY row_number")
    assert reasons == [
        (5, None, "line 2: not valid JSON (Expecting property name enclosed in double quotes)"),
        (6, None, "traceId: not a hex or base64 id: 'not-an-id!'"),
        (7, "input_tokens", "below minimum 0"),
    ]
    assert (t["turns"].loaded, t["turns"].rejected, t["turns"].ignored) == (2, 3, 1)


def test_a_file_that_is_not_otlp_fails_as_a_whole(con, config, tmp_path):
    f = tmp_path / "x.json"
    f.write_text('{"hello": 1}')
    [r] = ingest.ingest(con, [f], config=config, fmt="otlp")
    assert r.error == "not OTLP/JSON: no resourceSpans found"
    [r] = ingest.ingest(con, [f], config=config)
    assert r.error and "unknown format" in r.error


# ---------------------------------------------------------------------------------------------
# SDK span JSON


SDK_SPANS = [
    {
        "name": "chat gpt-4o",
        "kind": "SpanKind.CLIENT",
        "context": {
            "trace_id": "0x5b8efff798038103d269b633813fc60c",
            "span_id": "0x051581bf3cb55c13",
            "trace_state": "[]",
        },
        "parent_id": None,
        "start_time": "2026-03-02T09:00:00.000000Z",
        "end_time": "2026-03-02T09:00:02.250000Z",
        "status": {"status_code": "UNSET"},
        "attributes": {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.output_tokens": 5,
            "tenant_id": "t9",
        },
        "events": [],
        "links": [],
        "resource": {"attributes": {"service.name": "svc"}, "schema_url": ""},
    },
    {
        "name": "execute_tool fetch",
        "kind": "SpanKind.INTERNAL",
        "context": {
            "trace_id": "0x5b8efff798038103d269b633813fc60c",
            "span_id": "0x051581bf3cb55c14",
            "trace_state": "[]",
        },
        "parent_id": "0x051581bf3cb55c13",
        "start_time": "2026-03-02T09:00:01.000000Z",
        "end_time": "2026-03-02T09:00:31.000000Z",
        "status": {"status_code": "ERROR", "description": "took too long"},
        "attributes": {"gen_ai.operation.name": "execute_tool"},
        "events": [
            {
                "name": "exception",
                "timestamp": "2026-03-02T09:00:31.000000Z",
                "attributes": {"exception.type": "TimeoutError", "exception.message": "timed out"},
            }
        ],
        "links": [],
        "resource": {"attributes": {"service.name": "svc"}, "schema_url": ""},
    },
]


def test_sdk_console_exporter_output(con, config, tmp_path):
    # ConsoleSpanExporter prints one indented to_json() document per span, one after the other
    f = tmp_path / "console.json"
    f.write_text("".join(json.dumps(s, indent=4) + "\n" for s in SDK_SPANS))
    results = ingest.ingest(con, [f], config=config)
    by_table(results)
    assert results[0].format == "otel-json"
    assert rows(
        con, "SELECT turn_id, session_id, model, status, latency_ms, input_tokens, output_tokens FROM turns"
    ) == [("051581bf3cb55c13", "5b8efff798038103d269b633813fc60c", "gpt-4o", "ok", 2250.0, 10, 5)]
    # no tool-name attribute: the name comes from the span name; TimeoutError -> status timeout
    assert rows(con, "SELECT call_id, turn_id, tool_name, duration_ms, status, error_type FROM tool_calls") == [
        ("051581bf3cb55c14", "051581bf3cb55c13", "fetch", 30000.0, "timeout", "TimeoutError")
    ]
    assert rows(con, "SELECT tenant_id FROM sessions") == [("t9",)]


def test_tenant_attribute_is_configurable(con, config, tmp_path):
    f = tmp_path / "spans.json"
    f.write_text(json.dumps({"spans": SDK_SPANS}))
    cfg = config.with_overrides(**{"attributes.tenant": ["service.name"]})
    by_table(ingest.ingest(con, [f], config=cfg))
    assert rows(con, "SELECT tenant_id FROM sessions") == [("svc",)]


# ---------------------------------------------------------------------------------------------
# Real files (../shared/realdata/traces)

# any-agent, counted with jq, e.g. for OPENAI_trace.json:
#   jq '[.spans[]|select(.attributes["gen_ai.operation.name"]=="call_llm")]|length'           -> 3
#   jq '[.spans[]|select(.attributes["gen_ai.operation.name"]=="execute_tool")]|length'       -> 2
#   jq '[.spans[]|select(.attributes["gen_ai.operation.name"]=="execute_tool" and .status.status_code=="error")]|length'
#   jq '[.spans[]|select(.attributes["gen_ai.operation.name"]=="call_llm")|.attributes["gen_ai.usage.input_tokens"]]|add'
# file: (spans, turns, tool calls, failed tool calls, input tokens, output tokens, reported cost)
ANY_AGENT = {
    "AGNO_trace.json": (6, 3, 2, 0, 1396, 74, 0.0001618),
    "GOOGLE_trace.json": (7, 3, 3, 0, 2251, 86, 0.0002509),
    "LANGCHAIN_trace.json": (7, 4, 2, 0, 1262, 125, 0.0001637),
    "LLAMA_INDEX_trace.json": (9, 5, 3, 0, 1308, 255, 0.0002073),
    "OPENAI_trace.json": (6, 3, 2, 0, 1020, 76, 0.0001248),
    "SMOLAGENTS_trace.json": (7, 3, 3, 0, 2294, 87, 0.0002555),
    "TINYAGENT_trace.json": (8, 4, 3, 0, 1369, 156, 0.0001837),
}


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(ANY_AGENT))
def test_any_agent_sdk_json_real_files(name, con, config, realdata):
    spans, turns, calls, failed, tin, tout, cost = ANY_AGENT[name]
    results = ingest.ingest(con, [realdata / "traces" / "any-agent" / name], config=config)
    t = by_table(results)
    assert results[0].format == "otel-json"
    assert spans_read(results) == spans
    assert (t["turns"].loaded, t["tool_calls"].loaded, t["turns"].ignored, t["turns"].rejected) == (
        turns,
        calls,
        spans - turns - calls,
        0,
    )
    assert rows(con, "SELECT count(*) FILTER (WHERE status <> 'ok') FROM tool_calls") == [(failed,)]
    [(s_in, s_out, s_cost, models, raw)] = rows(
        con,
        "SELECT sum(input_tokens), sum(output_tokens), sum(cost_usd), list(DISTINCT model), list(DISTINCT model_raw) "
        "FROM turns",
    )
    assert (s_in, s_out, models, raw) == (tin, tout, ["mistral-small"], ["mistral/mistral-small-latest"])
    assert s_cost == pytest.approx(cost, rel=1e-9)
    assert rows(con, "SELECT count(*), min(tenant_id) FROM sessions") == [(1, semconv.UNKNOWN_TENANT)]


@pytest.mark.realdata
def test_otlp_proto_example_is_one_ignored_span(con, config, realdata):
    f = realdata / "traces" / "otlp" / "opentelemetry-proto_examples_trace.json"
    [r] = ingest.ingest(con, [f], config=config)
    assert (r.ok, r.format, r.table, r.rows_read, r.ignored, r.loaded, r.rejected) == (True, "otlp", None, 1, 1, 0, 0)
    assert r.reconciles()


# openinference-genai fixtures: attribute sets of one span (no ids, no times). Each is wrapped as a
# span and its row is rejected for the missing start time; the mapping is checked on the raw values.
# file: (table, model, input tokens, output tokens) -- read off the files (97 / 52 in each LLM fixture)
ATTRIBUTE_SETS = {
    "openinference_client_span_input_output_only.json": ("turns", "gpt-4-0613", "97", "52"),
    "openinference_client_span_tool_calls.json": ("turns", "gpt-4-0613", "97", "52"),
    "otel_genai_client_span_tool_calls.json": ("turns", "gpt-4-0613", "97", "52"),
    "otel_genai_deprecated_client_span_tool_calls.json": ("turns", "gpt-4-0613", "97", "52"),
    "otel_genai_tool_execution_span.json": ("tool_calls", None, None, None),
}
# the one name per model of gpt-4-0613 (an OpenAI snapshot suffix): the reported name stays in model_raw
ATTRIBUTE_SET_MODEL = {"gpt-4-0613": "gpt-4"}


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(ATTRIBUTE_SETS))
def test_attribute_set_fixtures_import_as_one_rejected_span(name, con, config, realdata):
    table, model, tin, tout = ATTRIBUTE_SETS[name]
    [r] = ingest.ingest(con, [realdata / "traces" / "openinference-genai-fixtures" / name], config=config)
    assert (r.ok, r.format, r.table, r.rows_read, r.loaded, r.rejected) == (True, "span-attributes", table, 1, 0, 1)
    [(column, reason, raw)] = rows(con, "SELECT column_name, reason, raw FROM rejects")
    assert (column, reason) == ("started_at", "missing required value")
    raw = json.loads(raw)
    if table == "turns":
        assert (raw["model_raw"], raw["model"], raw["input_tokens"], raw["output_tokens"]) == (
            model,
            ATTRIBUTE_SET_MODEL[str(model)],
            tin,
            tout,
        )
    else:
        assert raw["tool_name"] == "get_weather"
    assert rows(con, "SELECT count(*) FROM sessions") == [(0,)]


@pytest.mark.realdata
def test_every_real_trace_file_imports_and_reconciles(con, config, realdata):
    files = sorted((realdata / "traces").rglob("*.json"))
    assert len(files) == 33
    results = ingest.ingest(con, files, config=config)
    assert all(r.ok and r.reconciles() for r in results)
    assert {str(Path(r.file)) for r in results} == {str(f) for f in files}


def test_cli_prints_the_detected_format_and_json(tmp_path, monkeypatch):
    from launchkit.cli import cli

    monkeypatch.chdir(tmp_path)
    for var in ("LAUNCHKIT_WAREHOUSE", "LAUNCHKIT_REPORTS_DIR", "LAUNCHKIT_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    f = tmp_path / "export.json"
    shutil.copy(TWO_TRACES, f)
    runner = CliRunner()
    res = runner.invoke(cli, ["ingest", str(f), "--warehouse", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 0, res.output
    assert f"detected format otlp: {f}" in res.output
    g = tmp_path / "again.json"  # the same spans, other bytes: not skipped, every row a duplicate
    g.write_text(TWO_TRACES.read_text().replace('{"resourceSpans"', '{ "resourceSpans"'))
    res = runner.invoke(cli, ["ingest", str(g), "--json", "--warehouse", str(tmp_path / "w.duckdb")])
    assert res.exit_code == 0, res.output
    out = [json.loads(line) for line in res.output.splitlines()]
    assert [(o["table"], o["format"], o["rows_read"], o["duplicates"], o.get("ignored", 0)) for o in out] == [
        ("turns", "otlp", 5, 3, 2),
        ("tool_calls", "otlp", 2, 2, 0),
        ("sessions", "otlp", 2, 2, 0),
    ]
