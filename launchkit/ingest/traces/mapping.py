"""Span facts -> contract rows: turns, tool calls and the sessions they belong to.

A span classified as an LLM call is a turn and a tool span a tool call (launchkit.ingest.traces.
semconv); re-recorded calls fold into one turn (launchkit.ingest.traces.fold); every other span is
counted as ignored, by reason. An ignored span that may have held an LLM call or its spend (it
names a model or carries token usage that no call below it explains) is also a warning: the load
then finishes with warnings (exit status 4), naming the span and why. Sessions are derived from
the spans. The loader types, validates, dedupes and merges the rows. docs/telemetry.md documents
the mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from launchkit.config import Config
from launchkit.ingest.traces import buffer as trace_buffer
from launchkit.ingest.traces import semconv, span_evals, values
from launchkit.ingest.traces.facts import FactReader, SpanFacts
from launchkit.ingest.traces.fold import Folded, fold_trace
from launchkit.ingest.traces.spans import Mapped, SessionFacts, Span, ns_to_iso

# At most this many warnings are listed one by one; the rest are counted.
MAX_LISTED_WARNINGS = 20


def _duration_ms(start: int | None, end: int | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start) / 1e6


def _started_at(f: SpanFacts) -> Any:
    if f.start_ns is not None:
        return ns_to_iso(f.start_ns)
    return None if f.raw_start is None else str(f.raw_start)


def identity_names(config: Config) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The configured (user, tenant) attribute names."""
    ident = config.identity_attributes
    return tuple(ident["user"]), tuple(ident["tenant"])


def map_spans(
    spans: Iterable[Span],
    config: Config,
    *,
    notes: list[str] | None = None,
    flush: Callable[[Mapped], None] | None = None,
    batch: int | None = None,
) -> Mapped:
    """Turn spans into raw turns / tool_calls rows and session facts (see docs/telemetry.md).

    Memory is bounded by `batch` (default launchkit.ingest.traces.buffer.BATCH_FACTS): facts beyond
    it wait in a temporary file (TraceBuffer), and `flush`, when given, is called whenever a batch of
    rows is ready (it stages and clears them).
    """
    reader = FactReader(*identity_names(config))
    return map_facts((reader.facts(s) for s in spans), notes=notes, flush=flush, batch=batch)


def map_facts(
    facts: Iterable[SpanFacts],
    *,
    notes: list[str] | None = None,
    out: Mapped | None = None,
    flush: Callable[[Mapped], None] | None = None,
    batch: int | None = None,
) -> Mapped:
    """Rows from span facts: group by trace, fold re-recorded calls, map, and count what is ignored."""
    out = out if out is not None else Mapped()
    if notes:
        out.notes.extend(notes)
    limit = batch if batch is not None else trace_buffer.BATCH_FACTS
    buffer = trace_buffer.TraceBuffer(limit)
    collect(facts, out, buffer)
    out.warnings.extend(listed_warnings(*map_buffer(buffer, out, flush=flush)))
    return out


def collect(facts: Iterable[SpanFacts], out: Mapped, buffer: trace_buffer.TraceBuffer) -> None:
    """Count each fact as a record read; keep it for its trace, or reject it before staging."""
    for f in facts:
        out.records += 1
        if f.problem is not None:
            out.pre_rejects.append((f.row, None, f.problem, f.raw))
            continue
        buffer.add(f)


# A warning in file order: (the first record of its trace, its place among the trace's warnings, text).
KeyedWarning = tuple[int, int, str]


def map_buffer(
    buffer: trace_buffer.TraceBuffer, out: Mapped, *, flush: Callable[[Mapped], None] | None = None
) -> tuple[list[KeyedWarning], int]:
    """Map the traces kept in `buffer` into `out`, calling `flush` whenever a batch of rows is ready.

    Returns the first MAX_LISTED_WARNINGS warnings in file order, and how many there were in all.
    """
    listed: list[KeyedWarning] = []
    n_warnings = 0
    for trace_id, spans in buffer.traces():
        first = spans[0].row if spans else 0  # a trace's facts come in file order
        warnings = _map_trace(trace_id, spans, out)
        n_warnings += len(warnings)
        # traces come in the order they were first seen: the first ones listed are the first in the file
        listed.extend((first, i, w) for i, w in enumerate(warnings[: MAX_LISTED_WARNINGS - len(listed)]))
        if flush is not None and len(out.turns) + len(out.tool_calls) >= buffer.limit:
            flush(out)
    return listed, n_warnings


def listed_warnings(listed: list[KeyedWarning], total: int) -> list[str]:
    """The first MAX_LISTED_WARNINGS warnings in file order, then how many more there were."""
    first = sorted(listed)[:MAX_LISTED_WARNINGS]
    more = total - len(first)
    return [w for _, _, w in first] + ([f"... and {more} more"] if more else [])


