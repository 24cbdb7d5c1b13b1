"""The one table of telemetry attribute names launchkit reads, and how a span is classified.

Attribute names drift between versions of the OpenTelemetry GenAI semantic conventions and differ
between instrumentation libraries (OpenLLMetry/Traceloop, the Vercel AI SDK, OpenInference, OpenLit,
pydantic-ai/Logfire, Gemini CLI, any-agent ...). Every name the importers look for is listed here,
in order of precedence: the first attribute present with a usable value wins. Nothing else in
launchkit spells an attribute name. docs/telemetry.md shows this table to users, with the library
each name comes from.

`classify` says what a span is (an LLM call, a tool call, an agent/workflow wrapper, another kind
of call, or nothing launchkit reads) from the decisive attribute of each library, in a fixed order
(CLASSIFICATION below). `normalise_model` and `normalise_provider` give one name per model and per
provider for breakdowns and pricing; the raw model name is kept beside it.

Tenant and user attributes are configurable ([attributes] tenant = [...], user = [...] in
launchkit.toml; the defaults live in launchkit.config.schema.DEFAULTS); the names below under
"tenant" and "user" are the instrumentation libraries' own keys, looked up after the configured ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

# turn: an LLM call; tool: a tool call; wrapper: an agent/workflow span around calls (its usage, if
# any, is the total of the calls below it); other_call: a call that costs money but is not an
# assistant turn (embeddings); other: a span a library marks as something else (a retriever).
Role = Literal["turn", "tool", "wrapper", "other_call", "other"]

# Logical field -> attribute names, first match wins. Values are read from the span's attributes,
# then (for the fields in RESOURCE_FIELDS) from its resource's attributes.
ALIASES: dict[str, tuple[str, ...]] = {
    # -- what the span is (see classify)
    "operation": ("gen_ai.operation.name",),  # OTel GenAI semconv >= 1.27, OpenLit, pydantic-ai, Gemini CLI
    "vercel_operation": ("ai.operationId",),  # Vercel AI SDK
    "openinference_kind": ("openinference.span.kind",),  # OpenInference (Phoenix: top-level span_kind)
    "traceloop_kind": ("traceloop.span.kind",),  # OpenLLMetry decorators (workflow, task, agent, tool)
    "llm_request_type": ("llm.request.type",),  # OpenLLMetry <= 0.4 LLM spans (chat, completion)
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
    ),
    "provider": (
        "gen_ai.provider.name",
        "gen_ai.system",  # deprecated (semconv <= 1.36)
        "llm.provider",  # OpenInference
        "llm.system",  # OpenInference
        "ai.model.provider",  # Vercel AI SDK: 'openai.responses' -> openai
        "ls_provider",  # LangChain run metadata (as Langfuse exports it)
    ),
    # -- usage: input tokens include cache reads and writes (the GenAI semconv rule; see input_tokens())
    "input_tokens": (
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.prompt_tokens",  # deprecated (semconv <= 1.26), OpenLLMetry <= 0.4
        "llm.token_count.prompt",  # OpenInference
        "ai.usage.inputTokens",  # Vercel AI SDK >= 5
        "ai.usage.promptTokens",  # Vercel AI SDK <= 4
    ),
    "output_tokens": (
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.completion_tokens",  # deprecated (semconv <= 1.26), OpenLLMetry <= 0.4
        "llm.token_count.completion",  # OpenInference
        "ai.usage.outputTokens",  # Vercel AI SDK >= 5
        "ai.usage.completionTokens",  # Vercel AI SDK <= 4
    ),
    "cache_read_tokens": (
        "gen_ai.usage.cache_read.input_tokens",  # semconv, OpenLit, OpenLLMetry >= 0.5
        "gen_ai.usage.cache_read_input_tokens",  # OpenLLMetry <= 0.4 (Anthropic style)
        "llm.token_count.prompt_details.cache_read",  # OpenInference
        "llm.token_count.prompt_details.cache_input",  # newest openinference-instrumentation-openai
        "ai.usage.inputTokenDetails.cacheReadTokens",  # Vercel AI SDK 6
        "ai.usage.cachedInputTokens",  # Vercel AI SDK 5
        "gen_ai.usage.details.cache_read_tokens",  # pydantic-ai
    ),
    "cache_write_tokens": (
        "gen_ai.usage.cache_creation.input_tokens",  # semconv
        "gen_ai.usage.cache_creation_input_tokens",  # OpenLLMetry <= 0.4 (Anthropic style)
        "llm.token_count.prompt_details.cache_write",  # OpenInference
        "ai.usage.inputTokenDetails.cacheWriteTokens",  # Vercel AI SDK 6
        "gen_ai.usage.details.cache_write_tokens",  # pydantic-ai
    ),
    # a total cost in USD as reported by the instrumentation
    "cost": (
        "gen_ai.usage.cost",  # OpenLit
        "operation.cost",  # pydantic-ai (genai-prices)
        "llm.cost.total",  # OpenInference
    ),
    # -- timing
    # time to first token/chunk in SECONDS (semconv's unit)
    "ttft_s": ("gen_ai.response.time_to_first_chunk", "gen_ai.response.time_to_first_token"),
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
    # -- errors
    "error_type": ("error.type", "exception.type"),
    # on a span event named EXCEPTION_EVENT (the OTel SDK's record_exception)
    "exception_type": ("exception.type",),
    # -- the same call recorded twice has the same response id
    "response_id": ("gen_ai.response.id", "ai.response.id"),
    # -- where the call went (a provider hint when no provider attribute is set)
    "server": ("server.address", "url.full", "http.url"),
    "service": ("service.name",),
}
EXCEPTION_EVENT = "exception"
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
# Classification: what each library's decisive attribute says a span is.

# gen_ai.operation.name values (lowercased).
TURN_OPERATIONS = frozenset(
    {
        "chat",
        "text_completion",
        "generate_content",
        "call_llm",  # any-agent
        "completion",
        "responses",
        "generate",
        "llm_call",  # Gemini CLI
    }
)
TOOL_OPERATIONS = frozenset({"execute_tool", "tool_call"})  # tool_call: Gemini CLI
# Operations that wrap calls (agents, workflows, a user prompt ...): never a turn, whatever usage
# they carry (it is the total of the calls below them).
WRAPPER_OPERATIONS = frozenset(
    {
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
    }
)
# Calls that cost money but are not an assistant turn.
OTHER_CALL_OPERATIONS = frozenset({"embeddings", "embedding", "image", "audio", "create_embedding"})

# Vercel AI SDK ai.operationId values.
VERCEL_TURN_IDS = frozenset(
    {
        "ai.generateText.doGenerate",
        "ai.streamText.doStream",
        "ai.generateObject.doGenerate",
        "ai.streamObject.doStream",
    }
)
VERCEL_TOOL_IDS = frozenset({"ai.toolCall"})
VERCEL_WRAPPER_IDS = frozenset({"ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject"})
VERCEL_OTHER_CALL_IDS = frozenset({"ai.embed", "ai.embedMany", "ai.embed.doEmbed", "ai.embedMany.doEmbed"})

# OpenInference span kinds (upper case).
OPENINFERENCE_TURN_KINDS = frozenset({"LLM"})
OPENINFERENCE_TOOL_KINDS = frozenset({"TOOL"})
OPENINFERENCE_OTHER_CALL_KINDS = frozenset({"EMBEDDING"})
OPENINFERENCE_WRAPPER_KINDS = frozenset({"AGENT", "CHAIN"})

# OpenLLMetry traceloop.span.kind values and llm.request.type values.
TRACELOOP_TOOL_KINDS = frozenset({"tool"})
LLM_REQUEST_TURN_TYPES = frozenset({"chat", "completion"})
LLM_REQUEST_OTHER_CALL_TYPES = frozenset({"embedding", "rerank"})

# The order in which the decisive attributes are consulted (docs/telemetry.md repeats it).
CLASSIFICATION: tuple[str, ...] = (
    "gen_ai.operation.name: a turn, tool, wrapper or other-call operation (an unknown value falls through)",
    "ai.operationId (Vercel AI SDK): do* calls are turns, ai.toolCall a tool, the outer calls wrappers",
    "openinference.span.kind (Phoenix: span_kind): LLM turn, TOOL tool, EMBEDDING other call, AGENT/CHAIN wrappers",
    "traceloop.span.kind (OpenLLMetry): tool a tool, workflow/task/agent wrappers",
    "llm.request.type (OpenLLMetry <= 0.4): chat/completion a turn",
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


def classify(
    attrs: Mapping[str, Any], kind: str | None = None, *, fields: Mapping[str, Any] | None = None
) -> tuple[Role | None, str]:
    """(role, label) of a span from its attributes (or their `read` fields) and span kind; role None:
    nothing launchkit reads.

    The label names what decided (an operation, a kind) for the ignore reasons. The first rule of
    CLASSIFICATION that applies wins; an unknown gen_ai.operation.name falls through to the others.
    """
    f = read(attrs) if fields is None else fields
    unknown: str | None = None
    op = f.get("operation")
    if isinstance(op, str) and op.strip():
        o = op.strip().lower()
        if o in TURN_OPERATIONS:
            return "turn", o
        if o in TOOL_OPERATIONS:
            return "tool", o
        if o in WRAPPER_OPERATIONS:
            return "wrapper", o
        if o in OTHER_CALL_OPERATIONS:
            return "other_call", o
        unknown = op.strip()
    vop = f.get("vercel_operation")
    if isinstance(vop, str) and vop.strip():
        v = vop.strip()
        if v in VERCEL_TURN_IDS:
            return "turn", v
        if v in VERCEL_TOOL_IDS:
            return "tool", v
        if v in VERCEL_WRAPPER_IDS:
            return "wrapper", v
        if v in VERCEL_OTHER_CALL_IDS:
            return "other_call", v
        unknown = unknown or v
    oik = f.get("openinference_kind")
    if isinstance(oik, str) and oik.strip():
        k = oik.strip().upper()
        if k in OPENINFERENCE_TURN_KINDS:
            return "turn", k
        if k in OPENINFERENCE_TOOL_KINDS:
            return "tool", k
        if k in OPENINFERENCE_OTHER_CALL_KINDS:
            return "other_call", k
        if k in OPENINFERENCE_WRAPPER_KINDS:
            return "wrapper", k
        return "other", k  # RETRIEVER, RERANKER, GUARDRAIL, EVALUATOR, PROMPT, UNKNOWN
    tk = f.get("traceloop_kind")
    if isinstance(tk, str) and tk.strip():
        t = tk.strip().lower()
        if t in TRACELOOP_TOOL_KINDS:
            return "tool", f"traceloop {t}"
        return "wrapper", f"traceloop {t}"
    rt = f.get("llm_request_type")
    if isinstance(rt, str) and rt.strip():
        r = rt.strip().lower()
        if r in LLM_REQUEST_TURN_TYPES:
            return "turn", f"llm.request.type {r}"
        if r in LLM_REQUEST_OTHER_CALL_TYPES:
            return "other_call", f"llm.request.type {r}"
    if unknown is None and f.get("tool_name") is not None:
        return "tool", "tool name"
    if (
        unknown is None
        and kind == "client"
        and f.get("provider") is not None
        and (f.get("input_tokens") is not None or f.get("output_tokens") is not None)
    ):
        return "turn", "client span with usage"
    if unknown is not None:
        return None, f"unknown operation '{unknown}'"
    return None, REASON_NOT_GENAI


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
    return label


def _usable(value: Any) -> bool:
    """Present and not blank."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def lookup(attrs: Mapping[str, Any], names: tuple[str, ...] | list[str]) -> Any:
    """The value of the first attribute in `names` that is present and not empty, else None."""
    for name in names:
        value = attrs.get(name)
        if value is not None and _usable(value):
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


