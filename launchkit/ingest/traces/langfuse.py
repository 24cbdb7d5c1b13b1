"""Langfuse trace exports -> contract rows: GENERATION observations are turns, TOOL observations tool calls.

Accepted shapes: {"trace": {...}, "observations": [...]} (what the Langfuse UI/API gives for one
trace), a trace object holding its "observations", a list of either, or {"data": [...]}.
Observations of other types (SPAN, AGENT, CHAIN, EVENT, ...) are counted as ignored. Scores become
feedback when a person gave them (see `_score_row`); model-judged scores (source EVAL) are counted
as ignored. docs/telemetry.md documents every rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.config import Config
from launchkit.errors import InputFileError
from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.mapping import tool_name_from_span_name
from launchkit.ingest.traces.spans import Mapped, SessionFacts, ns_to_iso, raw_json, read_text, to_ns

TURN_TYPES = frozenset({"GENERATION"})
TOOL_TYPES = frozenset({"TOOL"})
# Categorical score values read as thumbs (lowercased).
_THUMBS = {
    "up": "up",
    "thumbs_up": "up",
    "thumbsup": "up",
    "positive": "up",
    "good": "up",
    "👍": "up",
    "down": "down",
    "thumbs_down": "down",
    "thumbsdown": "down",
    "negative": "down",
    "bad": "down",
    "👎": "down",
}


def looks_like_export(doc: Any) -> bool:
    """A Langfuse export: a trace with observations (or a list / {"data": [...]} of them)."""
    if isinstance(doc, Mapping) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    if isinstance(doc, list):
        return bool(doc) and all(looks_like_export(d) for d in doc[:5])
    if not isinstance(doc, Mapping):
        return False
    if isinstance(doc.get("trace"), Mapping) and "observations" in doc:
        return True
    return "observations" in doc and ("projectId" in doc or "sessionId" in doc or "timestamp" in doc)


def _traces(doc: Any) -> Iterator[tuple[Mapping[str, Any], list[Any]]]:
    """(trace, observations) pairs of an export."""
    if isinstance(doc, Mapping) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    for item in doc if isinstance(doc, list) else [doc]:
        if not isinstance(item, Mapping):
            continue
        if isinstance(item.get("trace"), Mapping):
            trace = item["trace"]
            obs = item.get("observations")
            if obs is None:
                obs = trace.get("observations")
        else:
            trace, obs = item, item.get("observations")
        yield trace, list(obs or [])


def _metadata(value: Any) -> dict[str, Any]:
    """Langfuse metadata: a dict or a JSON string of one; attributes/resourceAttributes merged in."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    if not isinstance(value, Mapping):
        return {}
    out: dict[str, Any] = {}
    for key in ("resourceAttributes", "attributes"):  # span attributes beat resource attributes
        inner = value.get(key)
        if isinstance(inner, Mapping):
            out.update(inner)
    out.update({k: v for k, v in value.items() if not isinstance(v, (Mapping, list))})
    return out


def _ns(value: Any, zone: str) -> int | None:
    try:
        return to_ns(value, zone)
    except ValueError:
        return None


def _iso_or_raw(value: Any, zone: str) -> Any:
    ns = _ns(value, zone)
    return ns_to_iso(ns) if ns is not None else value


def _tokens(usage: Any, direction: str) -> int | None:
    """Input or output tokens: the sum of usageDetails keys starting with the direction (as Langfuse's
    inputUsage/outputUsage do), or None when the export has no such key (unknown, not 0)."""
    if not isinstance(usage, Mapping):
        return None
    values = [
        v
        for k, v in usage.items()
        if str(k).startswith(direction) and isinstance(v, (int, float)) and not isinstance(v, bool)
    ]
    return int(sum(values)) if values else None


def _cost(obs: Mapping[str, Any]) -> float | None:
    """The observation's total cost when Langfuse has one (costDetails non-empty), else None (not 0)."""
    details = obs.get("costDetails") or obs.get("providedCostDetails")
    if not details:
        return None
    total = obs.get("totalCost")
    if isinstance(total, (int, float)) and not isinstance(total, bool):
        return float(total)
    if isinstance(details, Mapping) and isinstance(details.get("total"), (int, float)):
        return float(details["total"])
    return None


