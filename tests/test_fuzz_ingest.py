"""Fuzzing every format of the closed table: any input is read, rejected with reasons, or fails cleanly.

The tests walk launchkit.ingest.formats (TABULAR_FORMATS + TRACE_FORMATS), so a format added to the
table is fuzzed like the others (and a seed must be written for it below: see
test_every_format_has_a_seed). Inputs are small valid files mutated structurally with hypothesis:
values swapped for other types, keys dropped or renamed, nesting thousands deep, huge and non-finite
numbers, DuckDB's special time values, unicode, truncation, other encodings and line ends, gzip,
names with glob characters; plus random bytes.

- Parser level (the reader behind the loader's boundary, `load.staged_file`, and the contract's
  typing over what it staged): >= 10^4 cases, milliseconds each. Allowed: staged rows, or one
  InputFileError of one line. The trace readers' DuckDB staging is replaced by a light stand-in
  that checks the same counts (the whole-load fuzz runs the real one).
- Whole load (`load.load_file` into an in-memory warehouse): a few hundred cases. Never an
  exception; counts reconcile; a failed file leaves every table as it was and adds one `failed`
  manifest row at most; a loaded file adds exactly the rows it says it loaded and rejected; never
  an "internal error".
- No hang: a per-case deadline from hypothesis settings.

LAUNCHKIT_FUZZ_SCALE (default 1) multiplies the number of cases; the cases are the same on every run
unless LAUNCHKIT_FUZZ_RANDOM=1 (then hypothesis explores, and keeps what fails in .hypothesis/);
LAUNCHKIT_FUZZ_STRICT=1 also fails on
a reader crash the boundary had to catch (a TypeError, ...) or a typing error that failed a file
where a row reject was due: the way to find crash sites worth fixing in a reader.
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import os
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchkit.config import load_config
from launchkit.contract import TABLES
from launchkit.errors import InputFileError
from launchkit.ingest import formats, load
from launchkit.ingest.compile import typed_sql
from launchkit.ingest.files import scan_bytes
from launchkit.ingest.result import Staged
from launchkit.store.warehouse import Warehouse

SCALE = float(os.environ.get("LAUNCHKIT_FUZZ_SCALE", "1"))
STRICT = os.environ.get("LAUNCHKIT_FUZZ_STRICT", "") not in ("", "0")
# The same cases on every run (a CI failure reproduces); LAUNCHKIT_FUZZ_RANDOM=1 explores new ones.
DERANDOMIZE = os.environ.get("LAUNCHKIT_FUZZ_RANDOM", "") in ("", "0")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "otlp"
WHEN = "2026-03-02T10:00:00Z"
NS = "1772445600000000000"

# ---------------------------------------------------------------------------------------------
# Seeds: one small valid file per format (a format added to the table needs one here).

CSV_SEEDS: dict[str, tuple[list[str], list[list[str]]]] = {
    "turns": (
        ["turn_id", "session_id", "started_at", "model", "status", "latency_ms", "input_tokens", "cost_usd"],
        [
            ["t1", "s1", WHEN, "gpt-4o", "ok", "1200.5", "100", "0.001"],
            ["t2", "s1", "1772445600", "gpt-4o-mini", "error", "80", "7", ""],
            ["t1", "s1", WHEN, "gpt-4o", "ok", "1300", "100", "0.001"],
        ],
    ),
    "tool_calls": (
        ["call_id", "session_id", "turn_id", "tool_name", "started_at", "duration_ms", "status", "error_type"],
        [
            ["c1", "s1", "t1", "sql_query", WHEN, "840", "ok", ""],
            ["c2", "s1", "t1", "doc_search", "2026-03-02 10:00:01+02:00", "12", "timeout", "deadline"],
        ],
    ),
    "sessions": (
        ["session_id", "tenant_id", "user_id", "started_at", "ended_at", "cohort", "release"],
        [["s1", "t01", "u1", WHEN, "2026-03-02T10:15:00Z", "pilot", "2026.03.1"]],
    ),
    "feedback": (
        ["feedback_id", "session_id", "submitted_at", "rating", "thumbs", "comment"],
        [["f1", "s1", WHEN, "5", "up", 'great, "really"\nsaved time'], ["f2", "s1", WHEN, "", "down", ""]],
    ),
    "vendor_costs": (
        ["line_id", "vendor", "usage_date", "model", "amount_usd"],
        [["v1", "openai", "2026-03-02", "gpt-4o", "41.27"], ["v2", "openai", "2026-03-03", "", "-3"]],
    ),
}

OTEL_JSON_SEED = [
    {
        "name": "chat gpt-4o",
        "context": {"trace_id": "0x5b8efff798038103d269b633813fc60c", "span_id": "0x00f067aa0ba902b7"},
        "parent_id": None,
        "start_time": "2026-03-02T10:00:00.000000Z",
        "end_time": "2026-03-02T10:00:02.500000Z",
        "status": {"status_code": "OK"},
        "attributes": {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 120,
            "gen_ai.usage.output_tokens": 30,
            "gen_ai.conversation.id": "conv-1",
        },
        "events": [],
        "resource": {"attributes": {"tenant.id": "acme"}, "schema_url": ""},
    },
    {
        "name": "execute_tool sql_query",
        "context": {"trace_id": "0x5b8efff798038103d269b633813fc60c", "span_id": "0x00f067aa0ba902b8"},
        "parent": {"span_id": "0x00f067aa0ba902b7"},
        "start_time": "2026-03-02T10:00:01Z",
        "end_time": "2026-03-02T10:00:01.800Z",
        "status": {"status_code": "ERROR", "description": "timeout"},
        "attributes": {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "sql_query"},
        "events": [{"name": "exception", "attributes": {"exception.type": "TimeoutError"}}],
        "resource": {"attributes": {"tenant.id": "acme"}},
    },
]

LANGFUSE_SEED = {
    "trace": {
        "id": "tr-1",
        "sessionId": "s-1",
        "userId": "u-1",
        "timestamp": "2026-03-02T10:00:00.000Z",
        "metadata": {"attributes": {"tenant.id": "acme"}},
        "scores": [
            {"id": "sc1", "name": "thumbs", "dataType": "BOOLEAN", "value": 1, "source": "ANNOTATION"},
            {"id": "sc2", "name": "helpful", "dataType": "NUMERIC", "value": 4, "source": "API"},
            {"id": "sc3", "name": "judge", "dataType": "NUMERIC", "value": 0.2, "source": "EVAL"},
        ],
    },
    "observations": [
        {
            "id": "o1",
            "type": "GENERATION",
            "name": "chat",
            "startTime": "2026-03-02T10:00:00.100Z",
            "endTime": "2026-03-02T10:00:01.900Z",
            "completionStartTime": "2026-03-02T10:00:00.400Z",
            "model": "gpt-4o",
            "usageDetails": {"input": 100, "output": 20},
            "costDetails": {"total": 0.001},
            "totalCost": 0.001,
        },
        {
            "id": "o2",
            "type": "TOOL",
            "name": "sql_query",
            "parentObservationId": "o1",
            "startTime": "2026-03-02T10:00:02Z",
            "endTime": "2026-03-02T10:00:03Z",
            "level": "ERROR",
            "metadata": '{"error.type": "timeout"}',
        },
        {"id": "o3", "type": "SPAN", "name": "router", "startTime": "2026-03-02T10:00:00Z"},
    ],
}

SPAN_ATTRIBUTES_SEED = {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "gpt-4o",
    "gen_ai.usage.input_tokens": 12,
    "gen_ai.usage.output_tokens": 3,
    "gen_ai.conversation.id": "conv-9",
}


TELEMETRY = Path(__file__).resolve().parent / "fixtures" / "telemetry"


def _otlp_seed() -> Any:
    return [json.loads(line) for line in (FIXTURES / "two_traces.json").read_text().splitlines() if line.strip()]


def _lines_seed(path: Path) -> Any:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


JSONL_SEED = [
    dict(zip(CSV_SEEDS["tool_calls"][0], row)) | {"duration_ms": 840.5, "status": "ok"}
    for row in CSV_SEEDS["tool_calls"][1]
]

# format -> kind of seed; the mutators below know each kind
FORMAT_SEEDS = Path(__file__).resolve().parent / "fixtures" / "formats"
SEEDS: dict[str, str] = {
    "csv": "csv",
    "parquet": "parquet",
    "jsonl": "jsonl",
    "otlp": "json",
    "otel-json": "json",
    "otel-js": "json",
    "phoenix": "json",
    "langfuse": "json",
    "span-attributes": "json",
    "tempo": "json",
    "jaeger": "json",
    "cloudwatch-spans": "json",
    "langsmith": "json",
    "datadog-llmobs": "json",
    "phoenix-annotations": "json",
    "langsmith-feedback": "json",
    "phoenix-evaluations": "phoenix-parquet",
}
JSON_SEEDS: dict[str, Callable[[], Any]] = {
    "otlp": _otlp_seed,
    "otel-json": lambda: OTEL_JSON_SEED,
    "otel-js": lambda: json.loads((TELEMETRY / "otel_js" / "console_exporter_sdk1.json").read_text()),
    "phoenix": lambda: _lines_seed(TELEMETRY / "phoenix" / "phoenix_spans.jsonl"),
    "langfuse": lambda: LANGFUSE_SEED,
    "span-attributes": lambda: SPAN_ATTRIBUTES_SEED,
    "tempo": lambda: json.loads((TELEMETRY / "trace_viewers" / "tempo_strands.json").read_text()),
    "jaeger": lambda: json.loads((TELEMETRY / "trace_viewers" / "jaeger_strands.json").read_text()),
    "cloudwatch-spans": lambda: _lines_seed(TELEMETRY / "trace_viewers" / "cloudwatch_aws_spans.jsonl"),
    "langsmith": lambda: json.loads((FORMAT_SEEDS / "langsmith_runs.json").read_text()),
    "datadog-llmobs": lambda: json.loads((FORMAT_SEEDS / "datadog_llmobs_spans.json").read_text()),
    "phoenix-annotations": lambda: json.loads((FORMAT_SEEDS / "phoenix_span_annotations.json").read_text()),
    "langsmith-feedback": lambda: json.loads((FORMAT_SEEDS / "langsmith_feedback.json").read_text()),
}


def test_every_format_has_a_seed():
    """The fuzz walks the closed format table: a new format fails here until it has a seed."""
    assert set(formats.FORMATS) <= set(SEEDS), f"add a seed for {set(formats.FORMATS) - set(SEEDS)}"
    assert {f for f, kind in SEEDS.items() if kind == "json"} <= set(JSON_SEEDS)


# ---------------------------------------------------------------------------------------------
# Hostile values and structural mutations

WEIRD_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "infinity",
            "-infinity",
            "epoch",
            "NaN",
            "inf",
            "1e400",
            "-1",
            "0",
            "9999-12-31T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "0001-01-01",
            "2026-03-02T10:00:00+25:00",
            "2026-02-30T10:00:00Z",
            "🙂",
            "é",
            "\u202e",
            "a,b",
            '"',
            '""',
            "\r\n",
            "\n",
            "\r",
            "null",
            "true",
            "x" * 5000,
            "1" * 400,
            "0x1A",
            "EREiIjMzREQ=",
            "ok",
            "OK",
            "error",
            "GENERATION",
            "TOOL",
            "execute_tool",
            "chat",
            "gen_ai.operation.name",
            "\ufeff",
            "\\",
            "${x}",
            "'; DROP TABLE turns; --",
        ]
    ),
    st.text(max_size=30),
)
WEIRD_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 2**63, 2**64, -(2**63) - 1, 10**30, 10**400, 1772445600000000000]),
    st.just("__lk_bignum__"),  # a 5,000-digit number literal (more than Python's int() reads)
    st.floats(allow_nan=True, allow_infinity=True),
    WEIRD_TEXT,
)
WEIRD_VALUE = st.recursive(
    WEIRD_SCALAR,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(WEIRD_TEXT, c, max_size=3),
    max_leaves=6,
)
DEEP = "__lk_deep_{}_{}__"


def _deep_text(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "1" + "]" * depth
    if kind == "dict":
        return '{"a":' * depth + "1" + "}" * depth
    return '{"arrayValue":{"values":[' * depth + "1" + "]}}" * depth  # an OTLP AnyValue


def _positions(doc: Any) -> list[tuple[Any, Any]]:
    """(container, key or index) of every value below the root (iterative: seeds may get deep)."""
    out: list[tuple[Any, Any]] = []
    stack = [doc]
    while stack and len(out) < 2000:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in list(items):
            out.append((node, k))
            if isinstance(v, (dict, list)):
                stack.append(v)
    return out


def mutate_tree(data: st.DataObject, doc: Any) -> Any:
    """A few structural mutations of a JSON document (the root may be replaced too)."""
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(0, 4), label="mutations")):
        spots = _positions(doc)
        op = data.draw(st.sampled_from(["replace", "drop", "rename", "wrap", "duplicate", "deep", "root"]), label="op")
        if op == "root" or not spots:
            doc = data.draw(WEIRD_VALUE, label="root")
            continue
        parent, key = spots[data.draw(st.integers(0, len(spots) - 1), label="spot")]
        if op == "replace":
            parent[key] = data.draw(WEIRD_VALUE, label="value")
        elif op == "drop":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            parent[data.draw(WEIRD_TEXT, label="key")] = parent.pop(key)
        elif op == "wrap":
            parent[key] = data.draw(st.sampled_from([[parent[key]], {"value": parent[key]}]), label="wrap")
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "deep":
            depth = data.draw(st.sampled_from([50, 900, 990, 1500, 3000]), label="depth")
            kind = data.draw(st.sampled_from(["list", "dict", "anyvalue"]), label="deep kind")
            parent[key] = DEEP.format(depth, kind)
    return doc


def dump_json(data: st.DataObject, doc: Any, lines: bool) -> str:
    """JSON text of the document (one document, or one line per item), deep placeholders expanded."""
    ascii_only = data.draw(st.booleans(), label="ascii")
    if lines and isinstance(doc, list):
        text = "".join(json.dumps(d, allow_nan=True, ensure_ascii=ascii_only) + "\n" for d in doc)
    else:
        text = json.dumps(doc, allow_nan=True, ensure_ascii=ascii_only)
    text = text.replace('"__lk_bignum__"', "9" * 5000)
    for depth in (50, 900, 990, 1500, 3000):
        for kind in ("list", "dict", "anyvalue"):
            mark = '"' + DEEP.format(depth, kind) + '"'
            if mark in text:
                text = text.replace(mark, _deep_text(depth, kind))
    return text


def finish_bytes(data: st.DataObject, raw: bytes) -> bytes:
    """Byte-level damage after serialising: truncation, a flipped byte, a BOM, trailing garbage."""
    op = data.draw(st.sampled_from(["none"] * 10 + ["truncate", "flip", "bom", "garbage", "nul"]), label="bytes")
    if op == "truncate" and raw:
        return raw[: data.draw(st.integers(0, len(raw) - 1), label="cut")]
    if op == "flip" and raw:
        i = data.draw(st.integers(0, len(raw) - 1), label="at")
        return raw[:i] + bytes([raw[i] ^ data.draw(st.integers(1, 255), label="xor")]) + raw[i + 1 :]
    if op == "bom":
        return b"\xef\xbb\xbf" + raw
    if op == "garbage":
        return raw + data.draw(st.binary(min_size=1, max_size=40), label="tail")
    if op == "nul" and raw:
        i = data.draw(st.integers(0, len(raw) - 1), label="at")
        return raw[:i] + b"\x00" + raw[i:]
    return raw


def encode_text(data: st.DataObject, text: str) -> bytes:
    enc = data.draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "utf-16", "utf-16-le", "latin-1"]), label="enc")
    return text.encode(enc, errors="replace")


def csv_file(data: st.DataObject) -> tuple[str, bytes]:
    table = data.draw(st.sampled_from(sorted(CSV_SEEDS)), label="table")
    header, rows = copy.deepcopy(CSV_SEEDS[table])
    grid = [list(header)] + [list(r) for r in rows]
    for _ in range(data.draw(st.integers(0, 4), label="mutations")):
        op = data.draw(
            st.sampled_from(["cell"] * 6 + ["drop_col", "dup_header", "rename", "drop_row", "dup_row", "ragged"]),
            label="op",
        )
        header_op = op in ("drop_col", "dup_header", "rename")
        r = data.draw(st.integers(0 if header_op or len(grid) == 1 else 1, len(grid) - 1), label="row")
        width = max(len(grid[r]), 1)
        c = data.draw(st.integers(0, width - 1), label="col")
        if op == "cell" and grid[r]:
            grid[r][c % len(grid[r])] = data.draw(WEIRD_TEXT, label="text")
        elif op == "drop_col":
            grid = [[v for i, v in enumerate(row) if i != c] for row in grid]
        elif op == "dup_header" and len(grid[0]) > 1:
            grid[0][c % len(grid[0])] = grid[0][(c + 1) % len(grid[0])]
        elif op == "rename" and grid[0]:
            grid[0][c % len(grid[0])] = data.draw(WEIRD_TEXT, label="name")
        elif op == "drop_row" and len(grid) > 1:
            del grid[r]
        elif op == "dup_row":
            grid.insert(r, list(grid[r]))
        elif op == "ragged":
            grid[r] = grid[r] + [data.draw(WEIRD_TEXT, label="extra")]
    buf = io.StringIO()
    quote_all = data.draw(st.booleans(), label="quote all")
    ends = data.draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]), label="ends")
    writer = csv.writer(
        buf, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n" if ends == "mixed" else ends
    )
    for row in grid:
        writer.writerow(row)
    text = buf.getvalue()
    if ends == "mixed":
        lines = text.split("\n")
        text = "".join(line + ("\n", "\r\n", "\r")[i % 3] for i, line in enumerate(lines[:-1]))
    return f"{table}_fuzz.csv", finish_bytes(data, encode_text(data, text))


PARQUET_COLUMNS: dict[str, Callable[[int], Any]] = {
    "text": lambda n: pa.array([f"t{i}" for i in range(n)]),
    "weird": lambda n: pa.array(["infinity", "", "2026-03-02T10:00:00+25:00", "🙂", None][:n] + [None] * max(0, n - 5)),
    "int": lambda n: pa.array([2**63 - 1, -1, 0][:n] + [7] * max(0, n - 3), pa.int64()),
    "float": lambda n: pa.array([float("nan"), float("inf"), -0.0][:n] + [1.5] * max(0, n - 3)),
    "bool": lambda n: pa.array([True, False, None][:n] + [True] * max(0, n - 3)),
    "ts": lambda n: pa.array(
        [0, 253402214400000000, 1772445600000000][:n] + [None] * max(0, n - 3), pa.timestamp("us")
    ),
    "ts_tz": lambda n: pa.array([1772445600000000] * n, pa.timestamp("us", tz="UTC")),
    "date": lambda n: pa.array([0, 2932896, 20514][:n] + [None] * max(0, n - 3), pa.date32()),
    "list": lambda n: pa.array([[1, 2], [], None][:n] + [[3]] * max(0, n - 3)),
    "struct": lambda n: pa.array([{"a": 1}] * n),
    "binary": lambda n: pa.array([b"\x00\xff"] * n),
    "null": lambda n: pa.nulls(n),
    "decimal": lambda n: pa.array([1] * n, pa.decimal128(38, 2)),
}


def _mutate_columns(data: st.DataObject, cols: dict[str, Any], n: int) -> dict[str, Any]:
    """Columns with up to four of their types changed, dropped, renamed or added to."""
    for _ in range(data.draw(st.integers(0, 4), label="mutations")):
        op = data.draw(st.sampled_from(["type", "type", "drop", "rename", "extra"]), label="op")
        name = data.draw(st.sampled_from(sorted(cols) or ["x"]), label="column")
        if op == "type":
            cols[name] = PARQUET_COLUMNS[data.draw(st.sampled_from(sorted(PARQUET_COLUMNS)), label="kind")](n)
        elif op == "drop":
            cols.pop(name, None)
        elif op == "rename" and name in cols:
            cols[data.draw(WEIRD_TEXT, label="name") or "_"] = cols.pop(name)
        elif op == "extra":
            cols[data.draw(WEIRD_TEXT, label="name") or "_"] = PARQUET_COLUMNS["text"](n)
    return cols


def parquet_file(data: st.DataObject) -> tuple[str, bytes]:
    table = data.draw(st.sampled_from(sorted(CSV_SEEDS)), label="table")
    header, rows = CSV_SEEDS[table]
    cols = _mutate_columns(data, {h: pa.array([r[i] for r in rows]) for i, h in enumerate(header)}, len(rows))
    buf = io.BytesIO()
    pq.write_table(pa.table(cols) if cols else pa.table({"x": pa.array([1])}), buf)
    raw = buf.getvalue()
    return f"{table}_fuzz.parquet", finish_bytes(data, raw) if data.draw(
        st.integers(0, 4), label="damage?"
    ) == 0 else raw


def phoenix_evaluations_file(data: st.DataObject) -> tuple[str, bytes]:
    """A saved Phoenix evaluations file (tests/test_span_evaluations.py writes a clean one), its columns and
    its `arize` metadata mutated."""
    cols = {
        "context.span_id": pa.array(["e0e0e0e0e0e00002", "s-2", None]),
        "score": pa.array([1.0, float("nan"), 0.0]),
        "label": pa.array(["correct", None, "incorrect"]),
        "explanation": pa.array(["ok", "", None]),
    }
    cols = _mutate_columns(data, cols, 3)
    meta = {
        "eval_id": data.draw(st.sampled_from(["5f0c6c2e-8d3a-4f43-9a57-0b8f1a7e2d11", "", None]), label="id"),
        "eval_name": data.draw(st.one_of(st.just("correctness"), WEIRD_TEXT, st.integers()), label="name"),
        "eval_type": data.draw(
            st.sampled_from(["SpanEvaluations", "TraceEvaluations", "DocumentEvaluations", "Other", None]), label="type"
        ),
    }
    raw_meta = json.dumps(meta).encode() if data.draw(st.integers(0, 5), label="bad meta?") else b"{not json"
    table = pa.table(cols) if cols else pa.table({"x": pa.array([1])})
    buf = io.BytesIO()
    pq.write_table(table.replace_schema_metadata({b"arize": raw_meta}), buf)
    return "evaluations-fuzz.parquet", buf.getvalue()


def jsonl_file(data: st.DataObject) -> tuple[str, bytes]:
    doc = mutate_tree(data, JSONL_SEED)
    text = dump_json(data, doc if isinstance(doc, list) else [doc], lines=True)
    return "tool_calls_fuzz.jsonl", finish_bytes(data, encode_text(data, text))


def json_file(data: st.DataObject, fmt: str) -> tuple[str, bytes]:
    doc = mutate_tree(data, JSON_SEEDS[fmt]())
    lines = fmt in ("otlp", "otel-js", "phoenix") and data.draw(st.booleans(), label="lines")
    return f"{fmt}_fuzz.json", finish_bytes(data, encode_text(data, dump_json(data, doc, lines)))


def hostile_file(data: st.DataObject, fmt: str) -> tuple[str, bytes]:
    """A mutant of the format's seed (mostly), or random bytes with the format's name."""
    if data.draw(st.integers(0, 9), label="random?") == 0:
        ext = {"csv": ".csv", "parquet": ".parquet", "phoenix-evaluations": ".parquet", "jsonl": ".jsonl"}.get(
            fmt, ".json"
        )
        return f"turns_fuzz{ext}", data.draw(st.binary(min_size=1, max_size=600), label="bytes")
    kind = SEEDS[fmt]
    if kind == "csv":
        return csv_file(data)
    if kind == "parquet":
        return parquet_file(data)
    if kind == "phoenix-parquet":
        return phoenix_evaluations_file(data)
    if kind == "jsonl":
        return jsonl_file(data)
    return json_file(data, fmt)


def place(tmp: Path, data: st.DataObject, name: str, raw: bytes) -> Path:
    """Write the file, sometimes gzip-compressed, sometimes under a name with glob characters."""
    if data.draw(st.integers(0, 7), label="gzip?") == 0:
        raw, name = gzip.compress(raw), name + ".gz"
    if data.draw(st.integers(0, 7), label="glob name?") == 0:
        stem, _, ext = name.partition(".")
        name = f"{stem} [1]*?.{ext}"
    path = tmp / name
    path.write_bytes(raw or b"\n")
    return path


# ---------------------------------------------------------------------------------------------
# Parser level

STATS: Counter[str] = Counter()


def light_stage(con: duckdb.DuckDBPyConnection, mapped: Any, fmt: str) -> Staged:
    """The trace readers' staging without DuckDB: every value must serialise, and the counts add up."""
    for rows in (mapped.turns, mapped.tool_calls, mapped.feedback):
        for r in rows:
            json.dumps(r, default=str)
    total = len(mapped.turns) + len(mapped.tool_calls) + len(mapped.feedback) + mapped.ignored + len(mapped.pre_rejects)
    assert mapped.records == total, "a trace reader's counts do not add up"
    return Staged(tables={}, ignored=mapped.ignored, pre_rejects=list(mapped.pre_rejects), notes=list(mapped.notes))


