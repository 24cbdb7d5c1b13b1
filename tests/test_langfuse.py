"""Langfuse trace export import: exact counts on the 20 real exports, and the rules on a small export.

The real-file literals were counted with jq, independently of the importer, e.g. for one file:
  O='(.observations // .trace.observations)'
  jq "[$O[]|select(.type==\"GENERATION\")]|length"                                   # turns
  jq "[$O[]|select(.type==\"TOOL\")]|length"                                         # tool calls
     plus SPANs that are tool calls by the GenAI names (koog: tool.HelloTool and tool.ByeTool carry
     gen_ai.tool.name in their metadata attributes):
  jq "[$O[]|select(.type==\"SPAN\" and ((.metadata|fromjson?|.attributes[\"gen_ai.tool.name\"])!=null))]|length"
  jq "[$O[]|select(.type==\"TOOL\" and .level==\"ERROR\")]|length"                   # failed tool calls
  jq "[$O[]|select(.type==\"GENERATION\")|.usageDetails|to_entries[]|select(.key|startswith(\"input\"))|.value]|add"
  jq "[$O[]|select(.type==\"GENERATION\")|.usageDetails|to_entries[]|select(.key|startswith(\"output\"))|.value]|add"
  jq "($O|length) + ((.trace.scores // [])|length)"                                   # records read
  jq "[$O[]|select(.type==\"GENERATION\" and (.costDetails|length)>0)|.totalCost]|add"  # reported cost
"""

from __future__ import annotations

import json

import pytest

from launchkit import ingest
from launchkit.ingest.formats import detect_format
from launchkit.ingest.traces import langfuse

# file: (records read, turns, tool calls, failed tool calls, input tokens, output tokens, reported cost)
# records = observations + scores; every score in these exports is model-judged (source EVAL): an evaluation.
REAL = {
    "agno-2025-06-11.trace.json": (6, 4, 0, 0, 2936, 903, 0.000982199999),
    "autogen-2025-06-06.trace.json": (2, 1, 0, 0, 41, 3, 2.5e-05),
    "beeai-2025-08-01.trace.json": (31, 5, 0, 0, 5542, None, 0.0008313),
    "claude-agent-2025-12-22.trace.json": (10, 4, 2, 0, 34, 232, 0.003582),
    "crewai-2025-07-11.trace.json": (8, 1, 0, 0, 190, 164, 0.0001269),
    "csharp-agent-with-gemini-2026-03-09.trace.json": (8, 3, 2, 0, 8047, 414, 0.0034491),
    "google-adk-2025-08-28.trace.json": (7, 2, 1, 0, 67, 9, 1.03e-05),
    "google-gemini-2025-08-01.trace.json": (3, 1, 0, 0, 6, 2055, 0.005139299999),
    "koog-2025-08-26.trace.json": (11, 2, 2, 0, 215, 125, 0.0017875),
    "langgraph-js-2025-10-30.trace.json": (22, 2, 0, 0, 321, 123, 0.00032625),
    "langgraph-python-2025-08-22.trace.json": (11, 2, 0, 0, 168, 66, 0.000234),
    "llamaindex-2025-06-05.trace.json": (2, 1, 0, 0, 13, 81, 0.000842499999),
    "microsoft-agent-2025-12-17.trace.json": (7, 2, 1, 0, 293, 106, 0.00028525),
    "openai-agents-2025-09-30.trace.json": (7, 2, 1, 0, 140, 44, 0.000632),
    "pydantic-ai-2025-06-06.trace.json": (3, 1, 0, 0, 31, 96, 0.0010375),
    "pydantic-ai-tools-2025-06-06.trace.json": (3, 1, 0, 0, 31, 96, 0.0010375),
    "pydantic-ai-tools-2025-12-04.trace.json": (12, 4, 3, 0, 1315, 209, 0.000322649999),
    "pydantic-ai-with-gemini-2025-12-24.trace.json": (1, 1, 0, 0, 40, 159, 0.0004095),
    "vercel-aisdk-2025-11-17.trace.json": (5, 2, 1, 0, 76, 128, 0.001374999999),
    "vertex-ai-2025-08-01.trace.json": (3, 1, 0, 0, 5, 845, 0.00085),
}