def parse_export(path: Path, config: Config, text: str | None = None) -> Mapped:
    """Map a Langfuse export file to raw contract rows (turns, tool_calls, feedback) and session facts."""
    text = read_text(path) if text is None else text
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(str(path), f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not looks_like_export(doc):
        raise InputFileError(str(path), "not a Langfuse trace export (no trace with observations)")
    return map_export(doc, config)


def map_export(doc: Any, config: Config) -> Mapped:
    """Rows from a parsed export; records are numbered in file order: each trace's observations, then its scores."""
    zone = config.timezone
    ident = config.identity_attributes
    out = Mapped()
    row = 0
    for trace, observations in _traces(doc):
        trace_id = trace.get("id")
        tmeta = _metadata(trace.get("metadata"))
        session_id = trace.get("sessionId") or trace_id
        session_id = None if session_id is None else str(session_id)
        by_id = {o.get("id"): o for o in observations if isinstance(o, Mapping) and o.get("id")}
        has_rows = False
        trace_first_row = row + 1
        for obs in observations:
            row += 1
            out.records += 1
            if not isinstance(obs, Mapping):
                out.pre_rejects.append(
                    (row, None, "observation given by id only; export the trace in full", raw_json(obs))
                )
                continue
            otype = str(obs.get("type") or "").upper()
            if otype not in TURN_TYPES and otype not in TOOL_TYPES:
                out.ignore(otype or "no type")
                continue
            oid = obs.get("id")
            if not oid:
                out.pre_rejects.append((row, None, "observation has no id", raw_json(obs)))
                continue
            ometa = _metadata(obs.get("metadata"))
            start, end = _ns(obs.get("startTime"), zone), _ns(obs.get("endTime"), zone)
            latency = (end - start) / 1e6 if start is not None and end is not None else None
            failed = str(obs.get("level") or "").upper() == "ERROR"
            error_type = semconv.first("error_type", ometa)
            if otype in TURN_TYPES:
                first_tok = _ns(obs.get("completionStartTime"), zone)
                usage = obs.get("usageDetails")
                out.turns.append(
                    {
                        "_row": row,
                        "turn_id": str(oid),
                        "session_id": session_id,
                        "started_at": _iso_or_raw(obs.get("startTime"), zone),
                        "model": obs.get("model") or semconv.first("model", ometa),
                        "status": "error" if failed or error_type is not None else "ok",
                        "latency_ms": latency,
                        "ttft_ms": (first_tok - start) / 1e6 if first_tok is not None and start is not None else None,
                        "input_tokens": _tokens(usage, "input"),
                        "output_tokens": _tokens(usage, "output"),
                        "cost_usd": _cost(obs),
                    }
                )
            else:
                name = semconv.first("tool_name", ometa)
                if name is None:
                    raw_name = str(obs.get("name") or "")
                    name = tool_name_from_span_name(raw_name) or (raw_name or None)
                failed = failed or error_type is not None
                out.tool_calls.append(
                    {
                        "_row": row,
                        "call_id": str(oid),
                        "session_id": session_id,
                        "turn_id": _turn_ancestor(obs, by_id),
                        "tool_name": name,
                        "started_at": _iso_or_raw(obs.get("startTime"), zone),
                        "duration_ms": latency,
                        "status": ("timeout" if semconv.is_timeout(error_type) else "error") if failed else "ok",
                        "error_type": error_type,
                    }
                )
            has_rows = True
        for score in trace.get("scores") or []:
            row += 1
            out.records += 1
            _score_row(out, row, score, trace, session_id, zone)
        if has_rows and session_id is not None:
            facts = out.sessions.get(session_id)
            if facts is None:
                facts = out.sessions[session_id] = SessionFacts(session_id=session_id, first_row=trace_first_row)
            facts.widen(_ns(trace.get("timestamp"), zone), None)
            for obs in observations:
                if isinstance(obs, Mapping):
                    facts.widen(_ns(obs.get("startTime"), zone), _ns(obs.get("endTime"), zone))
            if facts.tenant_id is None:
                value = semconv.lookup(tmeta, ident["tenant"])
                facts.tenant_id = None if value is None else str(value)
            if facts.user_id is None:
                value = trace.get("userId") or semconv.lookup(tmeta, ident["user"])
                facts.user_id = None if value is None else str(value)
            if facts.release is None:
                value = trace.get("release") or semconv.first("release", tmeta)
                facts.release = None if value is None else str(value)
    return out


def _turn_ancestor(obs: Mapping[str, Any], by_id: dict[Any, Mapping[str, Any]]) -> str | None:
    seen: set[Any] = set()
    pid = obs.get("parentObservationId")
    while pid and pid not in seen:
        seen.add(pid)
        parent = by_id.get(pid)
        if parent is None:
            return None
        if str(parent.get("type") or "").upper() in TURN_TYPES:
            return str(parent["id"])
        pid = parent.get("parentObservationId")
    return None


def _score_row(out: Mapped, row: int, score: Any, trace: Mapping[str, Any], session_id: str | None, zone: str) -> None:
    """A score a person gave becomes a feedback row; a model-judged one (source EVAL) is ignored.

    BOOLEAN -> thumbs (1 up, 0 down); CATEGORICAL up/down-like values -> thumbs; NUMERIC -> rating.
    Other values are staged as read, so the loader rejects them with its reason (a rating not a whole
    number 1..5, a thumbs value not up or down) in the feedback table.
    """
    if not isinstance(score, Mapping):
        out.pre_rejects.append((row, None, "score given by id only; export the trace in full", raw_json(score)))
        return
    if str(score.get("source") or "").upper() == "EVAL":
        out.ignore("score (EVAL)")
        return
    dtype = str(score.get("dataType") or "NUMERIC").upper()
    value = score.get("value")
    rating: Any = None
    thumbs: Any = None
    if dtype == "BOOLEAN":
        # anything but 0/1 is staged as read, and the loader rejects it (thumbs: not one of up, down)
        if isinstance(value, bool):
            thumbs = "up" if value else "down"
        else:
            thumbs = {1: "up", 0: "down"}.get(value, value) if isinstance(value, int) else value
    elif dtype == "CATEGORICAL":
        label = str(score.get("stringValue") or value or "").strip()
        thumbs = _THUMBS.get(label.lower(), label)
    else:
        rating = value
    sid = score.get("sessionId") or session_id
    out.feedback.append(
        {
            "_row": row,
            "feedback_id": None if score.get("id") is None else str(score["id"]),
            "session_id": None if sid is None else str(sid),
            "user_id": None if trace.get("userId") is None else str(trace["userId"]),
            "submitted_at": _iso_or_raw(score.get("timestamp") or score.get("createdAt"), zone),
            "rating": rating,
            "thumbs": thumbs,
            "comment": score.get("comment") or None,
        }
    )