# ---------------------------------------------------------------------------------------------
# Values


def number(value: Any) -> float | None:
    """A finite number from a number or numeric text; None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
    else:
        try:
            f = float(str(value).strip())
        except (TypeError, ValueError):
            return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


def count(value: Any) -> Any:
    """A token count as a whole number when it is one (1180.0 from a pandas export -> 1180); other
    values pass through unchanged for the loader to reject with its reason; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        f = number(text)
        return int(f) if f is not None and f.is_integer() else value
    return value


def whole(value: Any) -> int | None:
    """A token count as an int when it is a whole number >= 0 (for arithmetic), else None."""
    v = count(value)
    return v if isinstance(v, int) and v >= 0 else None


def tokens(attrs: Mapping[str, Any], *, fields: Mapping[str, Any] | None = None) -> tuple[Any, Any, Any, Any]:
    """(input, output, cache read, cache write) of a span, input including the cache tokens.

    The GenAI semconv says gen_ai.usage.input_tokens SHOULD include cache reads and writes, and
    OpenAI-style counts do. Some instrumentations report Anthropic's raw input_tokens, which
    exclude them: when cache reads + writes exceed the input count, the input count cannot include
    them, so they are added. Values that are not whole numbers pass through for the loader.
    """
    f = read(attrs) if fields is None else fields
    inp = count(f.get("input_tokens"))
    out = count(f.get("output_tokens"))
    cr = count(f.get("cache_read_tokens"))
    cw = count(f.get("cache_write_tokens"))
    if isinstance(inp, int) and (isinstance(cr, int) or isinstance(cw, int)):
        cache = (cr if isinstance(cr, int) else 0) + (cw if isinstance(cw, int) else 0)
        if cache > inp:
            inp = inp + cache
    return inp, out, cr, cw


