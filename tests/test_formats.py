"""The table of input formats: one record per format, and detection that follows it."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from launchkit.ingest import formats


def test_each_trace_format_record_is_its_modules_and_names_itself():
    records = formats.trace_formats()
    assert tuple(r.name for r in records) == formats.TRACE_FORMATS
    for r in records:
        assert (r.parse is None) + (r.mapped is None) + (r.refuse is None) == 2, r.name  # exactly one way to read


def test_tabular_formats_are_decided_by_their_suffixes():
    assert formats.TABULAR == {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
    assert formats.TABULAR_FORMATS == ("csv", "parquet", "jsonl")


def test_what_writes_a_format_is_in_its_record():
    """synth, the cost export and their CLI choices follow the records (xlsx is written, never read)."""
    from launchkit.cli.data import synth
    from launchkit.cli.export import cost
    from launchkit.reports.files.sheets import write_csv, write_xlsx
    from launchkit.synth.pilot import write_csv_parts, write_parquet_parts

    assert formats.SYNTH_FORMATS == ("csv", "parquet") and formats.LAKE_FORMATS == ("parquet",)
    assert formats.EXPORT_FORMATS == ("csv", "xlsx") and "xlsx" not in formats.FORMATS
    assert (
        formats.writer("csv", "synth") is write_csv_parts and formats.writer("parquet", "synth") is write_parquet_parts
    )
    assert formats.writer("csv", "export") is write_csv and formats.writer("xlsx", "export") is write_xlsx
    with pytest.raises(ValueError, match="does not write jsonl"):
        formats.writer("jsonl", "synth")
    choices = {c.name: next(p for p in c.params if p.name == "fmt").type for c in (synth, cost)}
    assert all(isinstance(t, click.Choice) for t in choices.values())
    assert [list(t.choices) for t in choices.values() if isinstance(t, click.Choice)] == [
        ["csv", "parquet", "otlp"],
        ["csv", "xlsx"],
    ]


def test_the_loader_asks_the_records_what_a_format_is(tmp_path):
    """CSV's quirks (line limit, dialect, malformed lines, line ends) belong to `delimited` records;
    Parquet is binary (never gzipped); JSON Lines rows are objects. The records name their readers."""
    from launchkit.ingest import tabular

    assert [f for f in formats.TABULAR_FORMATS if formats.delimited(f)] == ["csv"]
    assert not formats.delimited(None) and not formats.delimited("otlp") and not formats.delimited("held")
    assert [f.name for f in formats.TABLE if f.binary] == ["parquet", "phoenix-evaluations", "xlsx"]
    assert all(callable(getattr(tabular, formats.record_of(f).reader)) for f in formats.TABULAR_FORMATS)
    (tmp_path / "turns_1.parquet.gz").write_bytes(b"x")
    assert formats.pass_over_reason(tmp_path / "turns_1.parquet.gz") == (
        "gzip-compressed Parquet is not read (Parquet compresses inside: load the .parquet file)"
    )


# A comparison of a format variable with a tabular format's name: what the records replace.
_FORMAT_TEST = re.compile(r"""\b(fmt|format|tabular)\s*(==|!=)\s*["'](csv|parquet|jsonl|xlsx)["']""")


def test_no_module_tests_a_tabular_format_by_name():
    package = Path(formats.__file__).parents[1]
    found = [
        f"{p.relative_to(package)}:{n}"
        for p in package.rglob("*.py")
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if _FORMAT_TEST.search(line)
    ]
    assert found == []
    assert _FORMAT_TEST.search('if fmt == "csv":') and _FORMAT_TEST.search("r.format != 'parquet'")


# ---------------------------------------------------------------------------------------------
# No silent loss, by construction: known keys renamed to names launchkit does not know (that still
# say token, model or usage, or a kind) never load as a quiet 0.

import json  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from launchkit.cli import cli  # noqa: E402
from launchkit.ingest.traces import semconv  # noqa: E402

TELEMETRY = Path(__file__).resolve().parent / "fixtures" / "telemetry"
PLATFORMS = ("langfuse", "langsmith", "datadog_llmobs")
SPAN_FIXTURES = sorted(
    p
    for p in TELEMETRY.rglob("*.json*")
    if p.name != "expected.json"
    and p.parent.name not in PLATFORMS  # the platforms' keys are their export's schema: see the test below
)


def scrambled(name: str) -> str:
    """An attribute name launchkit does not know that keeps the words of the original."""
    return "x_" + name.replace(".", "_")


def scramble(text: str) -> str:
    names = sorted({n for names in semconv.ALIASES.values() for n in names}, key=len, reverse=True)
    for name in names:
        for quoted in (f'"{name}"', f'"attributes.{name}"'):
            text = text.replace(quoted, quoted.replace(name, scrambled(name)))
    return text


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LAUNCHKIT_WAREHOUSE", str(tmp_path / "w.duckdb"))
    return tmp_path


@pytest.mark.parametrize("fixture", SPAN_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_renamed_keys_never_load_as_a_quiet_zero(fixture, env):
    text = fixture.read_text(encoding="utf-8")
    renamed = scramble(text)
    assert renamed != text
    f = env / fixture.name
    f.write_text(renamed, encoding="utf-8")
    r = CliRunner().invoke(cli, ["ingest", str(f), "--json"])
    assert r.exit_code == 4, r.output
    assert "which suggest an LLM or tool call" in r.output or "token" in r.output, r.output


# The platforms' usage and model keys (their schema's names, nested), renamed to names nobody lists.
PLATFORM_KEYS = {
    "langsmith": ("prompt_tokens", "completion_tokens", "input_tokens", "output_tokens", "ls_model_name", "model"),
    "datadog_llmobs": ("input_tokens", "output_tokens", "model_name"),
}


@pytest.mark.parametrize(
    "fixture",
    [p for folder in PLATFORM_KEYS for p in sorted((TELEMETRY / folder).glob("*.json*")) if p.name != "expected.json"],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_a_platform_export_with_renamed_usage_keys_never_loads_as_a_quiet_zero(fixture, env):
    text = fixture.read_text(encoding="utf-8")
    renamed = text
    for key in PLATFORM_KEYS[fixture.parent.name]:
        renamed = renamed.replace(f'"{key}"', f'"x_{key}"')
    assert renamed != text
    f = env / fixture.name
    f.write_text(renamed, encoding="utf-8")
    r = CliRunner().invoke(cli, ["ingest", str(f), "--json"])
    assert r.exit_code == 4, r.output
    assert "loaded as a turn without token counts" in r.output, r.output


def test_the_scramble_keeps_the_words_that_give_a_call_away():
    assert scrambled("gen_ai.usage.input_tokens") == "x_gen_ai_usage_input_tokens"
    doc = json.loads(scramble(json.dumps({"gen_ai.request.model": "gpt-4o", "attributes.llm.model_name": "m"})))
    assert doc == {"x_gen_ai_request_model": "gpt-4o", "attributes.x_llm_model_name": "m"}


# ---------------------------------------------------------------------------------------------
# Detection names what it sees, and refuses what it cannot read by its real name

FORMATS_DIR = Path(__file__).resolve().parent / "fixtures" / "formats"


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (TELEMETRY / "trace_viewers" / "tempo_strands.json", "tempo"),
        (TELEMETRY / "trace_viewers" / "jaeger_strands.json", "jaeger"),
        (TELEMETRY / "trace_viewers" / "cloudwatch_aws_spans.jsonl", "cloudwatch-spans"),
        (FORMATS_DIR / "langsmith_runs.json", "langsmith"),
        (TELEMETRY / "langsmith" / "langsmith_batch_ingest.json", "langsmith"),
        (FORMATS_DIR / "datadog_llmobs_spans.json", "datadog-llmobs"),
        (TELEMETRY / "datadog_llmobs" / "intake_api_payloads.json", "datadog-llmobs"),
        (TELEMETRY / "datadog_llmobs" / "export_api_spans.json", "datadog-llmobs"),
    ],
)
def test_viewers_and_platforms_exports_are_told_by_their_shape(path, fmt):
    assert formats.detect_format(path) == fmt


def test_tempo_v2_and_jaeger_v3_wrappers_are_read_as_tempo(tmp_path):
    batches = json.loads((TELEMETRY / "trace_viewers" / "tempo_strands.json").read_text())["batches"]
    for key in ("trace", "result"):
        f = tmp_path / f"{key}.json"
        f.write_text(json.dumps({key: {"resourceSpans": batches}}))
        assert formats.detect_format(f) == "tempo"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("langsmith_runs.json", "langsmith"), ("datadog_llmobs_spans.json", "datadog-llmobs")],
)
def test_platform_seeds_load_as_what_they_are(name, fmt, env):
    """Each seed is a wrapper (chain run / agent span) carrying 900 / 120 tokens over one LLM call of 900 / 120:
    one turn, and the wrapper's usage is the call's, recorded again."""
    r = CliRunner().invoke(cli, ["ingest", str(FORMATS_DIR / name), "--json"])
    assert r.exit_code == 0, r.output
    turns = json.loads(r.output.splitlines()[0])
    assert (turns["format"], turns["table"], turns["loaded"]) == (fmt, "turns", 1)
    assert turns["ignored_by_reason"] == {"re-recorded call": 1}