@pytest.fixture(scope="module")
def parse_env(tmp_path_factory):
    from launchkit.ingest.traces import readers

    wh = Warehouse.memory()
    mp = pytest.MonkeyPatch()
    if hasattr(readers, "stage"):
        mp.setattr(readers, "stage", light_stage)
    yield wh, load_config(env={}), tmp_path_factory.mktemp("fuzz")
    mp.undo()
    wh.close()


def parse_case(wh: Warehouse, config: Any, path: Path, fmt: str) -> str:
    """Stage the file as the loader does and type it with the contract; the outcome's name."""
    con = wh.con
    table = TABLES.get(path.name.split("_fuzz")[0]) if formats.is_tabular(fmt) else None
    if formats.is_tabular(fmt) and table is None:
        table = TABLES["turns"]
    # as the loader does: a CSV file mixing line ends is read with them made one kind
    normalize = fmt == "csv" and load.mixed_line_ends(path, scan_bytes(path))
    con.execute("BEGIN TRANSACTION")
    try:
        with load.staged_file(
            con, path, fmt, table.name if table else None, config, normalize_line_ends=normalize
        ) as staged:
            if table is not None:
                tv, _ = typed_sql(con, table, "_src")
                try:
                    con.execute(f"SELECT count(*), count(_code) FROM {tv}").fetchall()
                except duckdb.Error as exc:  # the loader fails the file: clean, but a row reject was due
                    if STRICT:
                        raise AssertionError(f"typing failed the whole file: {exc}") from exc
                    return "typing failure"
            return "staged" if staged.tables or staged.ignored or staged.pre_rejects else "staged (empty)"
    except InputFileError as exc:
        assert "\n" not in exc.reason and exc.reason, repr(exc.reason)
        cause = exc.__cause__
        if cause is not None and not isinstance(cause, (duckdb.Error, InputFileError)):
            if STRICT:
                raise AssertionError(f"the boundary caught {type(cause).__name__}: {cause}") from cause
            return f"failed ({type(cause).__name__} caught at the boundary)"
        return "failed"
    except load.LineTooLong:
        return "line too long (read again)"
    finally:
        con.execute("ROLLBACK")