def cost(attrs: Mapping[str, Any], *, fields: Mapping[str, Any] | None = None) -> float | None:
    """Reported cost in USD: a total attribute, else the sum of an input/output pair; None when absent."""
    total = (read(attrs) if fields is None else fields).get("cost")
    if total is not None:
        return number(total)
    for a, b in COST_PARTS:
        pa, pb = number(attrs.get(a)), number(attrs.get(b))
        if pa is not None or pb is not None:
            if pa is None or pb is None:
                return None  # half a cost is not a cost
            return pa + pb
    return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def ttft_ms(fields: Mapping[str, Any]) -> Any:
    """Time to first token in milliseconds from a span's `read` fields (None when none is given)."""
    value = fields.get("ttft_s")
    if value is not None:
        n = number(value)
        return n * 1000.0 if n is not None else value
    value = fields.get("ttft_ms")
    if value is not None:
        n = number(value)
        return n if n is not None else value
    value = fields.get("ttft_s_streaming_only")
    if value is not None and _truthy(fields.get("streaming")):
        n = number(value)
        return n * 1000.0 if n is not None else value
    return None


def is_timeout(error_type: Any) -> bool:
    """An error type that means the call timed out (status 'timeout' in the contract)."""
    if not isinstance(error_type, str):
        return False
    e = error_type.strip().lower()
    return "timeout" in e or "timed_out" in e or e == "deadline_exceeded"


