"""LangSmith feedback exports -> evaluations (a model's, the team's code's, an annotator's) and feedback (a user's).

Accepted shapes: a list of feedback records (`Client.list_feedback()` dumped as JSON), `{"feedback": [...]}`,
or one per line (JSON Lines). A record is LangSmith's feedback data format: `id`, `run_id`, `trace_id`, `key`,
`score` (a number or a boolean), `value` (a category, or a number), `comment`, `correction`,
`feedback_source: {type: model | api | app, metadata, user_id}`, `created_at`, `modified_at`. Who gave it decides
its table: `model` (an evaluator, online or offline) -> an evaluation by llm_judge; `api` -> by code, and `app`
(a person in LangSmith's UI or an annotation queue) -> by human, except an end user's feedback sent the same
way (its key or value says so, launchkit.ingest.traces.scores), which is feedback: a thumb value, or a score of
1 / 0, is thumbs up / down, another score a rating. The run judged is the turn; LangSmith's `session_id` is a
project, not a conversation, so no session is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.config import Config
from launchkit.errors import InputFileError
from launchkit.ingest.traces.langfuse import iso_or_raw
from launchkit.ingest.traces.scores import THUMBS, from_user
from launchkit.ingest.traces.spans import Mapped, TraceFormat, raw_json

JUDGES = {"model": "llm_judge", "api": "code", "app": "human"}


def is_feedback(item: Any) -> bool:
    """A LangSmith feedback record: a key, a run or trace id, and a feedback source or a score."""
    return (
        isinstance(item, Mapping)
        and isinstance(item.get("key"), str)
        and ("run_id" in item or "trace_id" in item)
        and ("feedback_source" in item or "score" in item)
        and "run_type" not in item
    )


def looks_like_export(doc: Any) -> bool:
    if isinstance(doc, Mapping) and isinstance(doc.get("feedback"), list):
        doc = doc["feedback"]
    if isinstance(doc, list):
        return bool(doc) and all(is_feedback(d) for d in doc[:5])
    return is_feedback(doc)


def _items(text: str, path: Path) -> Iterator[Any]:
    try:
        docs = [json.loads(text)]
    except json.JSONDecodeError:
        try:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise InputFileError(str(path), f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    for doc in docs:
        if isinstance(doc, Mapping) and isinstance(doc.get("feedback"), list):
            yield from doc["feedback"]
        elif isinstance(doc, list):
            yield from doc
        else:
            yield doc


def parse_export(path: Path, config: Config) -> Mapped:
    """Map a LangSmith feedback export to raw evaluation and feedback rows."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(str(path), "not UTF-8 text") from None
    out = Mapped()
    for row, item in enumerate(_items(text, Path(path)), start=1):
        out.records += 1
        if not is_feedback(item):
            out.pre_rejects.append((row, None, "not a LangSmith feedback record (key, run_id)", raw_json(item)))
            continue
        _record(out, row, item, config.timezone)
    return out


def _record(out: Mapped, row: int, f: Mapping[str, Any], zone: str) -> None:
    src = f.get("feedback_source")
    kind = str((src.get("type") if isinstance(src, Mapping) else None) or "api").lower()
    if kind not in JUDGES:
        out.ignore(f"feedback ({kind})")
        return
    score, value = f.get("score"), f.get("value")
    if isinstance(score, bool):
        score = int(score)
    label = value if isinstance(value, str) else None
    if score is None and isinstance(value, (int, float)) and not isinstance(value, bool):
        score = value
    fid = None if f.get("id") is None else str(f["id"])
    at = iso_or_raw(f.get("created_at") or f.get("modified_at"), zone)
    if kind != "model" and from_user(f.get("key"), label):
        thumb = THUMBS.get(str(label or "").strip().lower())
        if thumb is None and label is None and score in (0, 1):
            thumb = "up" if score == 1 else "down"
        user = src.get("user_id") if isinstance(src, Mapping) else None
        out.feedback.append(
            {
                "_row": row,
                "feedback_id": fid,
                "session_id": None,
                "user_id": None if user is None else str(user),
                "submitted_at": at,
                "rating": score if thumb is None and label is None else None,
                "thumbs": thumb if thumb is not None else label,
                "comment": f.get("comment") or None,
            }
        )
        return
    meta = src.get("metadata") if isinstance(src, Mapping) else None
    model = meta.get("model") if isinstance(meta, Mapping) else None
    run = f.get("run_id") or f.get("trace_id")
    out.evaluations.append(
        {
            "_row": row,
            "evaluation_id": fid,
            "session_id": None,
            "turn_id": None if run is None else str(run),
            "name": f.get("key"),
            "source": JUDGES[kind],
            "value": score,
            "label": label,
            "judge_model": None if model is None else str(model),
            "evaluated_at": at,
            "comment": f.get("comment") or None,
        }
    )


FORMAT = TraceFormat(
    "langsmith-feedback",
    "a LangSmith feedback export",
    mapped=parse_export,
    head=lambda head: '"feedback_source"' in head and '"key"' in head and '"run_type"' not in head,
    document=looks_like_export,
)