PARSE_CASES = {
    "csv": 1000,
    "parquet": 800,
    "jsonl": 1000,
    "langsmith": 200,
    "datadog-llmobs": 200,
}  # the last two: refused by name
PARSE_DEFAULT = 1200  # each trace format, and a format added to the table: 10^4 in all


@pytest.mark.slow
@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_parser_level_fuzz(fmt, parse_env):
    wh, config, tmp = parse_env
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=int(PARSE_CASES.get(fmt, PARSE_DEFAULT) * SCALE),
        deadline=timedelta(seconds=5),
        suppress_health_check=list(HealthCheck),
        derandomize=DERANDOMIZE,
    )
    @given(data=st.data())
    def case(data):
        name, raw = hostile_file(data, fmt)
        folder = tmp / "p"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        path = place(folder, data, name, raw)
        outcomes[parse_case(wh, config, path, fmt)] += 1

    case()
    STATS.update({f"parse {fmt}": sum(outcomes.values())})
    print(f"\nparser-level fuzz {fmt}: {sum(outcomes.values())} cases: {dict(outcomes)}")
    assert sum(outcomes.values()) >= 0.9 * int(PARSE_CASES.get(fmt, PARSE_DEFAULT) * SCALE)


# ---------------------------------------------------------------------------------------------
# Whole load

