"""The one table of telemetry attribute names launchkit reads, and how a span is classified.

Attribute names drift between versions of the OpenTelemetry GenAI semantic conventions and differ
between instrumentation libraries (OpenLLMetry/Traceloop, the Vercel AI SDK, OpenInference, OpenLit,
pydantic-ai/Logfire, Gemini CLI, any-agent, Monocle, Google ADK, Strands ...). Every name the importers look for is listed here,
in order of precedence: the first attribute present with a usable value wins. Nothing else in
launchkit spells an attribute name. docs/telemetry.md shows this table to users, with the library
each name comes from.

`classify` says what a span is (an LLM call, a tool call, an agent/workflow wrapper, another kind
of call, or nothing launchkit reads) from the decisive attribute of each library: RULES, data read
in order (an instrumentation is a row there and its names in ALIASES). launchkit.ingest.traces.clues looks
at a span nothing classifies as a whole, so a call under names nobody listed is never lost without a word.
One name per model and provider: launchkit.ingest.traces.names; values: launchkit.ingest.traces.values.

Tenant and user attributes are configurable ([attributes] tenant = [...], user = [...] in
launchkit.toml; the defaults live in launchkit.config.schema.DEFAULTS); the names below under
"tenant" and "user" are the instrumentation libraries' own keys, looked up after the configured ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

# turn: an LLM call; tool: a tool call; wrapper: an agent/workflow span around calls (its usage, if
# any, is the total of the calls below it); other_call: a call that costs money but is not an
# assistant turn (embeddings); other: a span a library marks as something else (a retriever);
# evaluator: an evaluation's own work (an OpenInference EVALUATOR span, and every span under it: a
# judge's LLM calls are not the app's turns; launchkit.ingest.traces.fold marks them).
Role = Literal["turn", "tool", "wrapper", "other_call", "other", "evaluator"]

# Logical field -> attribute names, first match wins. Values are read from the span's attributes,
# then (for the fields in RESOURCE_FIELDS) from its resource's attributes.
ALIASES: dict[str, tuple[str, ...]] = {
    # -- what the span is (see classify)
    "operation": ("gen_ai.operation.name",),  # OTel GenAI semconv >= 1.27, OpenLit, pydantic-ai, Gemini CLI
    "vercel_operation": ("ai.operationId",),  # Vercel AI SDK
    "openinference_kind": ("openinference.span.kind",),  # OpenInference (Phoenix: top-level span_kind)
    "traceloop_kind": ("traceloop.span.kind",),  # OpenLLMetry decorators (workflow, task, agent, tool)
    "llm_request_type": ("llm.request.type",),  # OpenLLMetry <= 0.4 LLM spans (chat, completion)
    "monocle_span_type": ("span.type",),  # Monocle (okahu): inference, agentic.tool.invocation, ...
    # Platforms' exports, their records flattened to dotted keys (launchkit.ingest.traces.langsmith, .datadog)
    "langsmith_run_type": ("run.run_type",),  # LangSmith runs: llm, tool, chain, retriever, embedding, ...
    "datadog_span_kind": ("meta.span.kind",),  # Datadog LLM Observability spans: llm, tool, agent, workflow, ...
    # -- who and which conversation
    # session: a conversation id, then a session id; the trace id is the last resort (see mapping.py)
    "session": (
        "gen_ai.conversation.id",
        "session.id",
        "traceloop.association.properties.session_id",
        "ai.telemetry.metadata.sessionId",
        "langfuse.session.id",
        "session_id",
        "conversation_id",
        "gcp.vertex.agent.session_id",  # Google ADK's own spans
        "run.extra.metadata.thread_id",  # LangSmith threads (its run's session_id is a project, not read)
        "run.extra.metadata.session_id",
        "run.extra.metadata.conversation_id",
    ),
    # user and tenant: the configured names ([attributes]) come first; these follow
    "user": (
        "enduser.id",
        "user.id",
        "traceloop.association.properties.user_id",  # OpenLLMetry association properties
        "ai.telemetry.metadata.userId",  # Vercel AI SDK telemetry metadata
        "langfuse.user.id",
    ),
    "tenant": (
        "tenant.id",
        "traceloop.association.properties.tenant_id",
        "ai.telemetry.metadata.tenantId",
    ),
    "release": ("service.version", "deployment.version", "langfuse.release"),
    # -- the model and who serves it
    "model": (
        "gen_ai.response.model",
        "llm.model_name",  # OpenInference
        "ai.response.model",  # Vercel AI SDK
        "gen_ai.request.model",
        "ai.model.id",  # Vercel AI SDK
        "run.outputs.llm_output.model_name",  # LangSmith (LangChain): the response's model
        "run.extra.metadata.ls_model_name",  # LangSmith: the requested model
        "run.extra.invocation_params.model",
        "run.extra.invocation_params.model_name",
        "meta.model_name",  # Datadog LLM Observability
    ),
    "provider": (
        "gen_ai.provider.name",
        "gen_ai.system",  # deprecated (semconv <= 1.36)
        "llm.provider",  # OpenInference
        "llm.system",  # OpenInference
        "ai.model.provider",  # Vercel AI SDK: 'openai.responses' -> openai
        "ls_provider",  # LangChain run metadata (as Langfuse exports it)
        "run.extra.metadata.ls_provider",  # LangSmith
        "meta.model_provider",  # Datadog LLM Observability
    ),
    # -- usage: input tokens include cache reads and writes (the GenAI semconv rule; see input_tokens())
    "input_tokens": (
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.prompt_tokens",  # deprecated (semconv <= 1.26), OpenLLMetry <= 0.4
        "llm.token_count.prompt",  # OpenInference
        "ai.usage.inputTokens",  # Vercel AI SDK >= 5
        "ai.usage.promptTokens",  # Vercel AI SDK <= 4
        "run.prompt_tokens",  # LangSmith run
        "run.outputs.usage_metadata.input_tokens",  # LangSmith (LangChain usage_metadata, wrap_openai)
        "run.extra.metadata.usage_metadata.input_tokens",  # LangSmith traceable (run.set(usage_metadata=...))
        "run.outputs.llm_output.token_usage.prompt_tokens",  # LangChain LLMResult
        "metrics.input_tokens",  # Datadog LLM Observability
    ),
    "output_tokens": (
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.completion_tokens",  # deprecated (semconv <= 1.26), OpenLLMetry <= 0.4
        "llm.token_count.completion",  # OpenInference
        "ai.usage.outputTokens",  # Vercel AI SDK >= 5
        "ai.usage.completionTokens",  # Vercel AI SDK <= 4
        "run.completion_tokens",  # LangSmith run
        "run.outputs.usage_metadata.output_tokens",
        "run.extra.metadata.usage_metadata.output_tokens",
        "run.outputs.llm_output.token_usage.completion_tokens",
        "metrics.output_tokens",  # Datadog LLM Observability
    ),
    "cache_read_tokens": (
        "gen_ai.usage.cache_read.input_tokens",  # semconv, OpenLit, OpenLLMetry >= 0.5
        "gen_ai.usage.cache_read_input_tokens",  # OpenLLMetry <= 0.4 (Anthropic style)
        "llm.token_count.prompt_details.cache_read",  # OpenInference
        "llm.token_count.prompt_details.cache_input",  # newest openinference-instrumentation-openai
        "ai.usage.inputTokenDetails.cacheReadTokens",  # Vercel AI SDK 6
        "ai.usage.cachedInputTokens",  # Vercel AI SDK 5
        "gen_ai.usage.details.cache_read_tokens",  # pydantic-ai
        "run.prompt_token_details.cache_read",  # LangSmith run
        "run.outputs.usage_metadata.input_token_details.cache_read",
        "metrics.cache_read_input_tokens",  # Datadog LLM Observability
    ),
    "cache_write_tokens": (
        "gen_ai.usage.cache_creation.input_tokens",  # semconv
        "gen_ai.usage.cache_creation_input_tokens",  # OpenLLMetry <= 0.4 (Anthropic style)
        "llm.token_count.prompt_details.cache_write",  # OpenInference
        "ai.usage.inputTokenDetails.cacheWriteTokens",  # Vercel AI SDK 6
        "gen_ai.usage.details.cache_write_tokens",  # pydantic-ai
        "run.prompt_token_details.cache_creation",  # LangSmith run
        "run.outputs.usage_metadata.input_token_details.cache_creation",
        "metrics.cache_write_input_tokens",  # Datadog LLM Observability
    ),
    # a total cost in USD as reported by the instrumentation
    "cost": (
        "gen_ai.usage.cost",  # OpenLit
        "operation.cost",  # pydantic-ai (genai-prices)
        "llm.cost.total",  # OpenInference
        "run.total_cost",  # LangSmith run (its estimate, USD)
    ),
    # -- timing
    # time to first token/chunk in SECONDS (semconv's unit)
    "ttft_s": (
        "gen_ai.response.time_to_first_chunk",
        "gen_ai.response.time_to_first_token",
        "metrics.time_to_first_token",  # Datadog LLM Observability
    ),
    # time to first chunk in MILLISECONDS (Vercel AI SDK >= 4, and 3.x)
    "ttft_ms": ("ai.response.msToFirstChunk", "ai.stream.msToFirstChunk"),
    # OpenLit's TTFT in seconds: on a non-streaming call it is the whole call's duration, so it is
    # read only when the call streamed (see ttft_ms())
    "ttft_s_streaming_only": ("gen_ai.server.time_to_first_token",),
    "streaming": ("gen_ai.request.stream", "gen_ai.request.is_stream", "llm.is_streaming"),
    # -- tools
    "tool_name": ("gen_ai.tool.name", "tool.name", "ai.toolCall.name"),
    "tool_call_id": ("gen_ai.tool.call.id", "gen_ai.tool.call_id", "ai.toolCall.id"),  # call_id: Gemini CLI
    "traceloop_entity": ("traceloop.entity.name",),  # the tool's name on an OpenLLMetry tool span
    # Gemini CLI: the completed tool call as JSON; a tool that RETURNS an error keeps status OK and
    # only this says "status": "error" (written when prompt logging is on; older: output-json)
    "tool_output": ("gen_ai.output.messages", "output-json"),
    # Strands Agents: "error" on a tool span whose status is OK (the tool returned an error)
    "tool_status": ("gen_ai.tool.status",),
    # -- errors
    "error_type": ("error.type", "exception.type", "meta.error.type"),  # meta.error.type: Datadog
    # on a span event named EXCEPTION_EVENT (the OTel SDK's record_exception)
    "exception_type": ("exception.type",),
    # -- the same call recorded twice has the same response id
    "response_id": ("gen_ai.response.id", "ai.response.id"),
    # -- where the call went (a provider hint when no provider attribute is set)
    "server": ("server.address", "url.full", "http.url"),
    "service": ("service.name",),
}
EXCEPTION_EVENT = "exception"
# Token counts carried in span events (Monocle's `metadata` event, any library's usage event): read
# when the span's attributes carry none; bare names first, then the attribute names above.
EVENT_TOKENS: dict[str, tuple[str, ...]] = {
    "input_tokens": ("prompt_tokens", "input_tokens"),
    "output_tokens": ("completion_tokens", "output_tokens"),
}
# Span events whose time marks the first streamed chunk (TTFT = event time - span start).
FIRST_CHUNK_EVENTS: tuple[str, ...] = ("ai.stream.firstChunk", "llm.content.completion.chunk")

# Cost reported in parts (input + output), summed when no total is present: any-agent, OpenInference.
COST_PARTS: tuple[tuple[str, str], ...] = (
    ("gen_ai.usage.input_cost", "gen_ai.usage.output_cost"),
    ("llm.cost.prompt", "llm.cost.completion"),
)

# Fields also looked up on the resource when the span does not carry them.
RESOURCE_FIELDS = frozenset({"session", "release", "user", "tenant", "service"})

# Services whose resource service.version is not their release: Gemini CLI sets it to the
# Node.js version (process.version), so it is not read as the release.
SERVICE_VERSION_IS_NOT_RELEASE = frozenset({"gemini-cli"})

# ---------------------------------------------------------------------------------------------
SPAN_NAME = "span name"  # a Rule field: the span's name rather than an attribute

# Classification: what each library's decisive attribute says a span is, as data. Each rule names
# a field of ALIASES, how its value is compared (case), the role of each known value, and what an
# unlisted value means; `classify` reads the rules in order and the first that decides wins.


def _roles(**groups: tuple[str, ...]) -> dict[str, Role]:
    """value -> role from role=(values ...) groups."""
    return {value: role for role, values in groups.items() for value in values}  # type: ignore[misc]


@dataclass(frozen=True)
class Rule:
    """How one decisive attribute classifies a span.

    `otherwise` is the role of a value not in `roles`: "fall through" leaves the span to the next
    rules, and with `names_unknown` the value is remembered: a span no later rule decides is then
    ignored as an unknown operation, and the rules that read no decisive attribute do not apply.
    """

    field: str
    case: Literal["lower", "upper", "as is"]
    roles: Mapping[str, Role]
    otherwise: Role | Literal["fall through"] = "fall through"
    label: str = "{}"  # the label of a decided span; {} is the value (after `case`)
    names_unknown: bool = False
    about: str = ""  # the rule in words (docs/telemetry.md repeats them)


RULES: tuple[Rule, ...] = (
    Rule(
        "operation",  # gen_ai.operation.name
        "lower",
        _roles(
            turn=(
                "chat",
                "text_completion",
                "generate_content",
                "call_llm",  # any-agent
                "completion",
                "responses",
                "generate",
                "llm_call",  # Gemini CLI
            ),
            tool=("execute_tool", "tool_call"),  # tool_call: Gemini CLI
            # operations that wrap calls (agents, workflows, a user prompt ...): never a turn, whatever
            # usage they carry (it is the total of the calls below them)
            wrapper=(
                "invoke_agent",
                "create_agent",
                "invoke_workflow",
                "agent",  # older OpenLit
                "framework",  # older OpenLit
                "execute_task",  # older OpenLit
                "workflow",
                "task",
                "user_prompt",  # Gemini CLI
                "schedule_tool_calls",  # Gemini CLI
                "agent_call",  # Gemini CLI
                "vectordb",  # OpenLit
                "retrieval",
            ),
            # calls that cost money but are not an assistant turn
            other_call=("embeddings", "embedding", "image", "audio", "create_embedding"),
        ),
        names_unknown=True,
        about="gen_ai.operation.name: a turn, tool, wrapper or other-call operation (an unknown value falls through)",
    ),
    Rule(
        "vercel_operation",  # Vercel AI SDK ai.operationId
        "as is",
        _roles(
            turn=(
                "ai.generateText.doGenerate",
                "ai.streamText.doStream",
                "ai.generateObject.doGenerate",
                "ai.streamObject.doStream",
            ),
            tool=("ai.toolCall",),
            wrapper=("ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject"),
            other_call=("ai.embed", "ai.embedMany", "ai.embed.doEmbed", "ai.embedMany.doEmbed"),
        ),
        names_unknown=True,
        about="ai.operationId (Vercel AI SDK): do* calls are turns, ai.toolCall a tool, the outer calls wrappers",
    ),
    Rule(
        "openinference_kind",  # OpenInference span kinds; anything else (RETRIEVER, RERANKER, ...) is other
        "upper",
        _roles(
            turn=("LLM",),
            tool=("TOOL",),
            other_call=("EMBEDDING",),
            wrapper=("AGENT", "CHAIN"),
            evaluator=("EVALUATOR",),
        ),
        otherwise="other",
        about="openinference.span.kind (Phoenix: span_kind): LLM turn, TOOL tool, EMBEDDING other call, "
        "AGENT/CHAIN wrappers, EVALUATOR an evaluation's own work (with every span under it)",
    ),
    Rule(
        "traceloop_kind",  # OpenLLMetry decorators
        "lower",
        _roles(tool=("tool",)),
        otherwise="wrapper",
        label="traceloop {}",
        about="traceloop.span.kind (OpenLLMetry): tool a tool, workflow/task/agent wrappers",
    ),
    Rule(
        "llm_request_type",  # OpenLLMetry <= 0.4
        "lower",
        _roles(turn=("chat", "completion"), other_call=("embedding", "rerank")),
        label="llm.request.type {}",
        about="llm.request.type (OpenLLMetry <= 0.4): chat/completion a turn",
    ),
    Rule(
        "monocle_span_type",  # Monocle (okahu); older versions capitalise (Inference, Workflow)
        "lower",
        _roles(
            turn=("inference", "inference.framework", "inference.modelapi"),
            tool=("agentic.tool.invocation", "agentic.mcp.invocation"),
            wrapper=("agentic.invocation", "agentic.request", "agentic.delegation", "workflow"),
            other_call=("embedding", "retrieval.embedding"),
            other=("retrieval",),
        ),
        label="span.type {}",
        about="span.type (Monocle): inference a turn, agentic.tool.invocation a tool, agentic.* and workflow wrappers",
    ),
    Rule(
        "langsmith_run_type",
        "lower",
        _roles(
            turn=("llm",),
            tool=("tool",),
            wrapper=("chain",),
            other_call=("embedding",),
            other=("retriever", "prompt", "parser"),
        ),
        otherwise="other",
        label="run_type {}",
        about="run_type (LangSmith runs): llm a turn, tool a tool, chain a wrapper, embedding another call",
    ),
    Rule(
        "datadog_span_kind",
        "lower",
        _roles(
            turn=("llm",),
            tool=("tool",),
            wrapper=("agent", "workflow", "task"),
            other_call=("embedding",),
            other=("retrieval",),
        ),
        otherwise="other",
        label="span.kind {}",
        about="meta.span.kind (Datadog LLM Observability): llm a turn, tool a tool, agent/workflow/task wrappers, "
        "embedding another call",
    ),
    Rule(
        SPAN_NAME,  # the span's name, for libraries whose spans say what they are by name only
        "as is",
        _roles(turn=("call_llm",)),  # Google ADK's own LLM call span (no operation name, any kind)
        label="{} span",
        about="the span name call_llm (Google ADK's own spans, any kind): a turn",
    ),
)
TOOL_OPERATIONS = frozenset(v for v, role in RULES[0].roles.items() if role == "tool")

# The order in which the decisive attributes are consulted (docs/telemetry.md repeats it).
CLASSIFICATION: tuple[str, ...] = tuple(rule.about for rule in RULES) + (
    "gen_ai.tool.name without an operation (pydantic-ai <= v2 'running tool', pre-1.27 semconv): a tool",
    "a CLIENT span with a provider (gen_ai.system / gen_ai.provider.name) and token usage (pre-1.27 semconv): a turn",
)

# Key prefixes that make a flat JSON object a span attribute set (format span-attributes).
ATTRIBUTE_PREFIXES: tuple[str, ...] = ("gen_ai.", "llm.", "openinference.", "ai.")

# Span name prefixes that name a tool when no tool-name attribute is set ("execute_tool get_weather");
# OpenLLMetry names a tool span "<name>.tool".
TOOL_SPAN_NAME_PREFIXES: tuple[str, ...] = ("execute_tool ", "running tool: ")
TOOL_SPAN_NAME_SUFFIXES: tuple[str, ...] = (".tool",)

# The tenant a session gets when none of the configured tenant attributes is present: the contract
# requires a tenant, and dropping the session would lose its turns' context. Counted in a note.
UNKNOWN_TENANT = "unknown"

# Why a span that is not loaded was ignored (the reasons launchkit counts and reports).
REASON_RERECORDED = "re-recorded call"
REASON_NOT_GENAI = "not an LLM or tool span"
# The label of a span under an evaluator, by the role it would have had (an ignore reason names it).
UNDER_EVALUATOR: dict[Role | None, str] = {"turn": "judge's LLM call", "tool": "judge's tool call"}
UNDER_EVALUATOR_OTHER = "span under an evaluator"


Index = dict[str, tuple[tuple[str, int], ...]]


def alias_index(extra: Mapping[str, tuple[str, ...]] | None = None) -> Index:
    """Attribute name -> (field, rank) of every alias it is (a name may serve more than one field).

    `extra` adds fields of the caller's own (the configured user and tenant names), read in the same pass.
    """
    out: dict[str, list[tuple[str, int]]] = {}
    for fld, names in {**ALIASES, **(extra or {})}.items():
        for rank, name in enumerate(names):
            out.setdefault(name, []).append((fld, rank))
    return {k: tuple(v) for k, v in out.items()}


_INDEX = alias_index()


def read(attrs: Mapping[str, Any], index: Index | None = None) -> dict[str, Any]:
    """Every logical field a span's attributes give, each from its first alias present with a usable
    value (the same answer as `first` per field, in one pass over the attributes)."""
    best: dict[str, tuple[int, Any]] = {}
    index = _INDEX if index is None else index
    for key, value in attrs.items():
        hits = index.get(key)
        if hits is None or value is None or (type(value) is str and not value.strip()):
            continue
        for fld, rank in hits:
            cur = best.get(fld)
            if cur is None or rank < cur[0]:
                best[fld] = (rank, value)
    return {fld: v for fld, (_, v) in best.items()}


def _decide(rule: Rule, value: Any) -> tuple[Role | None, str] | None:
    """(role, label) when `rule` decides for `value`, else None (the next rules are read)."""
    v = value.strip()
    v = v.lower() if rule.case == "lower" else v.upper() if rule.case == "upper" else v
    role = rule.roles.get(v, rule.otherwise)
    return None if role == "fall through" else (role, rule.label.format(v))


def classify(
    attrs: Mapping[str, Any],
    kind: str | None = None,
    *,
    fields: Mapping[str, Any] | None = None,
    name: str | None = None,
) -> tuple[Role | None, str]:
    """(role, label) of a span from its attributes (or their `read` fields) and span kind; role None:
    nothing launchkit reads.

    The label names what decided (an operation, a kind) for the ignore reasons. The first rule of
    RULES that decides wins; an unknown gen_ai.operation.name falls through to the others.
    """
    f = read(attrs) if fields is None else fields
    unknown: str | None = None
    for rule in RULES:
        value = name if rule.field == SPAN_NAME else f.get(rule.field)
        if isinstance(value, str) and value.strip():
            decided = _decide(rule, value)
            if decided is not None:
                return decided
            if rule.names_unknown:
                unknown = unknown or value.strip()
    if unknown is not None:
        return None, f"unknown operation '{unknown}'"
    if f.get("tool_name") is not None:
        return "tool", "tool name"
    usage = f.get("input_tokens") is not None or f.get("output_tokens") is not None
    if kind == "client" and f.get("provider") is not None and usage:
        return "turn", "client span with usage"
    return None, REASON_NOT_GENAI


def entity_fields(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Monocle's entities as fields: entity.N.type says what entity N is (model.llm.gpt-4o,
    inference.azure_openai, tool.langgraph), entity.N.name names it. The first of each kind wins."""
    out: dict[str, Any] = {}
    for n in range(1, 1 + MAX_ENTITIES):
        etype = attrs.get(f"entity.{n}.type")
        if not isinstance(etype, str):
            continue
        kind, _, rest = etype.strip().lower().partition(".")
        name = attrs.get(f"entity.{n}.name")
        if kind == "model" and usable(name):
            out.setdefault("model", name)
        elif kind == "inference":
            if rest:
                out.setdefault("provider", rest)
            if usable(attrs.get(f"entity.{n}.provider_name")):
                out.setdefault("server", attrs[f"entity.{n}.provider_name"])
        elif kind == "tool" and usable(name):
            out.setdefault("tool_name", name)
    return out


