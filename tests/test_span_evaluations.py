"""Evaluation results carried on spans (OpenInference `evaluations.N.evaluation.*` / `annotations.N.annotation.*`,
their trace and session lists, the GenAI `gen_ai.evaluation.result` event) load into the evaluations table.

The fixture (tests/fixtures/formats/openinference_evaluations_otlp.json, written from Arize-ai/openinference
`spec/annotations.md`) is 5 OpenInference spans carrying 7 results; every number below is counted by hand."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from click.testing import CliRunner

from launchkit.cli import cli

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "formats" / "openinference_evaluations_otlp.json"


def test_results_on_spans_become_evaluations_feedback_or_ignored(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    r = CliRunner().invoke(cli, ["ingest", str(FIXTURE), "--json"])
    assert r.exit_code == 0, r.output
    by_table = {d["table"]: d for d in map(json.loads, r.output.splitlines())}
    # 12 records = 5 spans (3 LLM turns, 1 TOOL, 1 CHAIN ignored) + 7 results: 5 evaluations, the HUMAN
    # user_feedback thumbs_up (feedback), the CUSTOM_JUDGE tone (ignored: not a judge launchkit knows)
    assert by_table["evaluations"]["loaded"] == 5 and by_table["feedback"]["loaded"] == 1
    assert by_table["turns"]["ignored_by_reason"] == {
        "agent or workflow span (CHAIN)": 1,
        "evaluation (CUSTOM_JUDGE)": 1,
    }
    assert "12 record(s) read = 3 turn(s) + 1 tool call(s) + 1 feedback + 5 evaluation(s) + 2 ignored" in r.output

    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT name, session_id, turn_id, source, value, label, judge_model, strftime(evaluated_at, '%H:%M:%S.%g') "
        "FROM evaluations ORDER BY name"
    ).fetchall()
    assert rows == [
        # session.evaluations on the CHAIN: the session, no turn; the span's end 09:00:05
        ("conversational_coherence", "oi-sess-1", None, "llm_judge", None, "coherent", None, "09:00:05.000"),
        # evaluations.0 on the LLM span: its turn; the judge's model from metadata {"model": "gpt-4o-mini"}
        ("correctness", "oi-sess-1", "a1b2c3d4e5f60002", "llm_judge", 1.0, "correct", "gpt-4o-mini", "09:00:02.100"),
        ("hallucination", "oi-sess-1", "a1b2c3d4e5f60002", "llm_judge", 0.0, "factual", None, "09:00:02.100"),
        # the GenAI event names no judge: counted as code's; its time is the event's (09:01:02)
        ("relevance", "oi-sess-2", "b2c3d4e5f6a70001", "code", 0.4, "partially_relevant", None, "09:01:02.000"),
        # annotations.0 on the TOOL span (CODE): the span judged
        ("sql_valid", "oi-sess-1", "a1b2c3d4e5f60003", "code", 1.0, None, None, "09:00:03.000"),
    ]
    # an identifier makes the id (span, name, identifier); otherwise the span and the result's place
    ids = {n: i for n, i in con.execute("SELECT name, evaluation_id FROM evaluations").fetchall()}
    assert ids["hallucination"] == "a1b2c3d4e5f60002/hallucination/judge-v2"
    assert ids["correctness"] == "a1b2c3d4e5f60002/evaluations.0"
    assert con.execute("SELECT session_id, thumbs, rating FROM feedback").fetchall() == [("oi-sess-1", "up", None)]
    # the explanation is kept as the comment (judges' reasons, as for Phoenix annotations)
    assert con.execute("SELECT comment FROM evaluations WHERE name = 'correctness'").fetchall() == [
        ("The totals match the query result.",)
    ]
    con.close()


def test_a_file_of_judged_spans_derives_no_session_of_its_own(tmp_path, monkeypatch):
    """A CHAIN span alone with a session evaluation: one evaluation row, no session row (judgements add none)."""
    doc = json.loads(FIXTURE.read_text())
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"] = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][:1]
    f = tmp_path / "judged.json"
    f.write_text(json.dumps(doc))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    r = CliRunner().invoke(cli, ["ingest", str(f), "--json"])
    assert r.exit_code == 0, r.output
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM evaluations").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM sessions").fetchall() == [(0,)]
    con.close()


def _one_llm_span(tmp_path: Path, attrs: list[dict]) -> Path:
    doc = json.loads(FIXTURE.read_text())
    spans = doc["resourceSpans"][0]["scopeSpans"][0]["spans"]
    llm = spans[1]
    llm["attributes"] = [a for a in llm["attributes"] if not a["key"].startswith(("evaluations.", "annotations."))]
    llm["attributes"] += attrs
    doc["resourceSpans"][0]["scopeSpans"][0]["spans"] = [llm]
    f = tmp_path / "one.json"
    f.write_text(json.dumps(doc))
    return f


def _evaluations(tmp_path: Path, monkeypatch, f: Path) -> list[tuple]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    r = CliRunner().invoke(cli, ["ingest", str(f), "--json"])
    assert r.exit_code == 0, r.output
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    rows = con.execute("SELECT name, source, value, label FROM evaluations ORDER BY name").fetchall()
    con.close()
    return rows


def test_an_unflattened_list_of_results_reads_the_same(tmp_path, monkeypatch):
    """`evaluations` as a list of objects (a kvlist per result) instead of flattened keys."""

    def obj(**kv: object) -> dict:
        return {"kvlistValue": {"values": [{"key": f"evaluation.{k}", "value": _any(v)} for k, v in kv.items()]}}

    attrs = [
        {
            "key": "evaluations",
            "value": {
                "arrayValue": {
                    "values": [
                        obj(name="correctness", score=1, annotator_kind="LLM"),
                        obj(name="groundedness", score=0.5, annotator_kind="CODE"),
                    ]
                }
            },
        }
    ]
    rows = _evaluations(tmp_path, monkeypatch, _one_llm_span(tmp_path, attrs))
    assert rows == [("correctness", "llm_judge", 1.0, None), ("groundedness", "code", 0.5, None)]


def test_a_result_field_that_is_not_a_scalar_is_kept_as_text_not_a_crash(tmp_path, monkeypatch):
    attrs = [
        {"key": "evaluations.0.evaluation.name", "value": {"stringValue": "tone"}},
        {"key": "evaluations.0.evaluation.label", "value": {"arrayValue": {"values": [{"stringValue": "polite"}]}}},
        {"key": "evaluations.0.evaluation.annotator_kind", "value": {"stringValue": "LLM"}},
    ]
    assert _evaluations(tmp_path, monkeypatch, _one_llm_span(tmp_path, attrs)) == [
        ("tone", "llm_judge", None, '["polite"]')
    ]


def _any(v: object) -> dict:
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    return {"doubleValue": v}


EVALUATOR_FIXTURE = FIXTURE.parent / "openinference_evaluator_otlp.json"


def test_a_judges_own_llm_calls_are_not_the_apps_turns(tmp_path, monkeypatch):
    """tests/fixtures/formats/openinference_evaluator_otlp.json, written by hand: an AGENT span over the app's LLM
    call (120 in / 30 out, gpt-4o) and an `evaluator` span (OpenInference's EVALUATOR, lower case) whose LLM child
    (the judge: 900 in / 12 out, gpt-4o-mini) has an HTTP child naming the model. One turn, its tokens only; the
    evaluator and the two spans under it are ignored as an evaluation's own work, with no warning (exit 0)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    r = CliRunner().invoke(cli, ["ingest", str(EVALUATOR_FIXTURE), "--json"])
    assert r.exit_code == 0, r.output
    by_table = {d["table"]: d for d in map(json.loads, r.output.splitlines())}
    assert by_table["turns"]["loaded"] == 1
    assert by_table["turns"]["ignored_by_reason"] == {
        "agent or workflow span (AGENT)": 1,
        "an evaluation's own work (EVALUATOR)": 1,
        "an evaluation's own work (judge's LLM call)": 1,
        "an evaluation's own work (span under an evaluator)": 1,
    }
    assert "WARNING" not in r.output
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT turn_id, model, input_tokens, output_tokens FROM turns").fetchall() == [
        ("e0e0e0e0e0e00002", "gpt-4o", 120, 30)
    ]
    assert con.execute("SELECT count(*) FROM tool_calls").fetchall() == [(0,)]
    con.close()