# file: scores in the export (every one source EVAL), counted with
#   jq '[(.trace.scores // .scores // [])[] | select(.source == "EVAL")] | length'
EVAL_SCORES = dict.fromkeys(REAL, 0) | {
    "beeai-2025-08-01.trace.json": 2,
    "claude-agent-2025-12-22.trace.json": 3,
    "crewai-2025-07-11.trace.json": 2,
    "google-adk-2025-08-28.trace.json": 2,
    "google-gemini-2025-08-01.trace.json": 2,
    "langgraph-js-2025-10-30.trace.json": 2,
    "langgraph-python-2025-08-22.trace.json": 2,
    "microsoft-agent-2025-12-17.trace.json": 3,
    "openai-agents-2025-09-30.trace.json": 2,
    "vercel-aisdk-2025-11-17.trace.json": 2,
    "vertex-ai-2025-08-01.trace.json": 2,
}


def by_table(results):
    assert all(r.ok and r.reconciles() for r in results), [r.error for r in results]
    return {r.table: r for r in results}


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(REAL))
def test_real_langfuse_exports(name, con, config, realdata):
    records, turns, calls, failed, tin, tout, cost = REAL[name]
    results = ingest.ingest(con, [realdata / "traces" / "langfuse-framework-traces" / name], config=config)
    t = by_table(results)
    assert results[0].format == "langfuse" and results[0].detected
    assert sum(r.rows_read for r in results if r.table != "sessions") == records
    assert t["turns"].loaded == turns and t["turns"].rejected == 0
    assert (t["tool_calls"].loaded if "tool_calls" in t else 0) == calls
    scores = records - turns - calls - t["turns"].ignored
    assert (t["evaluations"].loaded if "evaluations" in t else 0) == scores == EVAL_SCORES[name]
    assert "feedback" not in t  # EVAL scores are not user feedback
    [(n_failed,)] = con.execute("SELECT count(*) FILTER (WHERE status <> 'ok') FROM tool_calls").fetchall()
    assert n_failed == failed
    [(s_in, s_out, s_cost)] = con.execute(
        "SELECT sum(input_tokens), sum(output_tokens), sum(cost_usd) FROM turns"
    ).fetchall()
    assert (s_in, s_out) == (tin, tout)
    assert s_cost == pytest.approx(cost, rel=1e-9)
    assert t["sessions"].loaded == 1


@pytest.mark.realdata
def test_session_and_user_from_the_trace(con, config, realdata):
    f = realdata / "traces" / "langfuse-framework-traces" / "google-adk-2025-08-28.trace.json"
    by_table(ingest.ingest(con, [f], config=config))
    assert con.execute("SELECT session_id, user_id, tenant_id FROM sessions").fetchall() == [
        ("demo-session", "demo-user", "unknown")
    ]
    # the TOOL observation's nearest GENERATION ancestor, if any, is its turn
    assert con.execute("SELECT tool_name, status FROM tool_calls").fetchall() == [("say_hello", "ok")]


@pytest.mark.realdata
def test_the_same_generation_in_two_exports_is_a_duplicate(con, config, realdata):
    d = realdata / "traces" / "langfuse-framework-traces"
    ingest.ingest(con, [d / "pydantic-ai-2025-06-06.trace.json"], config=config)
    t = by_table(ingest.ingest(con, [d / "pydantic-ai-tools-2025-06-06.trace.json"], config=config))
    assert (t["turns"].loaded, t["turns"].duplicates) == (0, 1)