def tool_failure(fields: Mapping[str, Any]) -> tuple[bool, str | None]:
    """(failed, error type) from a completed-tool-call JSON attribute (Gemini CLI), else (False, None)."""
    text = fields.get("tool_output")
    if not isinstance(text, str) or '"status"' not in text:
        return False, None
    try:
        doc = json.loads(text)
    except ValueError:
        return False, None
    if not isinstance(doc, Mapping) or str(doc.get("status") or "").lower() != "error":
        return False, None
    resp = doc.get("response")
    etype = resp.get("errorType") if isinstance(resp, Mapping) else None
    return True, (str(etype) if etype else "error")


def tool_name_from_span_name(name: str) -> str | None:
    """The tool a span name names ('execute_tool get_weather', 'running tool: x', 'run_sql.tool')."""
    for prefix in TOOL_SPAN_NAME_PREFIXES:
        if name.startswith(prefix) and name[len(prefix) :].strip():
            return name[len(prefix) :].strip()
    for suffix in TOOL_SPAN_NAME_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)].strip():
            return name[: -len(suffix)].strip()
    return None


# ---------------------------------------------------------------------------------------------
# One name per model and per provider

# Provider names (gen_ai.provider.name / gen_ai.system values, OpenInference llm.provider, the
# Vercel provider prefix) -> the provider ids of the genai-prices library, which launchkit uses as
# the one name of a provider. A name not listed is kept (lowercased, before its first '.').
PROVIDERS: dict[str, str] = {
    "openai": "openai",
    "azure": "azure",
    "az": "azure",  # az.ai.inference, az.ai.openai
    "azure_openai": "azure",
    "azure-openai": "azure",
    "anthropic": "anthropic",
    "aws": "aws",  # aws.bedrock
    "bedrock": "aws",
    "amazon-bedrock": "aws",
    "gcp": "google",  # gcp.gemini, gcp.vertex_ai, gcp.gen_ai
    "google": "google",  # google.generative-ai, google.vertex (Vercel)
    "gemini": "google",
    "vertex_ai": "google",
    "vertexai": "google",
    "mistral_ai": "mistral",
    "mistralai": "mistral",
    "mistral": "mistral",
    "x_ai": "x-ai",
    "xai": "x-ai",
    "groq": "groq",
    "deepseek": "deepseek",
    "cohere": "cohere",
    "perplexity": "perplexity",
    "together": "together",
    "togetherai": "together",
    "fireworks": "fireworks",
    "openrouter": "openrouter",
    "cerebras": "cerebras",
}
# Where a call went -> its provider, when no provider attribute says it (server.address / url.full).
PROVIDER_HOSTS: tuple[tuple[str, str], ...] = (
    ("api.openai.com", "openai"),
    (".openai.azure.com", "azure"),
    ("api.anthropic.com", "anthropic"),
    ("generativelanguage.googleapis.com", "google"),
    ("aiplatform.googleapis.com", "google"),
    ("bedrock-runtime.", "aws"),
    ("api.mistral.ai", "mistral"),
    ("api.groq.com", "groq"),
    ("api.deepseek.com", "deepseek"),
    ("api.x.ai", "x-ai"),
    ("api.together.xyz", "together"),
    ("openrouter.ai", "openrouter"),
    ("api.cohere.", "cohere"),
)
# Bedrock model ids: optional cross-region prefix, the vendor, the model, a version suffix.
_BEDROCK = re.compile(
    r"^(?:(?:us|eu|apac|us-gov|ca|jp|au|global|regional)\.)?"
    r"(?:anthropic|meta|amazon|mistral|cohere|ai21|deepseek|writer|qwen|openai|twelvelabs)\."
    r"(?P<model>.+?)(?::\d+)?$"
)
_BEDROCK_VERSION = re.compile(r"(-\d{8})-v\d+$")  # claude-3-7-sonnet-20250219-v1 -> ...-20250219
_DATE_SUFFIX = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-latest)$")
_OPENAI_SNAPSHOT = re.compile(r"^(gpt-[0-9a-z.\-]+?)-(?:0[1-9]|1[0-2])\d{2}$")  # gpt-4-0613, gpt-3.5-turbo-0125
_GEMINI_VERSION = re.compile(r"^(gemini-.+?)-\d{3}$")  # gemini-1.5-pro-002


