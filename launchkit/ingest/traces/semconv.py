"""The one table of telemetry attribute names launchkit reads, and how a span is classified.

Attribute names drift between versions of the OpenTelemetry GenAI semantic conventions (and
OpenInference, Vercel's AI SDK, any-agent ...). Every name the importers look for is listed here,
in order of precedence: the first attribute present with a usable value wins. Nothing else in
launchkit spells an attribute name. docs/telemetry.md shows this table to users.

Tenant and user attributes are configurable ([attributes] tenant = [...], user = [...] in
launchkit.toml); the defaults live in launchkit.config.schema.DEFAULTS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Logical field -> attribute names, first match wins. Values are read from the span's attributes,
# then (for the fields in RESOURCE_FIELDS) from its resource's attributes.
ALIASES: dict[str, tuple[str, ...]] = {
    "operation": ("gen_ai.operation.name",),
    "openinference_kind": ("openinference.span.kind",),
    # session: a conversation id, then a session id; the trace id is the last resort (see mapping.py)
    "session": ("gen_ai.conversation.id", "session.id", "langfuse.session.id", "ai.telemetry.metadata.sessionId"),
    "model": ("gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "ai.response.model", "ai.model.id"),
    "input_tokens": (
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.prompt_tokens",  # deprecated (semconv <= 1.26)
        "llm.token_count.prompt",  # OpenInference
        "ai.usage.promptTokens",  # Vercel AI SDK
        "ai.usage.inputTokens",
    ),
    "output_tokens": (
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.completion_tokens",  # deprecated (semconv <= 1.26)
        "llm.token_count.completion",  # OpenInference
        "ai.usage.completionTokens",  # Vercel AI SDK
        "ai.usage.outputTokens",
    ),
    # a total cost in USD as reported by the instrumentation
    "cost": ("gen_ai.usage.cost", "llm.cost.total"),
    # time to first token/chunk, in SECONDS (semconv's unit)
    "ttft_s": ("gen_ai.response.time_to_first_chunk", "gen_ai.response.time_to_first_token"),
    "tool_name": ("gen_ai.tool.name", "tool.name", "ai.toolCall.name"),
    "error_type": ("error.type", "exception.type"),
    # on a span event named EXCEPTION_EVENT (the OTel SDK's record_exception)
    "exception_type": ("exception.type",),
    "release": ("service.version", "deployment.version", "langfuse.release"),
    # written by launchkit.synth.otlp only (the importers do not need them)
    "user": ("enduser.id",),
    "tenant": ("tenant.id",),
    "provider": ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"),
}
EXCEPTION_EVENT = "exception"

# Cost reported in parts (input + output), summed when no total is present: any-agent, OpenInference.
COST_PARTS: tuple[tuple[str, str], ...] = (
    ("gen_ai.usage.input_cost", "gen_ai.usage.output_cost"),
    ("llm.cost.prompt", "llm.cost.completion"),
)

# Fields also looked up on the resource when the span does not carry them.
RESOURCE_FIELDS = frozenset({"session", "release"})

# gen_ai.operation.name values that are an LLM call (a turn) or a tool call.
TURN_OPERATIONS = frozenset(
    {
        "chat",
        "text_completion",
        "generate_content",
        "call_llm",
        "completion",
        "responses",
        "generate",
    }
)
TOOL_OPERATIONS = frozenset({"execute_tool"})
# OpenInference span kinds, used when gen_ai.operation.name is absent.
OPENINFERENCE_TURN_KINDS = frozenset({"LLM"})
OPENINFERENCE_TOOL_KINDS = frozenset({"TOOL"})

# Key prefixes that make a flat JSON object a span attribute set (format span-attributes).
ATTRIBUTE_PREFIXES: tuple[str, ...] = ("gen_ai.", "llm.", "openinference.", "ai.")

# Span name prefixes that name a tool when no tool-name attribute is set ("execute_tool get_weather").
TOOL_SPAN_NAME_PREFIXES: tuple[str, ...] = ("execute_tool ", "running tool: ")

# The tenant a session gets when none of the configured tenant attributes is present: the contract
# requires a tenant, and dropping the session would lose its turns' context. Counted in a note.
UNKNOWN_TENANT = "unknown"


def classify(attrs: Mapping[str, Any]) -> str | None:
    """'turn', 'tool' or None (a span of no interest, counted as ignored) from a span's attributes."""
    op = lookup(attrs, ALIASES["operation"])
    if isinstance(op, str) and op.strip():
        op = op.strip().lower()
        if op in TURN_OPERATIONS:
            return "turn"
        if op in TOOL_OPERATIONS:
            return "tool"
        return None
    kind = lookup(attrs, ALIASES["openinference_kind"])
    if isinstance(kind, str):
        kind = kind.strip().upper()
        if kind in OPENINFERENCE_TURN_KINDS:
            return "turn"
        if kind in OPENINFERENCE_TOOL_KINDS:
            return "tool"
    return None


def _usable(value: Any) -> bool:
    """Present and not blank."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def lookup(attrs: Mapping[str, Any], names: tuple[str, ...] | list[str]) -> Any:
    """The value of the first attribute in `names` that is present and not empty, else None."""
    for name in names:
        value = attrs.get(name)
        if _usable(value):
            return value
    return None


def first(field: str, attrs: Mapping[str, Any], resource: Mapping[str, Any] | None = None) -> Any:
    """The value of logical `field` (a key of ALIASES) on a span, falling back to its resource."""
    value = lookup(attrs, ALIASES[field])
    if value is None and resource and field in RESOURCE_FIELDS:
        value = lookup(resource, ALIASES[field])
    return value


def cost(attrs: Mapping[str, Any]) -> float | None:
    """Reported cost in USD: a total attribute, else the sum of an input/output pair; None when absent."""
    total = first("cost", attrs)
    if total is not None:
        return _number(total)
    for a, b in COST_PARTS:
        pa, pb = _number(attrs.get(a)), _number(attrs.get(b))
        if pa is not None or pb is not None:
            if pa is None or pb is None:
                return None  # half a cost is not a cost
            return pa + pb
    return None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def is_timeout(error_type: Any) -> bool:
    """An error type that means the call timed out (status 'timeout' in the contract)."""
    if not isinstance(error_type, str):
        return False
    e = error_type.strip().lower()
    return "timeout" in e or "timed_out" in e or e == "deadline_exceeded"