def _export() -> dict:
    obs = [
        {
            "id": "g1",
            "type": "GENERATION",
            "name": "chat",
            "parentObservationId": "a1",
            "level": "DEFAULT",
            "startTime": "2026-03-02T10:00:00.000Z",
            "endTime": "2026-03-02T10:00:02.000Z",
            "completionStartTime": "2026-03-02T10:00:00.400Z",
            "model": "gpt-4o",
            "usageDetails": {"input": 100, "input_cache_read": 20, "output": 30},
            "costDetails": {},
            "totalCost": 0,
        },
        {
            "id": "t1",
            "type": "TOOL",
            "name": "running tool: sql_query",
            "parentObservationId": "g1",
            "level": "ERROR",
            "statusMessage": "boom",
            "startTime": "2026-03-02T10:00:01.000Z",
            "endTime": "2026-03-02T10:00:01.500Z",
            "metadata": json.dumps({"attributes": {"error.type": "SyntaxError"}}),
        },
        {
            "id": "a1",
            "type": "AGENT",
            "name": "agent",
            "startTime": "2026-03-02T09:59:59.000Z",
            "endTime": "2026-03-02T10:00:03.000Z",
        },
    ]
    scores = [
        {
            "id": "sc1",
            "name": "user-feedback",
            "dataType": "BOOLEAN",
            "value": 1,
            "source": "API",
            "timestamp": "2026-03-02T10:05:00.000Z",
            "comment": "nice",
        },
        {
            "id": "sc2",
            "name": "stars",
            "dataType": "NUMERIC",
            "value": 4,
            "source": "ANNOTATION",
            "timestamp": "2026-03-02T10:06:00.000Z",
        },
        {
            "id": "sc3",
            "name": "stars",
            "dataType": "NUMERIC",
            "value": 0,
            "source": "API",
            "timestamp": "2026-03-02T10:07:00.000Z",
        },
        {
            "id": "sc4",
            "name": "vibe",
            "dataType": "CATEGORICAL",
            "stringValue": "thumbs_down",
            "value": 0,
            "source": "API",
            "timestamp": "2026-03-02T10:08:00.000Z",
        },
        {
            "id": "sc5",
            "name": "vibe",
            "dataType": "CATEGORICAL",
            "stringValue": "meh",
            "value": 0,
            "source": "API",
            "timestamp": "2026-03-02T10:09:00.000Z",
        },
        {
            "id": "sc6",
            "name": "toxicity",
            "dataType": "NUMERIC",
            "value": 0.1,
            "source": "EVAL",
            "timestamp": "2026-03-02T10:10:00.000Z",
        },
    ]
    trace = {
        "id": "tr1",
        "projectId": "p",
        "timestamp": "2026-03-02T09:59:59.000Z",
        "sessionId": "sess-1",
        "userId": "u-1",
        "release": "r7",
        "metadata": {"tenant.id": "acme"},
        "scores": scores,
    }
    return {"trace": trace, "observations": obs}