def normalise_provider(value: Any) -> str | None:
    """One name per provider ('openai.responses' -> openai, 'aws.bedrock' -> aws, 'gcp.gemini' -> google)."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if not text:
        return None
    if text in PROVIDERS:
        return PROVIDERS[text]
    head = text.split(".", 1)[0]
    return PROVIDERS.get(head, head)


def provider_from_server(value: Any) -> str | None:
    """The provider a server address or URL belongs to, when it is a known API host."""
    if not isinstance(value, str):
        return None
    host = value.strip().lower()
    for pattern, provider in PROVIDER_HOSTS:
        if pattern in host:
            return provider
    return None


def normalise_model(value: Any) -> str | None:
    """One name per model for breakdowns: lowercased, without a provider or path prefix, a Bedrock
    region/vendor prefix and version suffix, or a date/snapshot suffix.

        gpt-4o-2024-08-06 -> gpt-4o          openai/o3 -> o3          models/gemini-2.5-pro -> gemini-2.5-pro
        us.anthropic.claude-3-7-sonnet-20250219-v1:0 -> claude-3-7-sonnet
        claude-3-5-sonnet-v2@20241022 -> claude-3-5-sonnet-v2    mistral-small-latest -> mistral-small

    The name as reported is kept beside it (turns.model_raw) and is what prices are looked up by.
    """
    if value is None:
        return None
    m = str(value).strip().lower()
    if not m:
        return None
    if "/" in m:
        m = m.rstrip("/").rsplit("/", 1)[-1]
    b = _BEDROCK.match(m)
    if b:
        m = _BEDROCK_VERSION.sub(r"\1", b.group("model"))
    m = _DATE_SUFFIX.sub("", m)
    for pattern in (_OPENAI_SNAPSHOT, _GEMINI_VERSION):
        hit = pattern.match(m)
        if hit:
            m = hit.group(1)
    return m or None