LOAD_CASES = 35  # per format: about 300 in all


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = list(TABLES) + ["rejects"]
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in names}


def manifest_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("SELECT * EXCLUDE (loaded_at) FROM loads ORDER BY load_id").fetchall()


@pytest.fixture(scope="module")
def load_env(tmp_path_factory):
    """A warehouse that already holds the seeds, so mutants also update and duplicate stored rows."""
    tmp = tmp_path_factory.mktemp("fuzzload")
    wh = Warehouse.memory()
    config = load_config(env={})
    for table, (header, rows) in CSV_SEEDS.items():
        buf = io.StringIO()
        csv.writer(buf).writerows([header, *rows])
        (tmp / f"{table}_seed.csv").write_text(buf.getvalue())
        load.load_file(wh, tmp / f"{table}_seed.csv", config=config)
    shutil.copy(FIXTURES / "two_traces.json", tmp / "seed.json")
    load.load_file(wh, tmp / "seed.json", config=config)
    yield wh, config, tmp
    wh.close()


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_whole_load_fuzz(fmt, load_env):
    wh, config, tmp = load_env
    con = wh.con
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=int(LOAD_CASES * SCALE),
        deadline=timedelta(seconds=20),
        suppress_health_check=list(HealthCheck),
        derandomize=DERANDOMIZE,
    )
    @given(data=st.data())
    def case(data):
        name, raw = hostile_file(data, fmt)
        folder = tmp / "l"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        path = place(folder, data, name, raw)
        given_fmt = fmt if formats.is_tabular(fmt) or data.draw(st.booleans(), label="say format") else None
        before, before_loads = table_counts(con), manifest_rows(con)
        results = load.load_file(wh, path, config=config, fmt=given_fmt)  # never raises
        after, after_loads = table_counts(con), manifest_rows(con)
        assert results and all(r.reconciles() for r in results)
        assert after_loads[: len(before_loads)] == before_loads  # the manifest only grows
        added = after_loads[len(before_loads) :]
        failed = [r for r in results if not r.ok]
        if failed:
            [r] = results
            assert "internal error" not in str(r.error) and "do not reconcile" not in str(r.error), r.error
            assert "\n" not in str(r.error) and str(r.error)
            assert after == before, "a failed file changed the warehouse"
            assert len(added) <= 1 and all(row[5] == "failed" for row in added)
            outcomes["failed"] += 1
            return
        if all(r.skipped for r in results):
            assert after == before and not added
            outcomes["skipped"] += 1
            return
        assert [row[0] for row in added] == [r.load_id for r in results]
        assert all(row[5] == "loaded" for row in added)
        grew = {t: after[t] - before[t] for t in after}
        assert grew["rejects"] == sum(r.rejected for r in results)
        for t in TABLES:
            assert grew[t] == sum(r.loaded for r in results if r.table == t), (t, grew, results)
        outcomes["loaded"] += 1

    case()
    print(f"\nwhole-load fuzz {fmt}: {sum(outcomes.values())} cases: {dict(outcomes)}")
    assert sum(outcomes.values()) >= 0.9 * int(LOAD_CASES * SCALE)