def _map_trace(trace_id: str | None, spans: list[SpanFacts], out: Mapped) -> list[str]:
    """Map one trace's spans into `out`; returns the warnings."""
    folded = fold_trace(spans)
    warnings = list(folded.warnings)
    spans.sort(key=lambda f: f.row)
    trace_session = next((f.session for f in spans if f.session is not None), None)
    by_id = {f.span: f for f in spans if f.span}

    def session_of(f: SpanFacts) -> str | None:
        return f.session or trace_session or trace_id

    def turn_of(f: SpanFacts) -> str | None:
        """The nearest ancestor that is a turn (the turn kept for it, when it was folded)."""
        seen = {f.span}
        pid = f.parent
        while pid and pid not in seen:
            seen.add(pid)
            p = by_id.get(pid)
            if p is None:
                return None
            if p.role == "turn":
                kept = folded.into.get(id(p), p)
                while id(kept) in folded.into:
                    kept = folded.into[id(kept)]
                return None if id(kept) in folded.dropped else kept.span
            pid = p.parent
        return None

    mapped_sessions: set[str] = set()
    for f in spans:
        if id(f) in folded.dropped:
            out.ignore(semconv.REASON_RERECORDED)
            continue
        if f.role not in ("turn", "tool"):
            reason = semconv.ignore_reason(f.role, f.label)
            out.ignore(reason)
            if id(f) in folded.unexplained:
                warnings.append(
                    f"span {f.span} '{f.name}' ({reason}) carries {f.input if f.input is not None else '-'} input / "
                    f"{f.output if f.output is not None else '-'} output tokens that no LLM call below it explains: "
                    "that usage is not loaded"
                )
            elif f.role is None and f.model_raw is not None:
                warnings.append(
                    f"span {f.span} '{f.name}' ({reason}) names model {f.model_raw} but is not an LLM call launchkit "
                    "recognises: not loaded"
                )
            elif f.role is None and f.clues is not None and id(f) not in folded.over_calls:
                # (a span over loaded calls is a wrapper they explain, as pydantic-ai's 'agent run')
                warnings.append(
                    f"span {f.span} '{f.name}' ({reason}) carries {f.clues}, which suggest an LLM or tool call "
                    "launchkit does not recognise: not loaded"
                )
            continue
        session_id = session_of(f)
        if f.role == "turn" and f.clues is not None and not f.has_usage:
            warnings.append(
                f"span {f.span} '{f.name}' is loaded as a turn without token counts, though it carries {f.clues}: "
                "its usage is not read"
            )
        if f.role == "turn":
            out.turns.append(
                {
                    "_row": f.row,
                    "turn_id": f.span,
                    "session_id": session_id,
                    "started_at": _started_at(f),
                    "model": f.model,
                    "status": "error" if f.failed else "ok",
                    "latency_ms": _duration_ms(f.start_ns, f.end_ns),
                    "ttft_ms": f.ttft_ms,
                    "input_tokens": f.input,
                    "output_tokens": f.output,
                    "cost_usd": f.cost,
                    "cache_read_tokens": f.cache_read,
                    "cache_write_tokens": f.cache_write,
                    "provider": f.provider,
                    "model_raw": f.model_raw,
                    "error_type": f.error_type if f.failed else None,
                }
            )
        else:
            out.tool_calls.append(
                {
                    "_row": f.row,
                    "call_id": f.span,
                    "session_id": session_id,
                    "turn_id": turn_of(f),
                    "tool_name": f.tool_name,
                    "started_at": _started_at(f),
                    "duration_ms": _duration_ms(f.start_ns, f.end_ns),
                    "status": ("timeout" if values.is_timeout(f.error_type) else "error") if f.failed else "ok",
                    "error_type": f.error_type,
                }
            )
        if session_id is not None:
            mapped_sessions.add(session_id)
    _evaluations(spans, folded, out, session_of)
    # sessions: from every span of a session that has at least one turn or tool call
    for f in spans:
        sid = session_of(f)
        if sid is None or sid not in mapped_sessions:
            continue
        facts = out.sessions.get(sid)
        if facts is None:
            facts = out.sessions[sid] = SessionFacts(session_id=sid, first_row=f.row)
        facts.add(f.row, f.tenant, f.user, f.release)
        if f.role != "evaluator":  # a judge's work, maybe long after, is not the session's time
            facts.widen(f.start_ns, f.end_ns)
    return warnings


def _evaluations(
    spans: list[SpanFacts], folded: Folded, out: Mapped, session_of: Callable[[SpanFacts], str | None]
) -> None:
    """The evaluation results the trace's spans carry, as rows: a re-recorded turn's go to the turn kept
    for it. They name sessions but derive none (a file of judgements adds no session)."""
    for f in spans:
        if not f.evaluations or not f.span:
            continue
        kept = f
        while id(kept) in folded.into:
            kept = folded.into[id(kept)]
        span_evals.add_rows(
            out,
            f.row,
            f.span,
            f.evaluations,
            session_id=session_of(f),
            turn_id=kept.span,
            at_ns=f.end_ns or f.start_ns,
        )
