"""What one span says, read once through the alias table: the facts the mapping and the fold need.

Every trace format (OTLP, SDK span JSON, OpenTelemetry JS span JSON, Phoenix exports, attribute
sets, Langfuse observations) ends up as a `SpanFacts` per record, so the rules after it (which span
is a turn, how re-recorded calls fold, which session a row belongs to) exist once. The span's
attributes are not kept: a fact is a few dozen small values, so a large file's facts stay small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.spans import Span


@dataclass(slots=True)
class SpanFacts:
    """One record's facts. `role` None: nothing launchkit reads; `problem` set: rejected before staging."""

    row: int
    trace: str | None
    span: str | None
    parent: str | None
    name: str = ""
    role: semconv.Role | None = None
    label: str = semconv.REASON_NOT_GENAI  # what decided the role (an operation, a kind)
    problem: str | None = None
    raw: str = ""
    start_ns: int | None = None
    end_ns: int | None = None
    raw_start: Any = None
    failed: bool = False
    error_type: str | None = None
    model_raw: str | None = None
    model: str | None = None
    provider: str | None = None
    input: Any = None
    output: Any = None
    cache_read: Any = None
    cache_write: Any = None
    cost: float | None = None
    ttft_ms: Any = None
    tool_name: str | None = None
    tool_call_id: str | None = None
    response_id: str | None = None
    session: str | None = None
    user: str | None = None
    tenant: str | None = None
    release: str | None = None

    @property
    def has_usage(self) -> bool:
        return self.input is not None or self.output is not None

    def usage(self) -> tuple[int | None, int | None]:
        """(input, output) as whole numbers, None where absent or not a count."""
        return semconv.whole(self.input), semconv.whole(self.output)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _identity(configured: tuple[str, ...], field: str, span: Span) -> str | None:
    """A user or tenant: the configured attributes first (span, then resource), then the libraries' own keys."""
    value = semconv.lookup(span.attributes, configured)
    if value is None:
        value = semconv.lookup(span.resource, configured)
    if value is None:
        value = semconv.first(field, span.attributes, span.resource)
    return _text(value)


def _error_type(span: Span) -> str | None:
    value = semconv.first("error_type", span.attributes)
    if value is None:
        for name, attrs, _ in span.events:
            if name == semconv.EXCEPTION_EVENT:
                value = semconv.first("exception_type", attrs)
                if value is not None:
                    break
    return _text(value)


def _first_chunk_ms(span: Span) -> float | None:
    """Time to first chunk from the first first-chunk event (ms), when the span has one."""
    if span.start_ns is None:
        return None
    times = [t for name, _, t in span.events if name in semconv.FIRST_CHUNK_EVENTS and t is not None]
    return (min(times) - span.start_ns) / 1e6 if times else None


def from_span(span: Span, user_names: tuple[str, ...], tenant_names: tuple[str, ...]) -> SpanFacts:
    """The facts of one span (classification, identity, and for turns and tools their values)."""
    if span.problem is not None or not span.span_id:
        return SpanFacts(
            span.row,
            span.trace_id,
            span.span_id,
            span.parent_id,
            span.name,
            problem=span.problem or "span has no span id",
            raw=span.raw,
        )
    attrs = span.attributes
    role, label = semconv.classify(attrs, span.kind)
    f = SpanFacts(
        span.row,
        span.trace_id,
        span.span_id,
        span.parent_id,
        span.name,
        role=role,
        label=label,
        start_ns=span.start_ns,
        end_ns=span.end_ns,
        raw_start=span.raw_start,
    )
    sess = semconv.first("session", attrs, span.resource)
    f.session = _text(sess)
    f.user = _identity(user_names, "user", span)
    f.tenant = _identity(tenant_names, "tenant", span)
    f.release = semconv.release(attrs, span.resource)
    model = semconv.first("model", attrs)
    f.model_raw = _text(model)
    f.model = semconv.normalise_model(model)
    f.input, f.output, f.cache_read, f.cache_write = semconv.tokens(attrs)
    if role in ("turn", "tool"):
        f.error_type = _error_type(span)
        f.failed = span.status == "error" or f.error_type is not None
    if role == "turn":
        provider = semconv.normalise_provider(semconv.first("provider", attrs))
        f.provider = provider or semconv.provider_from_server(semconv.first("server", attrs))
        f.cost = semconv.cost(attrs)
        ttft = semconv.ttft_ms(attrs)
        f.ttft_ms = ttft if ttft is not None else _first_chunk_ms(span)
        rid = semconv.first("response_id", attrs)
        f.response_id = _text(rid)
    elif role == "tool":
        failed, etype = semconv.tool_failure(attrs)
        if failed:
            f.failed = True
            f.error_type = f.error_type or etype
        name = semconv.first("tool_name", attrs)
        if name is None and label.startswith("traceloop"):
            name = semconv.first("traceloop_entity", attrs)
        f.tool_name = _text(name) if name is not None else semconv.tool_name_from_span_name(span.name)
        f.tool_call_id = _text(semconv.first("tool_call_id", attrs))
    return f
