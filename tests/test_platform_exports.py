"""LangSmith run and Datadog LLM Observability exports: what a failed call keeps (its short type, never
the message) and the ids a run or span keeps (as the platform writes them, so its evaluations join).
The counts of these fixtures are in tests/test_telemetry_fixtures.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchkit.config import load_config
from launchkit.jobs import load
from launchkit.store.warehouse import Warehouse

TELEMETRY = Path(__file__).resolve().parent / "fixtures" / "telemetry"


def _load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: Path) -> Warehouse:
    monkeypatch.chdir(tmp_path)
    wh = Warehouse.open(tmp_path / "w.duckdb")
    load.run(wh, [path], load_config(env={}), publish=False)
    return wh


def test_a_failed_langsmith_run_keeps_its_type_not_its_message(tmp_path, monkeypatch):
    wh = _load(tmp_path, monkeypatch, TELEMETRY / "langsmith" / "langsmith_runs.json")
    turns = wh.con.execute("SELECT turn_id, status, error_type FROM turns WHERE status <> 'ok'").fetchall()
    # error: RateLimitError("Error code: 429 - ...") -> the HTTP status it names
    assert turns == [("f49f8cda-b0cd-4fe2-9d04-9fabcde33338", "error", "429")]
    tools = wh.con.execute("SELECT tool_name, status, error_type FROM tool_calls ORDER BY tool_name").fetchall()
    assert tools == [("run_sql", "ok", None), ("search_docs", "error", "ToolException")]
    text = str(wh.con.execute("SELECT * FROM turns").fetchall() + wh.con.execute("SELECT * FROM tool_calls").fetchall())
    assert "index unavailable" not in text and "rate_limit_error" not in text and "Traceback" not in text
    wh.close()


def test_langsmith_turn_ids_are_the_run_ids(tmp_path, monkeypatch):
    """LangSmith feedback names its run by id (`run_id`): the turn keeps that id as written."""
    wh = _load(tmp_path, monkeypatch, TELEMETRY / "langsmith" / "langsmith_runs.json")
    ids = {r[0] for r in wh.con.execute("SELECT turn_id FROM turns").fetchall()}
    assert ids == {
        "9e3f2c74-5a6d-4f8c-9dae-3f4a5b6c7d82",
        "b05b4e96-7c8f-4bae-9fc0-5b6c7d8e9fa4",
        "d27d6ab8-9eab-4dc0-9be2-7d8e9fabc116",
        "f49f8cda-b0cd-4fe2-9d04-9fabcde33338",
    }
    wh.close()


@pytest.mark.parametrize("name", ["llmobs_span_events.jsonl", "intake_api_payloads.json", "export_api_spans.json"])
def test_a_failed_datadog_span_keeps_its_type_not_its_message(name, tmp_path, monkeypatch):
    wh = _load(tmp_path, monkeypatch, TELEMETRY / "datadog_llmobs" / name)
    assert wh.con.execute("SELECT turn_id, error_type FROM turns WHERE status = 'error'").fetchall() == [
        ("9289605143706152439", "openai.RateLimitError")
    ]
    assert wh.con.execute(
        "SELECT call_id, tool_name, status, error_type FROM tool_calls WHERE status <> 'ok'"
    ).fetchall() == [
        ("10390716254817263540", "fetch_chart", "timeout", "TimeoutError")  # a 20-digit decimal span id, as written
    ]
    text = str(wh.con.execute("SELECT * FROM turns").fetchall())
    assert "the prompt was" not in text
    wh.close()
