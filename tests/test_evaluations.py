"""Evaluations as data: the `evaluations` contract table loaded from a team's own CSV / Parquet evaluation
runs and from Langfuse scores (a model's or a program's judgement; a person's score stays feedback)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from launchkit import ingest

# 7 rows written by hand: 4 good; e3 has neither a value nor a label, e5 a source that is not one of the
# three, e6 no time.
CSV = """evaluation_id,session_id,turn_id,name,source,value,label,judge_model,evaluated_at,comment
e1,s1,t1,correctness,llm_judge,1,,gpt-4o-mini,2026-03-02T10:00:00Z,
e2,s1,t2,correctness,llm_judge,0,,gpt-4o-mini,2026-03-02T10:05:00Z,wrong join
e3,s2,,hallucination,llm_judge,,,gpt-4o-mini,2026-03-02T11:00:00Z,
e5,s2,,hallucination,person,0.5,,,2026-03-02T11:00:00Z,
e6,s3,,correctness,code,1,,,,
e7,s3,,tone,human,,polite,,2026-03-02T12:00:00Z,
e8,,,correctness,code,1,,,2026-03-02T12:30:00Z,sql ran
"""


def _results(con, config, path):
    out = {r.table: r for r in ingest.ingest(con, [path], config=config)}
    assert all(r.ok and r.reconciles() for r in out.values()), [r.error for r in out.values()]
    return out["evaluations"]


def test_a_teams_evaluation_csv_loads_every_row_or_rejects_it_with_a_reason(con, config, tmp_path):
    f = tmp_path / "evaluations_2026-03-02.csv"
    f.write_text(CSV)
    r = _results(con, config, f)
    assert (r.rows_read, r.loaded, r.rejected) == (7, 4, 3)
    assert con.execute("SELECT evaluation_id, source, value, label FROM evaluations ORDER BY 1").fetchall() == [
        ("e1", "llm_judge", 1.0, None),
        ("e2", "llm_judge", 0.0, None),
        ("e7", "human", None, "polite"),
        ("e8", "code", 1.0, None),
    ]
    assert con.execute("SELECT row_number, column_name, reason FROM rejects ORDER BY 1").fetchall() == [
        (3, "value", "needs a value or a label"),
        (4, "source", "not one of llm_judge, code, human"),
        (5, "evaluated_at", "missing required value"),
    ]
    # a later run's file repeating the 4 good rows beside a new one: the repeats are duplicates by id
    again = tmp_path / "evaluations_2026-03-03.csv"
    again.write_text(CSV + "e9,s4,,correctness,llm_judge,1,,gpt-4o-mini,2026-03-03T09:00:00Z,\n")
    r2 = _results(con, config, again)
    assert (r2.rows_read, r2.loaded, r2.duplicates, r2.rejected) == (8, 1, 4, 3)
    assert con.execute("SELECT count(*) FROM evaluations").fetchall() == [(5,)]


def test_evaluations_load_from_parquet(con, config, tmp_path):
    df = pd.DataFrame(
        {
            "evaluation_id": ["p1", "p2"],
            "session_id": ["s1", "s2"],
            "name": ["correctness", "hallucination"],
            "source": ["llm_judge", "llm_judge"],
            "value": [1.0, 0.0],
            "evaluated_at": pd.to_datetime(["2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"]),
        }
    )
    f = tmp_path / "evaluations_run7.parquet"
    df.to_parquet(f)
    r = _results(con, config, f)
    assert (r.loaded, r.rejected) == (2, 0)
    assert con.execute("SELECT evaluation_id, turn_id, value FROM evaluations ORDER BY 1").fetchall() == [
        ("p1", None, 1.0),
        ("p2", None, 0.0),
    ]


def _langfuse_export() -> dict:
    """One trace with a generation and one score of each kind (the shape of GET /api/public/traces/{id})."""

    def score(i, name, source, dtype, value, string_value=None, observation=None):
        return {
            "id": f"sc{i}",
            "traceId": "tr1",
            "name": name,
            "source": source,
            "dataType": dtype,
            "value": value,
            "stringValue": string_value,
            "observationId": observation,
            "timestamp": f"2026-03-02T10:0{i}:00.000Z",
            "metadata": "{}",
        }

    scores = [
        score(1, "correctness", "EVAL", "NUMERIC", 1, observation="g1"),  # LLM judge -> evaluation
        score(2, "hallucination", "EVAL", "BOOLEAN", 0, "False"),  # LLM judge -> evaluation, value 0
        score(3, "valid_sql", "API", "BOOLEAN", 1, "True"),  # the team's code -> evaluation
        score(4, "user-feedback", "API", "BOOLEAN", 0, "False"),  # a user through the app -> feedback (down)
        score(5, "quality", "ANNOTATION", "CATEGORICAL", 0, "correct"),  # a person in the UI -> feedback
        score(6, "verdict", "EVAL", "CATEGORICAL", 0, "partially correct"),  # LLM judge label -> evaluation
    ]
    gen = {
        "id": "g1",
        "traceId": "tr1",
        "type": "GENERATION",
        "name": "chat",
        "startTime": "2026-03-02T10:00:00.000Z",
        "endTime": "2026-03-02T10:00:01.000Z",
        "model": "gpt-4o",
        "usageDetails": {"input": 10, "output": 5},
    }
    trace = {"id": "tr1", "projectId": "p", "sessionId": "sess-1", "timestamp": "2026-03-02T10:00:00.000Z"}
    return {"trace": {**trace, "scores": scores}, "observations": [gen]}


def test_langfuse_scores_land_in_exactly_one_table(con, config, tmp_path):
    f = tmp_path / "trace.json"
    f.write_text(json.dumps(_langfuse_export()))
    results = {r.table: r for r in ingest.ingest(con, [f], config=config)}
    # 1 observation + 6 scores = 7 records = 1 turn + 2 feedback (sc4, sc5) + 4 evaluations (sc1-3, sc6)
    assert results["turns"].loaded == 1
    assert (results["feedback"].rows_read, results["evaluations"].rows_read) == (2, 4)
    assert results["evaluations"].loaded == 4
    assert con.execute(
        "SELECT evaluation_id, session_id, turn_id, name, source, value, label FROM evaluations ORDER BY 1"
    ).fetchall() == [
        ("sc1", "sess-1", "g1", "correctness", "llm_judge", 1.0, None),
        ("sc2", "sess-1", None, "hallucination", "llm_judge", 0.0, None),
        ("sc3", "sess-1", None, "valid_sql", "code", 1.0, None),
        ("sc6", "sess-1", None, "verdict", "llm_judge", None, "partially correct"),
    ]
    # sc5's label "correct" is not a thumb: a person's categorical score is staged as read and rejected
    assert con.execute("SELECT feedback_id, thumbs FROM feedback").fetchall() == [("sc4", "down")]
    ids = {i for (i,) in con.execute("SELECT evaluation_id FROM evaluations").fetchall()}
    fb = {i for (i,) in con.execute("SELECT feedback_id FROM feedback UNION ALL SELECT 'sc5'").fetchall()}
    assert not ids & fb and len(ids | fb) == 6


# A page of GET /v1/projects/{project}/span_annotations as Phoenix's REST API documents it (written by hand):
# two LLM judgements, a CODE check, an annotator's HUMAN correctness, an end user's thumbs down (its name says
# user_feedback) and a DECISION annotation (a kind not read).
PHOENIX_PAGE = Path(__file__).resolve().parent / "fixtures" / "formats" / "phoenix_span_annotations.json"


def test_phoenix_span_annotations(con, config, tmp_path):
    results = {r.table: r for r in ingest.ingest(con, [PHOENIX_PAGE], config=config)}
    assert results["evaluations"].format == "phoenix-annotations" and results["evaluations"].detected
    # 6 records = 4 evaluations (LLM x2, CODE, the annotator's HUMAN) + 1 feedback (the user's) + 1 ignored
    assert (results["evaluations"].loaded, results["feedback"].loaded) == (4, 1)
    assert sum(r.ignored for r in results.values()) == 1 and sum(r.rejected for r in results.values()) == 0
    assert con.execute(
        "SELECT turn_id, name, source, value, label, judge_model, strftime(evaluated_at, '%H:%M:%S') "
        "FROM evaluations ORDER BY evaluation_id"
    ).fetchall() == [
        ("67f6740bbe1ddc3f", "correctness", "llm_judge", 1.0, "correct", "gpt-4o", "11:01:30"),
        ("67f6740bbe1ddc3f", "hallucination", "llm_judge", 0.0, "factual", None, "11:02:30"),
        ("a1b2c3d4e5f60718", "sql_valid", "code", 1.0, None, None, "11:03:30"),
        ("a1b2c3d4e5f60718", "correctness", "human", 0.0, "incorrect", None, "11:04:30"),
    ]
    assert con.execute("SELECT feedback_id, thumbs, rating FROM feedback").fetchall() == [
        ("QW5ub3RhdGlvbjo5", "down", None)
    ]


# LangSmith's feedback data format, written by hand: two evaluator judgements (model; a boolean score), the
# team's SQL check (api), a user's score sent through the API (its key says user: 0 is a thumbs down) and a
# reviewer's category in LangSmith's UI (app).
LANGSMITH_FEEDBACK = PHOENIX_PAGE.parent / "langsmith_feedback.json"


def test_langsmith_feedback(con, config):
    results = {r.table: r for r in ingest.ingest(con, [LANGSMITH_FEEDBACK], config=config)}
    assert results["evaluations"].format == "langsmith-feedback" and results["evaluations"].detected
    # 5 records = 4 evaluations + 1 feedback
    assert (results["evaluations"].loaded, results["feedback"].loaded) == (4, 1)
    assert con.execute(
        "SELECT right(turn_id, 1), name, source, value, label, judge_model FROM evaluations ORDER BY evaluation_id"
    ).fetchall() == [
        ("1", "correctness", "llm_judge", 1.0, None, "gpt-4o"),
        ("1", "hallucination", "llm_judge", 0.0, None, None),
        ("2", "valid_sql", "code", 0.0, None, None),
        ("2", "tone", "human", None, "too terse", None),
    ]
    assert con.execute("SELECT user_id, thumbs, rating, comment FROM feedback").fetchall() == [
        ("u-7", "down", None, "wrong numbers")
    ]
