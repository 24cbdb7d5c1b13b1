"""The rules behind real telemetry: no silent loss, one call one turn, cost by cache and provider, sane latency.

Each test is a small hand-made case for one defect of issue 9 ("Why"), with its answer worked out
by hand; the fixture-per-library tests are in test_telemetry_fixtures.py.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pandas as pd
import pytest
from click.testing import CliRunner

from launchkit import synth
from launchkit.analytics import latency_sanity, pricing, quality, reconcile
from launchkit.analytics.latency_sanity import LatencyFinding
from launchkit.cli import cli
from launchkit.ingest.traces import values
from launchkit.ingest.traces.spans import documents
from launchkit.jobs import load
from launchkit.window import Window

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "telemetry"


def otlp(spans: list[dict], resource: dict | None = None) -> str:
    """One OTLP/JSON TracesData line; attribute values as typed AnyValues."""

    def value(v):
        if isinstance(v, bool):
            return {"boolValue": v}
        if isinstance(v, int):
            return {"intValue": str(v)}
        if isinstance(v, float):
            return {"doubleValue": v}
        return {"stringValue": str(v)}

    def kvs(d):
        return [{"key": k, "value": value(v)} for k, v in d.items()]

    out = []
    for s in spans:
        sp = {k: v for k, v in s.items() if k != "attrs"}
        sp["attributes"] = kvs(s.get("attrs", {}))
        out.append(sp)
    return json.dumps(
        {"resourceSpans": [{"resource": {"attributes": kvs(resource or {})}, "scopeSpans": [{"spans": out}]}]}
    )


T0 = 1772445600_000_000_000  # 2026-03-02T10:00:00Z in ns
TRACE = "0af7651916cd43dd8448eb211c80319c"


def span(sid: str, parent: str | None, start_ms: int, end_ms: int, **attrs) -> dict:
    s = {
        "traceId": TRACE,
        "spanId": sid,
        "name": attrs.pop("name", "span"),
        "kind": attrs.pop("kind", 1),
        "startTimeUnixNano": str(T0 + start_ms * 1_000_000),
        "endTimeUnixNano": str(T0 + end_ms * 1_000_000),
        "attrs": attrs,
    }
    if parent:
        s["parentSpanId"] = parent
    return s


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for var in ("LAUNCHKIT_CONFIG", "LAUNCHKIT_REPORTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    return tmp_path


# ---------------------------------------------------------------------------------------------
# No silent loss


def test_an_ignored_span_with_model_and_tokens_exits_4_and_says_which_and_why(env):
    # an LLM call whose operation launchkit does not know: 1 turn-like span ignored, never a quiet 0
    f = env / "traces.json"
    f.write_text(
        otlp(
            [
                span("00000000000000a1", None, 0, 900, **{"gen_ai.operation.name": "invoke_agent"}),
                span(
                    "00000000000000a2",
                    "00000000000000a1",
                    10,
                    800,
                    name="text_generation",
                    **{
                        "gen_ai.operation.name": "text_generation",
                        "gen_ai.request.model": "gpt-4o",
                        "gen_ai.usage.input_tokens": 100,
                        "gen_ai.usage.output_tokens": 20,
                    },
                ),
                span("00000000000000a3", "00000000000000a1", 10, 800, name="GET /", **{"http.method": "GET"}),
            ]
        )
    )
    r = CliRunner().invoke(cli, ["ingest", str(f)])
    assert r.exit_code == 4, r.output
    assert "WARNING span 00000000000000a2 'text_generation' (unknown operation 'text_generation')" in r.output
    assert "that usage is not loaded" in r.output
    # status shows the ignored records by reason, and read = loaded + ... + ignored adds up on screen
    s = CliRunner().invoke(cli, ["status"]).output
    assert "3 read = 0 loaded + 0 updated + 0 duplicates + 0 rejected + 3 ignored" in s
    assert "      1  unknown operation 'text_generation'" in s
    assert "      1  agent or workflow span (invoke_agent)" in s
    assert "      1  not an LLM or tool span" in s
    assert "loads with warnings: 1" in s
    stored = json.loads(CliRunner().invoke(cli, ["status", "--json"]).stdout)
    assert stored["loads"]["ignored"] == 3
    assert [w["warnings"][0].split(" '")[0] for w in stored["loads_with_warnings"]] == ["span 00000000000000a2"]


def test_a_file_whose_spans_are_all_recognised_exits_0(env):
    r = CliRunner().invoke(cli, ["ingest", str(FIXTURES / "openllmetry" / "openllmetry_otlp.json"), "--json"])
    assert r.exit_code == 0, r.output
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert out[0]["ignored_by_reason"] == {
        "agent or workflow span (traceloop agent)": 1,
        "agent or workflow span (traceloop task)": 1,
        "agent or workflow span (traceloop workflow)": 2,
    }
    assert not any("warnings" in o for o in out)


# ---------------------------------------------------------------------------------------------
# One LLM call, one turn


def _llm(sid, parent, start, end, tin, tout, **extra):
    return span(
        sid,
        parent,
        start,
        end,
        name="OpenAIServerModel.generate",
        **{
            "openinference.span.kind": "LLM",
            "llm.model_name": "gpt-4o-mini",
            "llm.token_count.prompt": tin,
            "llm.token_count.completion": tout,
            "session.id": "s1",
        },
        **extra,
    )


def test_a_call_recorded_three_times_is_one_turn(con, config, tmp_path):
    # smolagents wraps generate on every Model subclass: one call, three nested LLM spans, same tokens
    f = tmp_path / "smol.json"
    f.write_text(
        otlp(
            [
                span("00000000000000b0", None, 0, 5000, **{"openinference.span.kind": "CHAIN"}),
                _llm("00000000000000b1", "00000000000000b0", 10, 2000, 1105, 38),
                _llm("00000000000000b2", "00000000000000b1", 11, 1999, 1105, 38),
                _llm(
                    "00000000000000b3",
                    "00000000000000b2",
                    12,
                    1998,
                    1105,
                    38,
                    **{"llm.provider": "openai", "llm.token_count.prompt_details.cache_read": 1024},
                ),
                # a second, real call with the same counts, a sibling: never folded on equal tokens
                _llm("00000000000000c1", "00000000000000b0", 2100, 3000, 1105, 38),
            ]
        )
    )
    res = load.run(con, [f], config, publish=False).results
    t = {r.table: r for r in res}
    assert (t["turns"].loaded, t["turns"].ignored_by_reason) == (
        2,
        {"re-recorded call": 2, "agent or workflow span (CHAIN)": 1},
    )
    # the innermost span is kept (its duration is the call's latency), with what the others knew
    assert con.execute(
        "SELECT turn_id, latency_ms, input_tokens, output_tokens, cache_read_tokens, provider FROM turns ORDER BY turn_id"
    ).fetchall() == [
        ("00000000000000b3", 1986.0, 1105, 38, 1024, "openai"),
        ("00000000000000c1", 900.0, 1105, 38, None, None),
    ]


def test_nested_spans_with_unexplained_usage_are_kept_with_a_warning(con, config, tmp_path):
    f = tmp_path / "odd.json"
    f.write_text(
        otlp(
            [
                _llm("00000000000000d1", None, 0, 900, 500, 50),
                _llm("00000000000000d2", "00000000000000d1", 1, 800, 200, 20),
            ]
        )
    )
    [r] = [r for r in load.run(con, [f], config, publish=False).results if r.table == "turns"]
    assert (
        r.loaded == 2 and len(r.warnings) == 1 and r.warnings[0].startswith("nested LLM spans with unexplained usage")
    )


# ---------------------------------------------------------------------------------------------
# Formats of their own


def test_phoenix_span_json_with_context_and_nested_attributes(con, config, tmp_path):
    # Phoenix's span_to_json: span_kind at the top level, context as an object, attributes nested
    rec: dict[str, Any] = {
        "name": "ChatOpenAI",
        "context": {"trace_id": TRACE, "span_id": "00000000000000e1"},
        "span_kind": "LLM",
        "parent_id": None,
        "start_time": "2026-03-02T10:00:00+00:00",
        "end_time": "2026-03-02T10:00:02+00:00",
        "status_code": "OK",
        "status_message": "",
        "attributes": {
            "llm": {"model_name": "gpt-4o", "token_count": {"prompt": 120, "completion": 30}},
            "session": {"id": "ph-1"},
        },
        "events": [],
        "conversation": None,
    }
    tool = dict(
        rec,
        name="sql",
        span_kind="TOOL",
        context={"trace_id": TRACE, "span_id": "00000000000000e2"},
        parent_id="00000000000000e1",
        attributes={"tool": {"name": "sql"}},
        status_code="ERROR",
    )
    f = tmp_path / "spans.jsonl"
    f.write_text(json.dumps(rec) + "\n" + json.dumps(tool) + "\n")
    res = load.run(con, [f], config, publish=False).results
    assert res[0].format == "phoenix"
    assert con.execute(
        "SELECT turn_id, session_id, model, input_tokens, output_tokens, latency_ms FROM turns"
    ).fetchall() == [("00000000000000e1", "ph-1", "gpt-4o", 120, 30, 2000.0)]
    assert con.execute("SELECT turn_id, tool_name, status FROM tool_calls").fetchall() == [
        ("00000000000000e1", "sql", "error")
    ]


def test_js_span_context_style_objects(con, config, tmp_path):
    # spanContext()-style traceId/spanId at the top, parentSpanContext, HrTime [s, ns], status.code
    chat = {
        "traceId": TRACE,
        "spanId": "00000000000000f1",
        "parentSpanContext": {"traceId": TRACE, "spanId": "00000000000000f0"},
        "name": "chat gpt-4o-mini",
        "kind": 2,
        "startTime": [1772445600, 0],
        "endTime": [1772445601, 500_000_000],
        "attributes": {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.input_tokens": 10,
            "gen_ai.usage.output_tokens": 5,
            "gen_ai.conversation.id": "js-1",
        },
        "status": {"code": 0},
    }
    f = tmp_path / "js.json"
    f.write_text(json.dumps(chat, indent=2) + "\n")
    res = load.run(con, [f], config, publish=False).results
    assert res[0].format == "otel-js"
    assert con.execute("SELECT turn_id, session_id, latency_ms, input_tokens FROM turns").fetchall() == [
        ("00000000000000f1", "js-1", 1500.0, 10)
    ]


# ---------------------------------------------------------------------------------------------
# Cost that matches the bill


def test_cache_tokens_are_priced_at_their_own_rates(con, config, tmp_path):
    # claude-sonnet-4-5 list prices (USD per million): input 3, cache read 0.30, cache write 3.75, output 15
    f = tmp_path / "cache.json"
    f.write_text(
        otlp(
            [
                span(
                    "0000000000000101",
                    None,
                    0,
                    1000,
                    name="chat",
                    **{
                        "gen_ai.operation.name": "chat",
                        "gen_ai.provider.name": "anthropic",
                        "gen_ai.response.model": "claude-sonnet-4-5-20250929",
                        "gen_ai.usage.input_tokens": 10_000,
                        "gen_ai.usage.cache_read.input_tokens": 6_000,
                        "gen_ai.usage.cache_creation.input_tokens": 3_000,
                        "gen_ai.usage.output_tokens": 500,
                        "gen_ai.conversation.id": "c1",
                    },
                )
            ]
        )
    )
    load.run(con, [f], config, publish=False)
    expected = (1_000 * 3 + 6_000 * 0.30 + 3_000 * 3.75 + 500 * 15) / 1e6  # 0.02355, not 0.0375 at the input rate
    [(cost, source)] = con.execute("SELECT cost_usd, cost_source FROM turns_priced").fetchall()
    assert (cost, source) == (pytest.approx(expected, rel=1e-12), "computed")
    assert pricing.price_turn(
        "claude-sonnet-4-5-20250929", date(2026, 3, 2), 10_000, 500, cache_read_tokens=6_000, cache_write_tokens=3_000
    ) == pytest.approx(expected, rel=1e-12)


def test_anthropic_raw_input_counts_get_their_cache_tokens_added():
    # input_tokens that exclude the cache (Anthropic's raw count) cannot be below the cache tokens
    assert values.tokens({"gen_ai.usage.input_tokens": 210, "gen_ai.usage.cache_read_input_tokens": 4096}) == (
        210 + 4096,
        None,
        4096,
        None,
    )
    assert values.tokens({"llm.token_count.prompt": 900, "llm.token_count.prompt_details.cache_write": 300}) == (
        900,
        None,
        None,
        300,
    )


def test_provider_hints_price_prefixed_ids_and_breakdowns_show_one_name(con, config, tmp_path):
    # o3 from 2025-06-10: $2 in / $8 out; Bedrock claude-3-7-sonnet: $3 / $15
    def chat(sid, model, system, at_ms):
        return span(
            sid,
            None,
            at_ms,
            at_ms + 500,
            name="chat",
            **{
                "gen_ai.operation.name": "chat",
                "gen_ai.system": system,
                "gen_ai.response.model": model,
                "gen_ai.usage.input_tokens": 1_000_000,
                "gen_ai.usage.output_tokens": 1_000_000,
                "gen_ai.conversation.id": "p1",
            },
        )

    f = tmp_path / "prov.json"
    f.write_text(
        otlp(
            [
                chat("0000000000000201", "openai/o3", "openai", 0),
                chat("0000000000000202", "o3", "openai", 1000),
                chat("0000000000000203", "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "aws.bedrock", 2000),
            ]
        )
    )
    load.run(con, [f], config, publish=False)
    got = con.execute("SELECT turn_id, model, provider, cost_usd FROM turns_priced ORDER BY turn_id").fetchall()
    assert got == [
        ("0000000000000201", "o3", "openai", pytest.approx(2 + 8)),
        ("0000000000000202", "o3", "openai", pytest.approx(2 + 8)),
        ("0000000000000203", "claude-3-7-sonnet", "aws", pytest.approx(3 + 15)),
    ]
    from launchkit.analytics import metrics

    by_model = metrics.breakdown(con, Window.range(date(2026, 3, 2), date(2026, 3, 2), tz=UTC), "model")
    assert dict(zip(by_model["model"], by_model["turns"])) == {"o3": 2, "claude-3-7-sonnet": 1}


def test_reconciliation_on_a_caching_pilot_agrees_within_tolerance(con, config, tmp_path):
    # every cost left to launchkit's pricing (none reported); the bills come from the pilot's own table
    pilot = synth.generate_frames(days=3, tenants=3, seed=5, sessions_per_hour=6)
    pilot.frames["turns"]["cost_usd"] = float("nan")
    files = synth.write_pilot(pilot, tmp_path / "pilot")
    load.run(con, files, config, publish=False)
    df = reconcile.reconcile(con, None, None, config)
    assert len(df) and df["within_tolerance"].all() and (df["unpriced_turns"] == 0).all()
    assert df["diff_pct"].abs().max() < 1.0  # the bills' noise is within +-0.95 %
    t = pilot.frames["turns"]
    assert t["cache_read_tokens"].sum() > 0.5 * t["input_tokens"].sum()  # a pilot that caches


# ---------------------------------------------------------------------------------------------
# Latency that means something


def test_implausible_latencies_are_findings_and_left_out_only_when_configured(con, config):
    from _tables import insert

    t = datetime.fromisoformat("2026-03-02T10:00:00+00:00")
    insert(
        con,
        "turns",
        [
            dict(turn_id="ok", session_id="s", started_at=t, status="ok", latency_ms=900.0, ttft_ms=300.0),
            dict(turn_id="fast", session_id="s", started_at=t, status="ok", latency_ms=0.6, ttft_ms=None),
            dict(turn_id="ttft", session_id="s", started_at=t, status="ok", latency_ms=100.0, ttft_ms=655.2),
        ],
    )
    w = Window.range(date(2026, 3, 2), date(2026, 3, 2), tz=UTC)
    latency = cast(list[LatencyFinding], quality.assess(con, w, config)["findings"])  # no lookalike ids here
    found = {f["finding"]: (f["turns"], f["examples"]) for f in latency}
    assert found == {"below floor": (1, ["fast"]), "ttft > latency": (1, ["ttft"])}
    from launchkit.analytics import metrics

    assert metrics.summary(con, w)["latency_n"] == 3  # reported, not left out: the default
    latency_sanity.apply(con, config.with_overrides(**{"quality.exclude_implausible_latency": True}))
    s = metrics.summary(con, w)
    assert (s["latency_n"], s["latency_p50"]) == (1, 900.0)
    assert all(
        f["excluded_from_percentiles"] for f in cast(list[LatencyFinding], quality.assess(con, w, config)["findings"])
    )


# ---------------------------------------------------------------------------------------------
# Reading large files


def test_documents_count_lines_as_they_go(tmp_path):
    f = tmp_path / "many.jsonl"
    f.write_text("".join(json.dumps({"n": i}) + "\n" + ("\n" if i % 3 == 0 else "") for i in range(2000)) + "{broken\n")
    got = list(documents(f))
    # line of document i: i + 1 plus one blank line after every multiple of 3 before it; 1999 % 3 != 0,
    # so the broken line follows the last document directly
    assert [line for line, doc, _ in got[:-1]] == [i + 1 + (i + 2) // 3 for i in range(2000)]
    assert got[-1][2] == f"line {got[-2][0] + 1}: not valid JSON (Expecting property name enclosed in double quotes)"
    assert [doc["n"] for _, doc, _ in got[:-1]] == list(range(2000))


def test_spend_tables_keep_the_frames_types():
    # the pilot's turns carry cache tokens as nullable integers (OpenAI reports no cache writes)
    t = synth.generate_frames(days=1, tenants=2, seed=3).frames["turns"]
    assert str(t["cache_write_tokens"].dtype) == "Int64" and t["cache_write_tokens"].isna().any()
    assert isinstance(t, pd.DataFrame)


def test_a_js_telemetry_file_with_logs_and_metrics_beside_spans(con, config, tmp_path):
    # Gemini CLI's telemetry outfile: span dumps, log records (which carry a spanContext) and metrics,
    # pretty-printed one after another; only the span is one; the others are ignored, by kind
    span_dump = {
        "_spanContext": {"traceId": TRACE, "spanId": "0000000000000301", "traceFlags": 1},
        "kind": 0,
        "name": "llm_call",
        "attributes": {
            "gen_ai.operation.name": "llm_call",
            "gen_ai.request.model": "gemini-2.5-pro",
            "gen_ai.usage.input_tokens": 9870,
            "gen_ai.usage.output_tokens": 112,
            "gen_ai.conversation.id": "g-1",
        },
        "startTime": [1772445600, 20_000_000],
        "endTime": [1772445604, 300_000_000],
        "status": {"code": 1},
        "resource": {"_rawAttributes": [["service.name", "gemini-cli"], ["service.version", "v22.14.0"]]},
    }
    log_record = {
        "hrTime": [1772445604, 310_000_000],
        "spanContext": {"traceId": TRACE, "spanId": "0000000000000301", "traceFlags": 1},
        "attributes": {"event.name": "gemini_cli.api_response", "input_token_count": 9870},
        "_body": "API response from gemini-2.5-pro",
        "severityNumber": 9,
    }
    metrics = {"resource": {"_rawAttributes": []}, "scopeMetrics": [{"scope": {"name": "gemini-cli"}, "metrics": []}]}
    f = tmp_path / "telemetry.log"
    f.write_text("".join(json.dumps(r, indent=2) + "\n" for r in (log_record, metrics, span_dump)))
    res = load.run(con, [f], config, fmt="otel-js", publish=False).results
    t = {r.table: r for r in res}
    assert t["turns"].loaded == 1 and not t["turns"].warnings
    assert t["turns"].ignored_by_reason == {"not a span (log record)": 1, "not a span (metrics)": 1}
    # Gemini CLI's service.version is the Node.js version: not a release
    assert con.execute("SELECT session_id, release FROM sessions").fetchall() == [("g-1", None)]
    from launchkit.ingest.formats import detect_format

    g = tmp_path / "metrics_first.json"
    g.write_text("".join(json.dumps(r, indent=2) + "\n" for r in (metrics, span_dump)))
    assert detect_format(g) == "otel-js"
