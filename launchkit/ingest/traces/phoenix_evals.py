"""Phoenix evaluations saved as files (`SpanEvaluations.save()`) -> LLM-judge evaluation rows.

Shape (arize-phoenix `phoenix/trace/span_evaluations.py`): `Evaluations.save()` writes
`evaluations-<id>.parquet` with `pyarrow.Table.from_pandas(dataframe)`: one row per judged span, the
index `context.span_id` (alias `span_id`; `context.trace_id` / `trace_id` for `TraceEvaluations`;
`DocumentEvaluations` adds `document_position`) stored as a column, and result columns among `score`
(number), `label` and `explanation` (text). The evaluation's name is not a column: the file's
key-value metadata holds, under the key `arize`, the JSON `{"eval_id", "eval_name", "eval_type"}`
(`eval_type` the class name). That key is what tells such a file from a contract `evaluations_*.parquet`.

Phoenix's evaluations are a model's judgements (`llm_classify`): source `llm_judge`. The file holds no
time and no session: a span's row takes both from its loaded turn (turn ids are span ids), a trace's
from the session named by its trace id (the session of a trace whose spans named none); a row whose
span or trace is not loaded yet is rejected with that reason (load the traces first: a folder's
evaluation files load after its other files). Document evaluations judge retrieved documents, not an
answer: their rows are ignored and counted. Each row is a record.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb

from launchkit.config import Config
from launchkit.errors import InputFileError
from launchkit.ingest.traces.spans import Mapped, TraceFormat, ns_to_iso, raw_json
from launchkit.store.warehouse import execute

METADATA_KEY = "arize"  # the Parquet key-value metadata key Phoenix writes
# eval_type -> (the index columns naming what is judged, the query finding it among the loaded rows)
SCOPES: dict[str, tuple[tuple[str, ...], str]] = {
    "SpanEvaluations": (("context.span_id", "span_id"), "ingest/judged_turns"),
    "TraceEvaluations": (("context.trace_id", "trace_id"), "ingest/judged_sessions"),
}
DOCUMENTS = "DocumentEvaluations"
NOT_LOADED = {
    "SpanEvaluations": "the span judged is not a loaded turn (load its traces first: the row takes its turn's "
    "session and time)",
    "TraceEvaluations": "the trace judged is not a loaded session (a trace is found as the session its id names: "
    "load its traces first)",
}


def file_metadata(path: Path) -> dict[str, Any] | None:
    """The `arize` metadata of a Parquet file (eval_id, eval_name, eval_type), else None. Never raises."""
    try:
        from pyarrow import parquet

        meta = parquet.read_schema(path).metadata or {}
        found = json.loads(meta[METADATA_KEY.encode()]) if METADATA_KEY.encode() in meta else None
    except Exception:
        return None
    return found if isinstance(found, dict) else None


def _number(value: Any) -> Any:
    """A score as read, with NaN (pandas' missing) as missing."""
    return None if isinstance(value, float) and math.isnan(value) else value


def map_evaluations(path: Path, config: Config, con: duckdb.DuckDBPyConnection) -> Mapped:
    """Map a saved Phoenix evaluations file to raw evaluation rows, found through the loaded turns or sessions."""
    meta = file_metadata(path)
    if meta is None:
        raise InputFileError(str(path), "not a Phoenix evaluations file (no readable 'arize' Parquet metadata)")
    kind, name = str(meta.get("eval_type")), meta.get("eval_name")
    from pyarrow import parquet

    rows = parquet.read_table(path).to_pylist()
    out = Mapped()
    if kind == DOCUMENTS:
        for _ in rows:
            out.records += 1
            out.ignore("document evaluation (retrieved documents' relevance, not an answer)")
        return out
    if kind not in SCOPES:
        raise InputFileError(str(path), f"Phoenix evaluations of an unknown type ({kind[:40]}): not read")
    columns, query = SCOPES[kind]
    key = next((c for c in columns if rows and c in rows[0]), columns[0])
    ids = sorted({str(r[key]) for r in rows if r.get(key) is not None})
    found = {str(j): (s, t) for j, s, t in execute(con, query, {"ids": ids}).fetchall()} if ids else {}
    eval_id = meta.get("eval_id") or name
    for row, r in enumerate(rows, start=1):
        out.records += 1
        judged = r.get(key)
        hit = None if judged is None else found.get(str(judged))
        if hit is None:
            why = f"no {key}" if judged is None else NOT_LOADED[kind]
            out.pre_rejects.append((row, None, why, raw_json(r)))
            continue
        session_id, at_ns = hit
        out.evaluations.append(
            {
                "_row": row,
                "evaluation_id": f"{eval_id}/{judged}",
                "session_id": session_id,
                "turn_id": str(judged) if kind == "SpanEvaluations" else None,
                "name": name,
                "source": "llm_judge",
                "value": _number(r.get("score")),
                "label": r.get("label"),
                "judge_model": None,
                "evaluated_at": None if at_ns is None else ns_to_iso(int(at_ns)),
                "comment": r.get("explanation") or None,
            }
        )
    return out


FORMAT = TraceFormat("phoenix-evaluations", "Phoenix span evaluations", mapped=map_evaluations, reads_warehouse=True)