MAX_ENTITIES = 8


def event_tokens(events: list[tuple[str, dict[str, Any], int | None]]) -> dict[str, Any]:
    """Input and output token counts carried in a span's events (the first event that carries any)."""
    for name, attrs, _ in events:
        if name == EXCEPTION_EVENT or not attrs:
            continue
        out = {}
        for fld, bare in EVENT_TOKENS.items():
            value = lookup(attrs, bare + ALIASES[fld])
            if value is not None:
                out[fld] = value
        if out:
            return out
    return {}


def genai_tool(attrs: Mapping[str, Any]) -> bool:
    """A tool call by the GenAI conventions' own names: a tool operation, or gen_ai.tool.name (the first
    tool_name alias). Langfuse SPAN observations become tool calls by this, not by other libraries' names."""
    op = lookup(attrs, ALIASES["operation"])
    if isinstance(op, str) and op.strip().lower() in TOOL_OPERATIONS:
        return True
    return lookup(attrs, ALIASES["tool_name"][:1]) is not None


def ignore_reason(role: Role | None, label: str) -> str:
    """The ignore reason of a span that is neither a turn nor a tool call."""
    if role == "wrapper":
        return f"agent or workflow span ({label})"
    if role == "other_call":
        return f"not an assistant turn ({label})"
    if role == "other":
        return f"not an LLM or tool span ({label})"
    if role == "evaluator":
        return f"an evaluation's own work ({label})"
    return label


