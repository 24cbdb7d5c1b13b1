"""Evaluation results carried on spans (OpenInference annotations and evaluations, the GenAI evaluation event) -> evaluation rows.

Shapes read (Arize-ai/openinference `spec/annotations.md`, `spec/semantic_conventions.md`, the semconv
package's `EvaluationAttributes` / `AnnotationAttributes`): a span describes its own judgements as
flattened lists, `evaluations.<i>.evaluation.<field>` or `annotations.<i>.annotation.<field>` (fields
`name`, `score`, `label`, `explanation`, `annotator_kind` HUMAN / LLM / CODE, `identifier`, `metadata`
as a JSON string); `trace.` and `session.` prefixed lists judge the span's trace or session; a list of
objects under the unflattened key (`"evaluations": [{"evaluation.name": ...}]`) reads the same. The
OpenTelemetry GenAI event `gen_ai.evaluation.result` (`gen_ai.evaluation.name`,
`gen_ai.evaluation.score.value`, `gen_ai.evaluation.score.label`, `gen_ai.evaluation.explanation`)
is one result on its span.

Who judged decides the row, as for Phoenix annotations (launchkit.ingest.traces.annotations): LLM ->
an evaluation by llm_judge, CODE -> by code, HUMAN -> an annotator's evaluation (human), or an end
user's feedback when its name or label says so; a result naming no judge (the GenAI event has no such
field) is counted as code's; another kind is ignored and counted. Each result is a record of its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.scores import THUMBS, from_user
from launchkit.ingest.traces.spans import Mapped, ns_to_iso

# prefix of a flattened list -> (the field prefix of its objects, what it judges)
_LISTS: dict[str, tuple[str, str]] = {
    "evaluations": ("evaluation", "span"),
    "annotations": ("annotation", "span"),
    "trace.evaluations": ("evaluation", "trace"),
    "trace.annotations": ("annotation", "trace"),
    "session.evaluations": ("evaluation", "session"),
    "session.annotations": ("annotation", "session"),
}
_FIELDS = ("name", "score", "label", "explanation", "annotator_kind", "identifier", "metadata")
EVENT = "gen_ai.evaluation.result"
_EVENT_FIELDS = {
    "name": "gen_ai.evaluation.name",
    "score": "gen_ai.evaluation.score.value",
    "label": "gen_ai.evaluation.score.label",
    "explanation": "gen_ai.evaluation.explanation",
}
JUDGES = {"LLM": "llm_judge", "CODE": "code", "HUMAN": "human"}
MAX_RESULTS = 100  # results read per list of one span

# One result: (scope span | trace | session, its key within the span, fields by name, time in ns or None)
Result = tuple[str, str, dict[str, Any], "int | None"]


def _objects(attrs: Mapping[str, Any], key: str, inner: str) -> list[dict[str, Any]]:
    """The objects of one list: flattened (`key.0.inner.name`) or as a list of objects under `key`."""
    listed = attrs.get(key)
    if isinstance(listed, list):
        out = []
        for obj in listed[:MAX_RESULTS]:
            if isinstance(obj, Mapping):
                nested = obj.get(inner)
                src = (
                    nested if isinstance(nested, Mapping) else {k.removeprefix(inner + "."): v for k, v in obj.items()}
                )
                out.append({f: src.get(f) for f in _FIELDS if src.get(f) is not None})
        return out
    found = []
    for i in range(MAX_RESULTS):
        base = f"{key}.{i}.{inner}."
        obj = {f: attrs[base + f] for f in _FIELDS if attrs.get(base + f) is not None}
        if not obj:
            break
        found.append(obj)
    return found


# the keys that say a span carries a result: each list's first object's name, or the unflattened list
_MARKS = frozenset([f"{key}.0.{inner}.name" for key, (inner, _) in _LISTS.items()] + list(_LISTS))


def carries(attrs: Mapping[str, Any], events: list[tuple[str, dict[str, Any], int | None]]) -> bool:
    """Whether a span carries any evaluation result (a cheap look, on every span: the marks above, event names)."""
    if not _MARKS.isdisjoint(attrs):
        return True
    return bool(events) and any(name == EVENT for name, _, _ in events)


def results(attrs: Mapping[str, Any], events: list[tuple[str, dict[str, Any], int | None]]) -> tuple[Result, ...]:
    """The evaluation results a span carries, in the order of the lists above, then its events."""
    out: list[Result] = []
    for key, (inner, scope) in _LISTS.items():
        for i, obj in enumerate(_objects(attrs, key, inner)):
            out.append((scope, f"{key}.{i}", obj, None))
    for n, (name, ev, at) in enumerate(events):
        if name == EVENT:
            obj = {f: ev[k] for f, k in _EVENT_FIELDS.items() if ev.get(k) is not None}
            out.append(("span", f"event.{n}", obj, at))
    return tuple(out)


def judge_model(metadata: Any) -> str | None:
    """The judge's model named in a result's metadata (a JSON object as text), else None."""
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return None
    if not isinstance(metadata, Mapping):
        return None
    model = metadata.get("model") or semconv.first("model", metadata)
    return None if model is None else str(model)


def add_rows(
    out: Mapped,
    row: int,
    span_id: str,
    found: tuple[Result, ...],
    *,
    session_id: str | None,
    turn_id: str | None,
    at_ns: int | None,
) -> None:
    """Each result of span `span_id` (record `row`) as an evaluation or feedback row, or ignored by its kind;
    each counts as a record. A span-scoped result names `turn_id` (the judged turn, else the span), a trace
    or session result only the session. Its time is its event's, else the span's end."""
    for scope, key, obj, t in found:
        out.records += 1
        kind = str(obj.get("annotator_kind") or "CODE").strip().upper()
        if kind not in JUDGES:
            out.ignore(f"evaluation ({kind})")
            continue
        name, label, score = _scalar(obj.get("name")), _scalar(obj.get("label")), _scalar(obj.get("score"))
        if isinstance(score, bool):
            score = int(score)
        ident = _scalar(obj.get("identifier"))
        eid = f"{span_id}/{name}/{ident}" if ident is not None else f"{span_id}/{key}"
        when = t if t is not None else at_ns
        at = None if when is None else ns_to_iso(when)
        why = _scalar(obj.get("explanation")) or None
        if kind == "HUMAN" and from_user(name, label):
            thumb = THUMBS.get(str(label or "").strip().lower())
            out.feedback.append(
                {
                    "_row": row,
                    "feedback_id": eid,
                    "session_id": session_id,
                    "user_id": None,
                    "submitted_at": at,
                    "rating": None if thumb is not None or label is not None else score,
                    "thumbs": thumb if thumb is not None else label,
                    "comment": why,
                }
            )
            continue
        out.evaluations.append(
            {
                "_row": row,
                "evaluation_id": eid,
                "session_id": session_id,
                "turn_id": turn_id if scope == "span" else None,
                "name": name,
                "source": JUDGES[kind],
                "value": score,
                "label": label,
                "judge_model": judge_model(obj.get("metadata")),
                "evaluated_at": at,
                "comment": why,
            }
        )


def _scalar(value: Any) -> Any:
    """A result's field as read when it is a scalar; anything else (a list, an object) as its JSON text, for
    the loader to type or reject with its reason."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    return json.dumps(value, default=str)