def _phoenix_evaluations(path: Path, eval_type: str, index: str | list[str], frame: dict) -> str:
    """A file as Phoenix's Evaluations.save() writes it (arize-phoenix phoenix/trace/span_evaluations.py): the
    dataframe indexed by `index`, Table.from_pandas, and the name under the `arize` key of the file metadata."""
    import pandas as pd
    import pyarrow as pa
    from pyarrow import parquet

    eval_id = "5f0c6c2e-8d3a-4f43-9a57-0b8f1a7e2d11"
    table = pa.Table.from_pandas(pd.DataFrame(frame).set_index(index))
    meta = {"eval_id": eval_id, "eval_name": "correctness", "eval_type": eval_type}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"arize": json.dumps(meta).encode()})
    parquet.write_table(table, path / f"evaluations-{eval_id}.parquet")
    return eval_id


def test_phoenix_span_evaluations_saved_as_a_file_load_through_the_loaded_turns(tmp_path, monkeypatch):
    """A folder with the evaluator fixture's spans (one turn, e0..02, session judge-sess-1, started 09:00:01) and
    a saved SpanEvaluations of two spans: the turn's (loaded, after the spans though its name sorts first) and
    the judge's own LLM span (not a turn: rejected with its reason). 2 records = 1 evaluation + 1 rejected."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "traces.json").write_text(EVALUATOR_FIXTURE.read_text())
    eval_id = _phoenix_evaluations(
        folder,
        "SpanEvaluations",
        "context.span_id",
        {
            "context.span_id": ["e0e0e0e0e0e00002", "e0e0e0e0e0e00004"],
            "label": ["correct", "incorrect"],
            "score": [1.0, 0.0],
            "explanation": ["The totals match the query.", "Wrong region."],
        },
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    r = CliRunner().invoke(cli, ["ingest", str(folder), "--json"])
    results = [json.loads(line) for line in r.output.splitlines()]
    evals = next(d for d in results if d["table"] == "evaluations")
    assert evals["format"] == "phoenix-evaluations" and evals["file"].endswith(".parquet")
    assert (evals["rows_read"], evals["loaded"], evals["rejected"]) == (2, 1, 1)
    assert results[-1]["table"] == "evaluations"  # loaded after the traces
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute(
        "SELECT evaluation_id, session_id, turn_id, name, source, value, label, judge_model, "
        "strftime(evaluated_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S'), comment FROM evaluations"
    ).fetchall() == [
        (
            f"{eval_id}/e0e0e0e0e0e00002",
            "judge-sess-1",
            "e0e0e0e0e0e00002",
            "correctness",
            "llm_judge",
            1.0,
            "correct",
            None,
            "2025-12-08 09:00:01",
            "The totals match the query.",
        )
    ]
    assert con.execute("SELECT reason FROM rejects").fetchall() == [
        ("the span judged is not a loaded turn (load its traces first: the row takes its turn's session and time)",)
    ]
    con.close()


def test_phoenix_document_evaluations_are_ignored_and_counted(tmp_path, monkeypatch):
    """DocumentEvaluations judge retrieved documents, not an answer: 2 rows read, 2 ignored, nothing loaded."""
    _phoenix_evaluations(
        tmp_path,
        "DocumentEvaluations",
        ["context.span_id", "document_position"],
        {"context.span_id": ["s1", "s1"], "document_position": [0, 1], "label": ["relevant", "irrelevant"]},
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    f = next(tmp_path.glob("evaluations-*.parquet"))
    r = CliRunner().invoke(cli, ["ingest", str(f), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output.splitlines()[0])
    assert (d["rows_read"], d["loaded"], d["ignored"]) == (2, 0, 2)
    assert d["ignored_by_reason"] == {"document evaluation (retrieved documents' relevance, not an answer)": 2}


def test_phoenix_trace_evaluations_judge_the_session_a_trace_id_names(tmp_path, monkeypatch):
    """The evaluator fixture without its session id: its trace is the session 0af7...319c, started 09:00:00 (the
    AGENT span). A saved TraceEvaluations of that trace and of a trace never loaded: 1 evaluation of the session
    (no turn), 1 rejected."""
    doc = json.loads(EVALUATOR_FIXTURE.read_text())
    for span in doc["resourceSpans"][0]["scopeSpans"][0]["spans"]:
        span["attributes"] = [a for a in span["attributes"] if a["key"] != "session.id"]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "traces.json").write_text(json.dumps(doc))
    trace = "0af7651916cd43dd8448eb211c80319c"
    eval_id = _phoenix_evaluations(
        folder,
        "TraceEvaluations",
        "context.trace_id",
        {"context.trace_id": [trace, "ffffffffffffffffffffffffffffffff"], "score": [0.5, 1.0]},
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    r = CliRunner().invoke(cli, ["ingest", str(folder), "--json"])
    evals = next(d for d in map(json.loads, r.output.splitlines()) if d["table"] == "evaluations")
    assert (evals["rows_read"], evals["loaded"], evals["rejected"]) == (2, 1, 1)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute(
        "SELECT evaluation_id, session_id, turn_id, value, label, "
        "strftime(evaluated_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') FROM evaluations"
    ).fetchall() == [(f"{eval_id}/{trace}", trace, None, 0.5, None, "2025-12-08 09:00:00")]
    con.close()
