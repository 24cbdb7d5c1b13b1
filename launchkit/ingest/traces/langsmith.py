"""LangSmith run exports: each run a span, read as turns and tool calls through the alias table.

Shapes read (langchain-ai/langsmith-sdk `python/langsmith/schemas.py`, `Run` / `RunBase`): runs as the
client's `list_runs` gives them dumped as JSON (a list, one per line, or `{"runs": [...]}`), and the
batch-ingest payload `{"post": [run ...], "patch": [run ...]}` (a patch completes the run of the same id
posted in the same document: end time, outputs, error). A run: `id`, `name`, `run_type` (llm, tool,
chain, retriever, embedding, prompt, parser), `start_time` / `end_time` (ISO, no offset: UTC; the JS
client's epoch milliseconds), `trace_id`, `parent_run_id`, `dotted_order`, `inputs`, `outputs`,
`error` (a message), `extra` (`metadata`, `invocation_params`), `prompt_tokens` / `completion_tokens`,
`prompt_token_details`, `total_cost`, `session_id` (the project).

A run's fields are flattened to dotted keys under `run.` (`run.extra.metadata.ls_model_name`,
`run.outputs.usage_metadata.input_tokens`), which the alias table (launchkit.ingest.traces.semconv)
reads like any span's attributes. A trace is a session unless the run names a thread
(`extra.metadata.thread_id` / `session_id` / `conversation_id`); the run's own `session_id` is a
project and is not read as one. A failed run keeps only the short error type its message names
(`ValueError`, a 429), never the message. Run ids stay as written (UUIDs), so LangSmith feedback on a
run finds its turn.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.spans import Span, TraceFormat, epoch_or_iso_ns, flatten, loose_id, read_records

_PREFIX = "run"
_RUN_LIKE = ("dotted_order", "trace_id", "inputs", "parent_run_id")


def looks_like_run(rec: Any) -> bool:
    """A LangSmith run: a run_type, and a dotted order, trace id, inputs or parent run id."""
    return isinstance(rec, Mapping) and "run_type" in rec and any(k in rec for k in _RUN_LIKE)


def looks_like_export(doc: Any) -> bool:
    """A list of runs, `{"runs": [...]}`, or a batch-ingest payload `{"post": [...], "patch": [...]}`."""
    if isinstance(doc, Mapping):
        doc = doc.get("runs", doc.get("post", doc))
    items = doc if isinstance(doc, list) else [doc]
    return bool(items) and all(looks_like_run(r) for r in items[:3])


def _records(doc: Any) -> Iterator[Any]:
    """The runs of a document; a batch payload's patches merged into the posts of the same id."""
    if isinstance(doc, Mapping) and isinstance(doc.get("runs"), list):
        yield from doc["runs"]
        return
    if isinstance(doc, Mapping) and ("post" in doc or "patch" in doc):
        posts: list[Any] = [dict(r) if isinstance(r, Mapping) else r for r in doc.get("post") or ()]
        by_id: dict[Any, dict[str, Any]] = {
            r["id"]: r for r in posts if isinstance(r, dict) and r.get("id") is not None
        }
        rest = []
        for patch in doc.get("patch") or ():
            run = by_id.get(patch.get("id")) if isinstance(patch, Mapping) else None
            if run is None:
                rest.append(patch)  # a patch of a run not in this document: read as it is
            else:
                run.update({k: v for k, v in patch.items() if v is not None})
        yield from posts
        yield from rest
        return
    yield from doc if isinstance(doc, list) else [doc]


def _segments(dotted: Any) -> list[str]:
    """The run ids of a dotted order (`<time>Z<uuid>.<time>Z<uuid>...`), root first."""
    if not isinstance(dotted, str):
        return []
    return [part.partition("Z")[2] for part in dotted.split(".") if "Z" in part]


def _span(row: int, rec: Any) -> Span | str:
    if not isinstance(rec, Mapping) or ("run_type" not in rec and "id" not in rec):
        return "not a LangSmith run (no run_type or id)"
    path = _segments(rec.get("dotted_order"))
    run_id = loose_id(rec.get("id") or (path[-1] if path else None), 8)
    trace_id = loose_id(
        rec.get("trace_id") or (path[0] if path else None) or (None if rec.get("parent_run_id") else run_id), 16
    )
    parent = rec.get("parent_run_id") or (path[-2] if len(path) > 1 else None)
    start, raw_start = epoch_or_iso_ns(rec.get("start_time"))
    end, _ = epoch_or_iso_ns(rec.get("end_time"))
    attrs: dict[str, Any] = {}
    flatten(_PREFIX, {k: v for k, v in rec.items() if k != "session_id"}, attrs)  # session_id: the project
    if str(rec.get("run_type", "")).strip().lower() == "tool" and rec.get("name"):
        attrs[semconv.ALIASES["tool_name"][0]] = rec["name"]
    error = rec.get("error")
    failed = error is not None and error != ""
    status = rec.get("status")
    return Span(
        row=row,
        trace_id=trace_id,
        span_id=run_id,
        parent_id=loose_id(parent, 8),
        name=str(rec.get("name") or ""),
        start_ns=start,
        end_ns=end,
        status="error" if failed or status == "error" else "ok" if end is not None else "unset",
        status_message=str(error) if failed else None,
        attributes=attrs,
        raw_start=raw_start,
    )


def parse_langsmith(path: Path, notes: list[str] | None = None) -> Iterator[Span]:
    """Spans of a LangSmith run export (see the module docstring for the shapes)."""
    return read_records(path, _records, _span, "not a LangSmith run export: no run with a run_type")


FORMAT = TraceFormat(
    "langsmith",
    "a LangSmith run export",
    parse=parse_langsmith,
    head=lambda head: '"run_type"' in head and any(f'"{k}"' in head for k in _RUN_LIKE),
    record=looks_like_run,
    document=looks_like_export,
)
