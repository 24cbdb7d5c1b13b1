"""Spans -> contract rows with the GenAI semantic conventions (names from launchkit.ingest.traces.semconv).

An LLM-call span is a turn, a tool span a tool call, any other span is counted as ignored by kind;
sessions are derived from the spans. The loader types, validates, dedupes and merges the rows.
docs/telemetry.md documents the mapping.
"""

from __future__ import annotations

from typing import Any

from launchkit.config import Config
from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.spans import Mapped, SessionFacts, Span, ns_to_iso, num_text


def _identity(names: tuple[str, ...], span: Span) -> str | None:
    value = semconv.lookup(span.attributes, names)
    if value is None:
        value = semconv.lookup(span.resource, names)
    return None if value is None else str(value)


def _error_type(span: Span) -> str | None:
    value = semconv.first("error_type", span.attributes)
    if value is None:
        for name, attrs in span.events:
            if name == semconv.EXCEPTION_EVENT:
                value = semconv.first("exception_type", attrs)
                if value is not None:
                    break
    return None if value is None else str(value)


def _duration_ms(start: int | None, end: int | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start) / 1e6


def _started_at(span: Span) -> Any:
    if span.start_ns is not None:
        return ns_to_iso(span.start_ns)
    return None if span.raw_start is None else str(span.raw_start)


def tool_name_from_span_name(name: str) -> str | None:
    for prefix in semconv.TOOL_SPAN_NAME_PREFIXES:
        if name.startswith(prefix) and name[len(prefix) :].strip():
            return name[len(prefix) :].strip()
    return None


def map_spans(
    spans: list[Span],
    config: Config,
    *,
    pre_rejects: list[tuple[int, str | None, str, str]] | None = None,
    notes: list[str] | None = None,
) -> Mapped:
    """Turn spans into raw turns / tool_calls rows and session facts (see docs/telemetry.md)."""
    ident = config.identity_attributes
    out = Mapped(
        records=len(spans) + len(pre_rejects or []), pre_rejects=list(pre_rejects or []), notes=list(notes or [])
    )
    kinds: dict[int, str | None] = {id(s): semconv.classify(s.attributes) for s in spans}
    by_id: dict[tuple[str | None, str], Span] = {}
    for s in spans:
        if s.span_id and s.problem is None:
            by_id.setdefault((s.trace_id, s.span_id), s)
    # a trace's session: the first conversation/session id any of its spans (or resources) carries
    trace_session: dict[str | None, str] = {}
    for s in spans:
        sid = semconv.first("session", s.attributes, s.resource)
        if sid is not None and s.trace_id not in trace_session:
            trace_session[s.trace_id] = str(sid)

    def session_of(s: Span) -> str | None:
        sid = semconv.first("session", s.attributes, s.resource)
        if sid is not None:
            return str(sid)
        return trace_session.get(s.trace_id, s.trace_id)

    def turn_ancestor(s: Span) -> str | None:
        seen: set[str] = set()
        pid = s.parent_id
        while pid and pid not in seen:
            seen.add(pid)
            parent = by_id.get((s.trace_id, pid))
            if parent is None:
                return None
            if kinds[id(parent)] == "turn":
                return parent.span_id
            pid = parent.parent_id
        return None

    mapped_sessions: set[str] = set()
    for s in spans:
        kind = kinds[id(s)]
        if kind is None:
            op = semconv.first("operation", s.attributes) or semconv.first("openinference_kind", s.attributes)
            out.ignore(str(op) if op else "no gen_ai operation")
            continue
        if s.problem is not None or not s.span_id:
            out.pre_rejects.append((s.row, None, s.problem or "span has no span id", s.raw))
            continue
        session_id = session_of(s)
        attrs = s.attributes
        if kind == "turn":
            error_type = semconv.first("error_type", attrs)
            ttft_s = semconv.first("ttft_s", attrs)
            ttft = None
            if ttft_s is not None:
                try:
                    ttft = float(ttft_s) * 1000.0
                except (TypeError, ValueError):
                    ttft = ttft_s  # let the loader reject it as not a number
            out.turns.append(
                {
                    "_row": s.row,
                    "turn_id": s.span_id,
                    "session_id": session_id,
                    "started_at": _started_at(s),
                    "model": semconv.first("model", attrs),
                    "status": "error" if s.status == "error" or error_type is not None else "ok",
                    "latency_ms": _duration_ms(s.start_ns, s.end_ns),
                    "ttft_ms": ttft,
                    "input_tokens": num_text(semconv.first("input_tokens", attrs)),
                    "output_tokens": num_text(semconv.first("output_tokens", attrs)),
                    "cost_usd": semconv.cost(attrs),
                }
            )
        else:
            error_type = _error_type(s)
            failed = s.status == "error" or error_type is not None
            name = semconv.first("tool_name", attrs)
            out.tool_calls.append(
                {
                    "_row": s.row,
                    "call_id": s.span_id,
                    "session_id": session_id,
                    "turn_id": turn_ancestor(s),
                    "tool_name": name if name is not None else tool_name_from_span_name(s.name),
                    "started_at": _started_at(s),
                    "duration_ms": _duration_ms(s.start_ns, s.end_ns),
                    "status": ("timeout" if semconv.is_timeout(error_type) else "error") if failed else "ok",
                    "error_type": error_type,
                }
            )
        if session_id is not None:
            mapped_sessions.add(session_id)
    # sessions: from every span of a session that has at least one turn or tool call
    for s in spans:
        if s.problem is not None:
            continue
        sid = session_of(s)
        if sid is None or sid not in mapped_sessions:
            continue
        facts = out.sessions.get(sid)
        if facts is None:
            facts = out.sessions[sid] = SessionFacts(session_id=sid, first_row=s.row)
        facts.widen(s.start_ns, s.end_ns)
        if facts.tenant_id is None:
            facts.tenant_id = _identity(ident["tenant"], s)
        if facts.user_id is None:
            facts.user_id = _identity(ident["user"], s)
        if facts.release is None:
            rel = semconv.first("release", s.attributes, s.resource)
            facts.release = None if rel is None else str(rel)
    return out
