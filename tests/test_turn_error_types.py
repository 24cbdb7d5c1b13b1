"""Turns carry their error type from the trace formats' own error fields: Langfuse's level and
statusMessage, a span's status message, as a short type (never the message), so a provider's
refusal for a rate limit is counted by the hourly check (launchkit.analytics.checks.rate_limits)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from launchkit import ingest
from launchkit.analytics import checks
from launchkit.ingest.traces.values import error_type_from_message
from launchkit.window import Window

OPENAI_429 = (
    "Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization org-x on requests "
    "per min (RPM): Limit 500, Used 500, Requested 1.', 'type': 'requests', 'param': None, 'code': "
    "'rate_limit_exceeded'}}"
)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (OPENAI_429, "429"),  # the OpenAI SDK's words: the HTTP status first
        ("HTTP 503 Service Unavailable", "503"),
        ("litellm.RateLimitError: RateLimitError: OpenAIException - quota", "litellm.RateLimitError"),
        ("RateLimitError('You exceeded your current quota')", "RateLimitError"),
        ("{'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}", "overloaded_error"),
        ("429 Resource has been exhausted (e.g. check quota). RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED"),
        ("the tool said my password is hunter2", None),  # no type in it: nothing of the text is kept
        ("status: 200", None),  # not an error status
        ("", None),
        (None, None),
        (429, None),  # not text
    ],
)
def test_a_status_message_gives_its_error_type_only(message, expected):
    assert error_type_from_message(message) == expected


def _generation(i: int, level: str, message: str | None, metadata: dict | None = None) -> dict:
    obs = {
        "id": f"g{i}",
        "type": "GENERATION",
        "name": "chat",
        "level": level,
        "startTime": f"2026-03-02T10:0{i}:00.000Z",
        "endTime": f"2026-03-02T10:0{i}:01.000Z",
        "model": "gpt-4o",
        "usageDetails": {"input": 10, "output": 2},
    }
    if message is not None:
        obs["statusMessage"] = message
    if metadata is not None:
        obs["metadata"] = json.dumps({"attributes": metadata})
    return obs


def test_langfuse_generations_carry_their_error_type_and_the_hourly_check_counts_the_refused(con, config, tmp_path):
    observations = [
        _generation(1, "ERROR", OPENAI_429),
        _generation(2, "ERROR", "RateLimitError: You exceeded your current quota"),
        _generation(3, "ERROR", "Request timed out.", {"error.type": "APITimeoutError"}),  # its own field first
        _generation(4, "ERROR", "the model said something private"),  # failed, no type to tell
        _generation(5, "DEFAULT", "Error code: 429"),  # not failed: a message alone is no error
        _generation(6, "WARNING", None),
    ]
    export = {
        "trace": {"id": "tr1", "timestamp": "2026-03-02T10:00:00.000Z", "sessionId": "s1"},
        "observations": observations,
    }
    f = tmp_path / "export.json"
    f.write_text(json.dumps(export))
    results = ingest.ingest(con, [f], config=config)
    assert all(r.ok for r in results), [r.error for r in results]
    assert con.execute("SELECT turn_id, status, error_type FROM turns ORDER BY turn_id").fetchall() == [
        ("g1", "error", "429"),
        ("g2", "error", "RateLimitError"),
        ("g3", "error", "APITimeoutError"),
        ("g4", "error", None),
        ("g5", "ok", None),
        ("g6", "ok", None),
    ]
    hour = Window.hour(datetime(2026, 3, 2, 10, tzinfo=UTC), tz=UTC)
    [row] = checks.rate_limits(con, hour, config)
    # 2 of the 6 turns refused for rate limits (429, RateLimitError); the export names no provider
    assert (row["check"], row["n"], row["value"]) == ("rate_limited:(unknown)/gpt-4o", 6, 2 / 6)


@pytest.mark.realdata
def test_the_real_langfuse_exports_have_no_failed_generation_and_gain_no_error_type(con, config, realdata):
    """None of the 20 real exports has an observation with level ERROR or a statusMessage (counted with
    json, not the importer): no turn may come out failed or typed."""
    files = sorted((realdata / "traces" / "langfuse-framework-traces").glob("*.json"))
    for p in files:
        doc = json.loads(p.read_text())
        observations = doc.get("observations") or doc.get("trace", {}).get("observations") or []
        assert not [o for o in observations if o.get("level") == "ERROR" or o.get("statusMessage")], p.name
    results = ingest.ingest(con, files, config=config)
    assert all(r.ok for r in results), [r.error for r in results]
    [(turns, failed)] = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE status <> 'ok' OR error_type IS NOT NULL) FROM turns"
    ).fetchall()
    assert turns > 0 and failed == 0


def test_an_otlp_chat_spans_status_message_gives_its_error_type(con, config, tmp_path):
    """A span with status ERROR and no error.type, exception event or HTTP status: its status message
    (the SDK's exception text) names the type; its own error.type still comes first."""
    from _otlp import chat_line

    base = int(datetime(2026, 3, 2, 10, tzinfo=UTC).timestamp())
    attrs = {"gen_ai.request.model": "gpt-4o", "gen_ai.system": "openai", "session.id": "s1"}
    lines = [
        chat_line("a" * 32, "1" * 16, base, attrs),
        chat_line("a" * 32, "2" * 16, base + 5, attrs),
        chat_line("a" * 32, "3" * 16, base + 9, {**attrs, "error.type": "APIConnectionError"}),
    ]
    failed = {"code": 2, "message": OPENAI_429}
    for doc in lines[1:]:
        doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["status"] = failed
    f = tmp_path / "traces.jsonl"
    f.write_text("".join(json.dumps(d) + "\n" for d in lines))
    results = ingest.ingest(con, [f], config=config)
    assert all(r.ok for r in results), [r.error for r in results]
    assert con.execute("SELECT status, error_type FROM turns ORDER BY started_at").fetchall() == [
        ("ok", None),
        ("error", "429"),
        ("error", "APIConnectionError"),
    ]
