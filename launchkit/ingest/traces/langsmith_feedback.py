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

from collections.abc import Mapping
from typing import Any

from launchkit.ingest.traces.langfuse import iso_or_raw
from launchkit.ingest.traces.scores import THUMBS, from_user, score_format
from launchkit.ingest.traces.spans import Mapped

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


FORMAT = score_format(
    "langsmith-feedback",
    "a LangSmith feedback export",
    key="feedback",
    is_item=is_feedback,
    not_item="not a LangSmith feedback record (key, run_id)",
    record=_record,
    head=lambda head: '"feedback_source"' in head and '"key"' in head and '"run_type"' not in head,
)