def usable(value: Any) -> bool:
    """Present and not blank."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def lookup(attrs: Mapping[str, Any], names: tuple[str, ...] | list[str]) -> Any:
    """The value of the first attribute in `names` that is present and not empty, else None."""
    for name in names:
        value = attrs.get(name)
        if value is not None and usable(value):
            return value
    return None


def first(field: str, attrs: Mapping[str, Any], resource: Mapping[str, Any] | None = None) -> Any:
    """The value of logical `field` (a key of ALIASES) on a span, falling back to its resource."""
    value = lookup(attrs, ALIASES[field])
    if value is None and resource and field in RESOURCE_FIELDS:
        value = lookup(resource, ALIASES[field])
    return value


def release(fields: Mapping[str, Any], resource_fields: Mapping[str, Any]) -> str | None:
    """The release of the instrumented service (service.version), except where that is not one; from a
    span's `read` fields, then its resource's."""
    service = fields.get("service", resource_fields.get("service"))
    if isinstance(service, str) and service.strip().lower() in SERVICE_VERSION_IS_NOT_RELEASE:
        return None
    value = fields.get("release", resource_fields.get("release"))
    return None if value is None else str(value)


def tool_name_from_span_name(name: str) -> str | None:
    """The tool a span name names ('execute_tool get_weather', 'running tool: x', 'run_sql.tool')."""
    for prefix in TOOL_SPAN_NAME_PREFIXES:
        if name.startswith(prefix) and name[len(prefix) :].strip():
            return name[len(prefix) :].strip()
    for suffix in TOOL_SPAN_NAME_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)].strip():
            return name[: -len(suffix)].strip()
    return None
