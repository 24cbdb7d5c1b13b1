"""Phoenix span annotations -> evaluations (an LLM's, a program's or an annotator's) and feedback (a user's).

Accepted shapes: a page of the REST API, `{"data": [annotation, ...], "next_cursor": ...}` (GET
/v1/projects/{project}/span_annotations), a list of annotations, or one per line (JSON Lines). An annotation
is `{"id", "span_id", "name", "annotator_kind", "result": {"label", "score", "explanation"}, "metadata",
"created_at", "updated_at"}`; the client's flat form (label / score / explanation at the top, `spanId`,
`annotatorKind`) reads the same. Who gave it decides its table: `LLM` -> an evaluation by llm_judge, `CODE`
-> by code; `HUMAN` is an end user's feedback when its name or label says so (launchkit.ingest.traces.scores),
else an annotator's evaluation (human). Other kinds are ignored and counted. The span annotated is the turn
(launchkit's turn ids are span ids); an annotation names no session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from launchkit.ingest.traces.langfuse import iso_or_raw
from launchkit.ingest.traces.scores import THUMBS, from_user, score_format
from launchkit.ingest.traces.spans import Mapped

JUDGES = {"LLM": "llm_judge", "CODE": "code", "HUMAN": "human"}


def _get(item: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if item.get(k) is not None:
            return item[k]
    return None


def is_annotation(item: Any) -> bool:
    """A span annotation: a span id, a name and an annotator kind."""
    return (
        isinstance(item, Mapping)
        and _get(item, "span_id", "spanId") is not None
        and "name" in item
        and _get(item, "annotator_kind", "annotatorKind") is not None
    )


def _annotation(out: Mapped, row: int, a: Mapping[str, Any], zone: str) -> None:
    kind = str(_get(a, "annotator_kind", "annotatorKind")).upper()
    if kind not in JUDGES:
        out.ignore(f"annotation ({kind})")
        return
    inner = a.get("result")
    result: Mapping[str, Any] = inner if isinstance(inner, Mapping) else a
    label, score, why = result.get("label"), result.get("score"), result.get("explanation")
    at = iso_or_raw(_get(a, "updated_at", "created_at", "updatedAt", "createdAt"), zone)
    aid = a.get("id")
    span = str(_get(a, "span_id", "spanId"))
    if kind == "HUMAN" and from_user(a.get("name"), label):
        thumb = THUMBS.get(str(label or "").strip().lower())
        out.feedback.append(
            {
                "_row": row,
                "feedback_id": None if aid is None else str(aid),
                "session_id": None,
                "user_id": None if a.get("user_id") is None else str(a["user_id"]),
                "submitted_at": at,
                "rating": None if thumb is not None or label is not None else score,
                "thumbs": thumb if thumb is not None else label,
                "comment": why or None,
            }
        )
        return
    meta = a.get("metadata")
    model = meta.get("model") if isinstance(meta, Mapping) else None
    out.evaluations.append(
        {
            "_row": row,
            "evaluation_id": None if aid is None else str(aid),
            "session_id": None,
            "turn_id": span,
            "name": a.get("name"),
            "source": JUDGES[kind],
            "value": score,
            "label": label,
            "judge_model": None if model is None else str(model),
            "evaluated_at": at,
            "comment": why or None,
        }
    )


FORMAT = score_format(
    "phoenix-annotations",
    "Phoenix span annotations",
    key="data",
    is_item=is_annotation,
    not_item="not a span annotation (span_id, name, annotator_kind)",
    record=_annotation,
    head=lambda head: ('"annotator_kind"' in head or '"annotatorKind"' in head) and '"span_kind"' not in head,
)
