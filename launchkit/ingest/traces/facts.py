"""What one span says, read once through the alias table: the facts the mapping and the fold need.

Every trace format (OTLP, SDK span JSON, OpenTelemetry JS span JSON, Phoenix exports, attribute
sets, Langfuse observations) ends up as a `SpanFacts` per record, so the rules after it (which span
is a turn, how re-recorded calls fold, which session a row belongs to) exist once. The span's
attributes are not kept: a fact is a few dozen small values, so a large file's facts stay small.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from launchkit.ingest.traces import clues, names, semconv, span_evals, values
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
    clues: str | None = None  # on a span nothing classifies: its keys suggesting a call (traces.clues)
    evaluations: tuple[Any, ...] = ()  # the evaluation results it carries (launchkit.ingest.traces.span_evals)

    @property
    def has_usage(self) -> bool:
        return self.input is not None or self.output is not None

    def usage(self) -> tuple[int | None, int | None]:
        """(input, output) as whole numbers, None where absent or not a count."""
        return values.whole(self.input), values.whole(self.output)


# A fact's values in field order (SpanFacts(*values) rebuilds it): how facts travel and are spilled.
fact_values = operator.attrgetter(*(f.name for f in dataclasses.fields(SpanFacts)))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _http_error(attrs: Mapping[str, Any]) -> str | None:
    """A failed call's HTTP status (OTel's http.response.status_code, older http.status_code) as its error
    type when nothing else names it: 429 is how most providers say "rate limited"."""
    for key in ("http.response.status_code", "http.status_code"):
        code = attrs.get(key)
        if isinstance(code, int | str) and str(code).strip().isdigit() and int(code) >= 400:
            return str(int(code))
    return None


def _error_type(fields: Mapping[str, Any], span: Span) -> str | None:
    value = fields.get("error_type")
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


MAX_CLUES = 6  # keys named per span in a warning

# The fields of the configured user and tenant attribute names ([attributes] in launchkit.toml).
_USER, _TENANT = "configured user", "configured tenant"


class FactReader:
    """Reads span facts with the configured user and tenant attribute names; a resource shared by many
    spans (one per OTLP ResourceSpans) is read once."""

    def __init__(self, user_names: tuple[str, ...], tenant_names: tuple[str, ...]) -> None:
        self.user_names = user_names
        self.tenant_names = tenant_names
        # the alias table and the configured names, read in one pass over a span's attributes
        self._index = semconv.alias_index({_USER: user_names, _TENANT: tenant_names})
        self._resource: tuple[int, dict[str, Any], str | None, str | None] | None = None

    def _resource_fields(self, resource: dict[str, Any]) -> tuple[dict[str, Any], str | None, str | None]:
        """(fields, configured user, configured tenant) of a resource, cached for the last one read."""
        cached = self._resource
        if cached is not None and cached[0] == id(resource):
            return cached[1], cached[2], cached[3]
        fields = semconv.read(resource) if resource else {}
        user = _text(semconv.lookup(resource, self.user_names)) if resource else None
        tenant = _text(semconv.lookup(resource, self.tenant_names)) if resource else None
        self._resource = (id(resource), fields, user, tenant)
        return fields, user, tenant

    def facts(self, span: Span) -> SpanFacts:
        """The facts of one span (classification, identity, and for turns and tools their values)."""
        if span.not_a_span is not None:
            return SpanFacts(span.row, None, None, None, span.name, role=None, label=span.not_a_span)
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
        fields = semconv.read(attrs, self._index)
        if "monocle_span_type" in fields:
            for key, value in semconv.entity_fields(attrs).items():
                fields.setdefault(key, value)
        if span.events and "input_tokens" not in fields and "output_tokens" not in fields:
            fields.update(semconv.event_tokens(span.events))
        res, res_user, res_tenant = self._resource_fields(span.resource)
        role, label = semconv.classify(attrs, span.kind, fields=fields, name=span.name)
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
        f.session = _text(fields.get("session", res.get("session")))
        user = fields.get(_USER)
        f.user = _text(user) if user is not None else res_user or _text(fields.get("user", res.get("user")))
        tenant = fields.get(_TENANT)
        f.tenant = _text(tenant) if tenant is not None else res_tenant or _text(fields.get("tenant", res.get("tenant")))
        f.release = semconv.release(fields, res)
        if span_evals.carries(attrs, span.events):
            f.evaluations = span_evals.results(attrs, span.events)
        model = fields.get("model")
        if model is not None:
            f.model_raw = str(model)
            f.model = names.normalise_model(model)
        f.input, f.output, f.cache_read, f.cache_write = values.tokens(attrs, fields=fields)
        if role is None or (role == "turn" and not f.has_usage):
            found = clues.clues(attrs, span.events, usage_only=role == "turn")
            f.clues = (
                ", ".join(found[:MAX_CLUES]) + (f" and {len(found) - MAX_CLUES} more" if len(found) > MAX_CLUES else "")
                if found
                else None
            )
        if role in ("turn", "tool"):
            f.error_type = _error_type(fields, span)
            f.failed = span.status == "error" or f.error_type is not None
        if role == "turn":
            if f.failed and f.error_type is None:
                f.error_type = _http_error(attrs) or values.error_type_from_message(span.status_message)
            provider = names.normalise_provider(fields.get("provider"))
            f.provider = provider or names.provider_from_server(fields.get("server"))
            f.cost = values.cost(attrs, fields=fields)
            ttft = values.ttft_ms(fields)
            f.ttft_ms = ttft if ttft is not None else _first_chunk_ms(span)
            f.response_id = _text(fields.get("response_id"))
        elif role == "tool":
            failed, etype = values.tool_failure(fields)
            if str(fields.get("tool_status", "")).strip().lower() == "error":
                failed, etype = True, etype or "error"
            if failed:
                f.failed = True
                f.error_type = f.error_type or etype
            if f.failed and f.error_type is None:  # a short type from the message, never the message
                f.error_type = values.error_type_from_message(span.status_message)
            name = fields.get("tool_name")
            if name is None and label.startswith("traceloop"):
                name = fields.get("traceloop_entity")
            f.tool_name = _text(name) if name is not None else semconv.tool_name_from_span_name(span.name)
            f.tool_call_id = _text(fields.get("tool_call_id"))
        return f


def from_span(span: Span, user_names: tuple[str, ...], tenant_names: tuple[str, ...]) -> SpanFacts:
    """The facts of one span (see FactReader.facts)."""
    return FactReader(user_names, tenant_names).facts(span)