def test_export_rules_on_a_small_export(con, config, tmp_path):
    f = tmp_path / "export.json"
    f.write_text(json.dumps([_export()]))  # a list of trace exports
    results = ingest.ingest(con, [f], config=config)
    t = by_table(results)
    # 3 observations + 6 scores = 9 records = 1 turn + 1 tool + 4 feedback rows (sc1-sc4: a person's, or an
    # API score named or valued as a user's) + 2 evaluations (sc5: the app's code, sc6: an LLM judge) + 1 ignored
    assert sum(r.rows_read for r in results if r.table != "sessions") == 9
    assert (t["turns"].loaded, t["tool_calls"].loaded, t["feedback"].loaded, t["feedback"].rejected) == (1, 1, 3, 1)
    assert (t["evaluations"].loaded, t["evaluations"].rejected) == (2, 0)
    assert (t["turns"].ignored, t["turns"].rejected) == (1, 0)
    # usage keys starting with "input" add up (100 + 20); an empty costDetails is no cost, not 0
    assert con.execute(
        "SELECT turn_id, session_id, latency_ms, ttft_ms, input_tokens, output_tokens, cost_usd FROM turns"
    ).fetchall() == [("g1", "sess-1", 2000.0, 400.0, 120, 30, None)]
    assert con.execute(
        "SELECT call_id, turn_id, tool_name, duration_ms, status, error_type FROM tool_calls"
    ).fetchall() == [("t1", "g1", "sql_query", 500.0, "error", "SyntaxError")]
    assert con.execute(
        "SELECT feedback_id, session_id, user_id, rating, thumbs, comment FROM feedback ORDER BY 1"
    ).fetchall() == [
        ("sc1", "sess-1", "u-1", None, "up", "nice"),
        ("sc2", "sess-1", "u-1", 4, None, None),
        ("sc4", "sess-1", "u-1", None, "down", None),
    ]
    assert con.execute("SELECT row_number, table_name, column_name, reason FROM rejects ORDER BY 1").fetchall() == [
        (6, "feedback", "rating", "below minimum 1"),
    ]
    assert con.execute(
        "SELECT evaluation_id, session_id, turn_id, name, source, value, label, judge_model, "
        "strftime(evaluated_at, '%H:%M') FROM evaluations ORDER BY 1"
    ).fetchall() == [
        ("sc5", "sess-1", None, "vibe", "code", None, "meh", None, "10:09"),
        ("sc6", "sess-1", None, "toxicity", "llm_judge", 0.1, None, None, "10:10"),
    ]
    assert con.execute(
        "SELECT session_id, tenant_id, user_id, release, strftime(started_at, '%H:%M:%S'), "
        "strftime(ended_at, '%H:%M:%S') FROM sessions"
    ).fetchall() == [("sess-1", "acme", "u-1", "r7", "09:59:59", "10:00:03")]


def test_export_shapes_are_detected(tmp_path):
    one = _export()
    for i, doc in enumerate((one, [one], {"data": [one]}, {**one["trace"], "observations": one["observations"]})):
        f = tmp_path / f"e{i}.json"
        f.write_text(json.dumps(doc))
        assert detect_format(f) == "langfuse"
        assert langfuse.looks_like_export(doc)


def test_an_evaluator_observations_generation_is_not_a_turn(con, config, tmp_path):
    """An EVALUATOR observation with a GENERATION under it (the judge: 800 in / 9 out) beside the app's turn: the
    judge's call is an evaluation's own work (fold rule E), ignored with the evaluator; the app's turn alone loads."""
    doc = _export()
    doc["trace"]["scores"] = []
    doc["observations"] += [
        {
            "id": "ev1",
            "type": "EVALUATOR",
            "name": "correctness",
            "startTime": "2026-03-02T10:00:04.000Z",
            "endTime": "2026-03-02T10:00:06.000Z",
        },
        {
            "id": "jg1",
            "type": "GENERATION",
            "name": "judge",
            "parentObservationId": "ev1",
            "startTime": "2026-03-02T10:00:04.100Z",
            "endTime": "2026-03-02T10:00:05.900Z",
            "model": "gpt-4o-mini",
            "usageDetails": {"input": 800, "output": 9},
        },
    ]
    f = tmp_path / "export.json"
    f.write_text(json.dumps([doc]))
    t = by_table(ingest.ingest(con, [f], config=config))
    assert (t["turns"].loaded, t["turns"].ignored, t["turns"].warnings) == (1, 3, [])
    assert t["turns"].ignored_by_reason == {
        "agent or workflow span (AGENT)": 1,
        "an evaluation's own work (EVALUATOR)": 1,
        "an evaluation's own work (judge's LLM call)": 1,
    }
    assert con.execute("SELECT turn_id, input_tokens, output_tokens FROM turns").fetchall() == [("g1", 120, 30)]
