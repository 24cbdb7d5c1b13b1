"""Telemetry from the instrumentations teams run: one hand-written fixture per library, counts worked by hand.

Every fixture under tests/fixtures/telemetry/ was written for this project from the library's
source (tests/fixtures/telemetry/README.md names the files each shape comes from). The expected
numbers below are worked out by hand from the fixture's span values, written as the sums they are;
each folder's expected.json holds the same hand-worked numbers with the reasoning behind each
(test_the_literals_agree_with_expected_json checks the two agree). The importer is never the oracle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from launchkit.config import Config
from launchkit.jobs import load
from launchkit.store.warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "telemetry"


@dataclass(frozen=True)
class Expect:
    folder: str
    files: tuple[str, ...]
    turns: int
    failed_turns: int
    tools: int
    failed_tools: int
    sessions: tuple[str, ...]
    input: int
    output: int
    cache_read: int | None  # None: the instrumentation does not report it
    cache_write: int | None
    cost: float | None  # reported by the instrumentation; None: none reported
    ignored: dict[str, int]  # spans not loaded, by reason
    ttft_ms: dict[str, float] = field(default_factory=dict)  # turn id -> TTFT (the turns that have one)
    models: dict[str, int] = field(default_factory=dict)  # one name per model -> turns
    providers: dict[str | None, int] = field(default_factory=dict)
    users: dict[str, str | None] = field(default_factory=dict)  # session -> user
    tenants: tuple[str, ...] = ()
    releases: tuple[str | None, ...] = ()
    warnings: int = 0  # ignored spans that may hold an LLM call or its spend


RR = "re-recorded call"
NOT = "not an LLM or tool span"

CASES = [
    Expect(
        "openllmetry",
        ("openllmetry_otlp.json",),
        turns=5,  # llm.request.type=chat spans; the 429 call failed
        failed_turns=1,
        tools=3,  # traceloop.span.kind=tool: get_schema, run_sql (QueryCanceled), run_sql
        failed_tools=1,
        sessions=("sess-oll-01", "sess-oll-02"),  # traceloop.association.properties.session_id
        input=1250 + 1618 + 1702 + 420,  # gen_ai.usage.prompt_tokens (the 429 call has none) = 4990
        output=92 + 41 + 214 + 65,  # = 412
        cache_read=0 + 1280 + 1536 + 0,  # gen_ai.usage.cache_read_input_tokens = 2816
        cache_write=None,
        cost=None,
        ignored={
            "agent or workflow span (traceloop workflow)": 2,
            "agent or workflow span (traceloop agent)": 1,
            "agent or workflow span (traceloop task)": 1,
        },  # 12 spans = 5 + 3 + 4
        ttft_ms={"7984f82e52fad781": 530.0},  # first llm.content.completion.chunk 07.980 - start 07.450
        models={"gpt-4o": 3, "gpt-4o-mini": 2},
        providers={"openai": 5},
        users={"sess-oll-01": "u-ana", "sess-oll-02": "u-ben"},
        tenants=("t-acme",),
        releases=("2026.03.1",),
    ),
    Expect(
        "vercel_ai_sdk",
        ("vercel_ai_otlp.json",),
        turns=5,  # do* calls; ai.generateText / ai.streamText are wrappers repeating their totals
        failed_turns=0,
        tools=2,  # ai.toolCall; the first one QueryTimeoutError -> timeout
        failed_tools=1,
        sessions=("chat-7f3a", "chat-9b21"),  # ai.telemetry.metadata.sessionId
        input=980 + 1180 + 1342 + 1510 + 812,  # ai.usage.inputTokens (+ 3.x promptTokens) = 5824
        output=58 + 44 + 176 + 230 + 149,  # = 657
        cache_read=0 + 1024 + 1024 + 1408,  # ai.usage.cachedInputTokens = 3456
        cache_write=None,
        cost=None,
        ignored={NOT: 4, RR: 3},  # 3 HTTP + 1 route span; 3 wrappers whose usage = their do* calls
        ttft_ms={"29e8ff0dbc96787f": 412.7, "9f74f8a28429b3d5": 655.2},  # ms: ai.response / ai.stream.msToFirstChunk
        models={"gpt-4.1": 4, "gpt-4o-mini": 1},
        providers={"openai": 5},  # 'openai.responses' / 'openai.chat' -> openai
        users={"chat-7f3a": "u-carla", "chat-9b21": "u-dev"},
        tenants=("t-globex",),
        releases=("2025.11.4", "2026.03.1"),
    ),
    Expect(
        "openinference_smolagents",
        ("smolagents_otlp.json",),
        turns=4,  # 8 LLM spans: each call recorded twice (nested, same tokens) -> one turn each
        failed_turns=0,
        tools=4,  # TOOL spans incl. smolagents' final_answer; SQLQueryTool UndefinedTable failed
        failed_tools=1,
        sessions=("sess-smol-01", "sess-smol-02"),
        input=1105 + 1185 + 1210 + 1332,  # one value per call = 4832 (not 9664)
        output=38 + 123 + 96 + 140,  # = 397
        cache_read=1024 + 1280,  # prompt_details.cache_read on the ChatCompletion children = 2304
        cache_write=None,
        cost=None,
        # 4 outer LLM spans folded, 2 AGENT spans whose llm.token_count = their calls (2290, 2542)
        ignored={RR: 4 + 2, "agent or workflow span (CHAIN)": 4},
        models={"gpt-4o-mini": 4},
        providers={"openai": 2, None: 2},  # only the openai instrumentor's spans name the provider
        users={"sess-smol-01": "u-ivy", "sess-smol-02": "u-jon"},
        tenants=("t-initech",),
        releases=("2026.03.1",),
    ),
    Expect(
        "openlit",
        ("openlit_otlp.json",),
        turns=5,  # gen_ai.operation.name=chat; the gpt-4o 400 failed
        failed_turns=1,
        tools=2,  # execute_tool; the first TimeoutError -> timeout
        failed_tools=1,
        # OpenLit has no session attribute: the trace ids (the create_agent trace has no turn or tool)
        sessions=(
            "62dbccae6f36acc2c37aa79725f01998",
            "c4986efe52e3e02d1ea0b63cad2e9be9",
            "c50245066666aef26aee23688d663b7d",
        ),
        input=1460 + 1602 + 1755 + 3890,  # = 8707
        output=74 + 58 + 301 + 412,  # = 845
        cache_read=0 + 1408 + 1664 + 0,  # gen_ai.usage.cache_read.input_tokens = 3072
        cache_write=None,
        cost=0.0002634 + 0.0001695 + 0.00031905 + 0.013845,  # gen_ai.usage.cost = 0.01459695
        # invoke_workflow carries the crew's totals 4817 / 433 = 1460+1602+1755 / 74+58+301
        ignored={RR: 1, "agent or workflow span (invoke_agent)": 1, "agent or workflow span (create_agent)": 1},
        ttft_ms={"ab1e31fea5e41c27": 610.0},  # 0.61 s, the streaming call only (else it is the whole call)
        models={"gpt-4o-mini": 3, "gpt-4o": 2},
        providers={"openai": 5},
        users={},
        tenants=("unknown",),
    ),
    Expect(
        "pydantic_ai_logfire",
        ("pydantic_ai_otlp.json",),
        turns=4,  # chat spans; the 429 failed
        failed_turns=1,
        tools=3,  # 'running tool' spans: gen_ai.tool.name, no operation name; ToolRetryError failed
        failed_tools=1,
        sessions=("a6133ab5cadc67028f6c6b12e9f23841", "ebefafa334974b573713988ce4b35e4c"),  # trace ids
        input=1320 + 1610 + 1890,  # = 4820
        output=96 + 71 + 214,  # = 381
        cache_read=1152 + 1408 + 1664,  # gen_ai.usage.details.cache_read_tokens = 4224
        cache_write=None,
        cost=0.00282 + 0.002975 + 0.004785,  # operation.cost = 0.01058
        ignored={RR: 1, NOT: 3},  # 'agent run' with RunUsage totals; 'agent run' (429) and 2 'running tools'
        models={"gpt-4o": 3, "gpt-4o-mini": 1},
        providers={"openai": 4},
        tenants=("unknown",),
        releases=("2026.03.2",),
    ),
    Expect(
        "gemini_cli",
        ("gemini_cli_otlp.json",),
        turns=3,  # gen_ai.operation.name=llm_call
        failed_turns=0,
        tools=4,  # tool_call; one threw (ERROR), one returned an error (status OK, output says error)
        failed_tools=2,
        sessions=("6c1e2f9a-3b7d-4e21-9a55-0f3e7c2d8b14",),  # gen_ai.conversation.id over 3 traces
        input=9870 + 10244 + 11980,  # = 32094
        output=112 + 188 + 640,  # = 940
        cache_read=None,
        cache_write=None,
        cost=None,
        ignored={
            "agent or workflow span (user_prompt)": 3,
            "agent or workflow span (schedule_tool_calls)": 2,
            NOT: 3,  # HTTP POST spans under llm_call
        },
        models={"gemini-2.5-pro": 3},
        providers={None: 3},
        tenants=("unknown",),
        releases=(None,),  # service.version is the Node.js version (v22.14.0), not a release
    ),
    Expect(
        "otel_genai_semconv",
        ("genai_current_otlp.json",),
        turns=4,
        failed_turns=0,
        tools=2,  # error.type TimeoutError -> timeout
        failed_tools=1,
        sessions=("conv-7d2e", "conv-91ab"),
        input=(140 + 0 + 5100) + (398 + 5100 + 0) + (130 + 5100 + 480) + 2210,  # includes cache = 18658
        output=180 + 96 + 342 + 144,  # = 762
        cache_read=0 + 5100 + 5100 + 0,  # = 10200
        cache_write=5100 + 0 + 480 + 0,  # = 5580
        cost=None,
        # invoke_agent conv-7d2e carries the totals 16448 / 618 of its three chats; the embeddings
        # call's 14 input tokens are spend that is not a turn: a warning
        ignored={
            RR: 1,
            "agent or workflow span (invoke_agent)": 1,
            NOT: 1,
            "not an assistant turn (embeddings)": 1,
        },
        ttft_ms={"0d36a15111844ecb": 840.0, "5a7a435fa106b40c": 910.0, "6a35c4a6730c8d41": 420.0},
        models={"claude-sonnet-4-5": 3, "claude-haiku-4-5": 1},
        providers={"anthropic": 4},
        users={"conv-7d2e": "u-kira", "conv-91ab": "u-lena"},
        tenants=("t-initech",),
        releases=("2026.03.4",),
        warnings=1,
    ),
    Expect(
        "otel_genai_semconv",
        ("genai_deprecated_otlp.json",),
        turns=4,  # e2 has no operation name: CLIENT spans with gen_ai.system and prompt/completion tokens
        failed_turns=0,
        tools=2,  # d5 has only gen_ai.tool.name; it failed (KeyError)
        failed_tools=1,
        sessions=("s-dep-01", "s-dep-02"),  # session.id on the app root span
        input=812 + 901 + 640 + 760,  # gen_ai.usage.prompt_tokens = 3113
        output=57 + 130 + 88 + 41,  # = 316
        cache_read=None,
        cache_write=None,
        cost=None,
        ignored={NOT: 2},
        models={"gpt-4o": 2, "gpt-4o-mini": 2},
        providers={"openai": 4},
        users={"s-dep-01": "u-kim", "s-dep-02": "u-lee"},
        tenants=("t-initech",),
        releases=("2025.06.1",),
    ),
    Expect(
        "phoenix",
        ("phoenix_spans.jsonl",),
        turns=4,  # span_kind LLM (top level, not in attributes)
        failed_turns=0,
        tools=2,
        failed_tools=1,
        sessions=("thread-42", "thread-43"),  # attributes.session.id
        input=1180 + 1326 + 980 + 1102,  # floats in the file (1180.0) = 4588
        output=64 + 171 + 40 + 133,  # = 408
        cache_read=1024 + 1152 + 1024,  # null on one call = 3200
        cache_write=None,
        cost=None,
        ignored={"agent or workflow span (CHAIN)": 8},
        models={"gpt-4o": 4},
        providers={"openai": 4},
        users={"thread-42": "u-mia", "thread-43": "u-nils"},
        tenants=("unknown",),
    ),
    Expect(
        "otel_js",
        ("console_exporter_sdk2.jsonl", "console_exporter_sdk1.json", "readablespan_dump.json"),
        turns=4 + 1 + 1,
        failed_turns=0,
        tools=2 + 0 + 1,  # execute_tool get_metric; status {code: 2} + FetchError
        failed_tools=1,
        sessions=("conv-js-1", "conv-js-2", "conv-js-3", "conv-js-4"),  # from invoke_agent, over the trace
        input=(702 + 781 + 655 + 733) + 512 + 1204,  # = 4587
        output=(33 + 120 + 28 + 210) + 96 + 61,  # = 548
        cache_read=None,
        cache_write=None,
        cost=None,
        ignored={"agent or workflow span (invoke_agent)": 4, NOT: 2},  # + HTTP server and undici spans
        models={"gpt-4o-mini": 6},
        providers={"openai": 6},
        users={"conv-js-1": "u-max", "conv-js-2": "u-nia", "conv-js-3": "u-omar", "conv-js-4": "u-pia"},
        tenants=("t-umbrella",),
        releases=("2025.10.2", "2026.03.1"),
    ),
    Expect(
        "langfuse",
        ("a_usage_without_details.json",),
        turns=4,
        failed_turns=0,
        tools=1,  # level ERROR
        failed_tools=1,
        sessions=("lf-sess-a1", "lf-sess-a2"),
        input=2210 + 2380 + 1530 + 1710,  # inputUsage (a1), usage.input / promptTokens (a2) = 7830
        output=85 + 140 + 62 + 188,  # = 475
        cache_read=None,
        cache_write=None,
        cost=0.006375 + 0.00735 + 0.0002667 + 0.0003693,  # calculatedTotalCost = 0.014361
        ignored={"not an LLM or tool span (SPAN)": 2},
        ttft_ms={"a1-gen2": 270.0, "a2-gen2": 500.0},  # completionStartTime - startTime
        models={"gpt-4o": 2, "gpt-4o-mini": 2},
        providers={None: 4},
        users={"lf-sess-a1": "u-olga", "lf-sess-a2": "u-pete"},
        tenants=("t-hooli",),
        releases=("2026.03.3",),
    ),
    Expect(
        "langfuse",
        ("b_traces_and_observations.json",),
        turns=3,
        failed_turns=0,
        tools=2,
        failed_tools=1,
        sessions=("lf-sess-b1",),  # two traces, one sessionId
        input=(156 + 1024) + (318 + 1152) + (1290 + 0),  # usageDetails input + input_cache_read = 3940
        output=77 + 143 + 96,  # = 316
        cache_read=1024 + 1152 + 0,  # = 2176
        cache_write=None,
        cost=0.00244 + 0.003665 + 0.004185,  # = 0.01029
        ignored={"not an LLM or tool span (SPAN)": 2},
        models={"gpt-4o": 3},
        providers={None: 3},
        users={"lf-sess-b1": "u-quinn"},
        tenants=("t-hooli",),
        releases=("2026.03.3",),
    ),
    Expect(
        "langfuse",
        ("cd_tool_spans_and_conversation_ids.json",),
        turns=3,
        failed_turns=0,
        tools=2,  # SPANs 'execute_tool sql_query' (TimeoutError) and 'execute_tool get_schema'
        failed_tools=1,
        sessions=("conv-lf-77", "conv-lf-78"),  # gen_ai.conversation.id / conversation_id in metadata
        # input + cache_read_input_tokens (+ cache_creation...) = 4306 + 4498 + 2888 = 11692
        input=(210 + 4096 + 0) + (402 + 4096 + 0) + (840 + 2048 + 0),
        output=118 + 260 + 95,  # = 473
        cache_read=4096 + 4096 + 0,  # = 8192
        cache_write=0 + 0 + 2048,  # = 2048
        cost=0.0036288 + 0.0063348 + 0.003875,  # = 0.0138386
        ignored={"agent or workflow span (AGENT)": 1, "not an LLM or tool span (SPAN)": 1},
        ttft_ms={"c2": 890.0, "c4": 530.0},
        models={"claude-sonnet-4-5": 2, "claude-haiku-4-5": 1},
        providers={"anthropic": 3},
        users={"conv-lf-77": "u-rae", "conv-lf-78": "u-sam"},
        tenants=("unknown",),
        releases=(None,),
    ),
    Expect(
        "monocle",
        ("monocle_traces.json",),
        turns=3,  # span.type inference (the inference.framework span over the same call folds into it)
        failed_turns=0,
        tools=2,  # span.type agentic.tool.invocation: get_weather, run_sql (ERROR)
        failed_tools=1,
        sessions=("4b1f0c0de3a94f6e8e0d6b5a1c2f3e4d", "9a8b7c6d5e4f30211203948576a0b1c2"),  # the trace ids
        input=412 + 530 + 220,  # prompt_tokens of the 'metadata' span events = 1162
        output=38 + 96 + 41,  # completion_tokens = 175
        cache_read=None,
        cache_write=None,
        cost=None,
        ignored={
            "agent or workflow span (span.type workflow)": 2,
            "agent or workflow span (span.type agentic.invocation)": 1,
            RR: 1,
            "not an LLM or tool span (span.type retrieval)": 1,
        },  # 10 spans = 3 + 2 + 5
        models={"gpt-4o": 2, "gpt-4o-mini": 1},  # entity.2.name where entity.2.type is model.llm.*
        providers={"openai": 2, "azure": 1},  # entity.1.type inference.openai / inference.azure_openai
        tenants=("unknown",),
    ),
    Expect(
        "google_adk",
        ("adk_otlp.json",),
        turns=2,  # call_llm spans of kind INTERNAL; the second folds with its generate_content child
        failed_turns=0,
        tools=1,
        failed_tools=0,
        sessions=("adk-sess-1",),  # gcp.vertex.agent.session_id / gen_ai.conversation.id
        input=300 + 340,  # = 640
        output=25 + 12,  # = 37
        cache_read=None,
        cache_write=None,
        cost=None,
        ignored={"agent or workflow span (invoke_agent)": 1, RR: 1},  # 5 spans = 2 + 1 + 2
        models={"gemini-2.0-flash": 2},  # gemini-2.0-flash-001 on the generate_content span
        providers={"google": 2},  # gcp.vertex.agent, gemini
        tenants=("unknown",),
    ),
    Expect(
        "strands",
        ("strands_otlp.json",),
        turns=2,
        failed_turns=0,
        tools=2,
        failed_tools=1,  # list_buckets: status OK, gen_ai.tool.status = error
        sessions=("strands-sess-7",),
        input=510 + 620,  # = 1130, invoke_agent's 1130 is their total
        output=44 + 88,  # = 132
        cache_read=None,
        cache_write=None,
        cost=None,
        ignored={RR: 1, NOT: 2},  # invoke_agent (totals of its calls), two event-loop cycles; 7 = 2 + 2 + 3
        models={"claude-3-7-sonnet": 2},
        providers={"strands-agents": 2},  # gen_ai.system names the framework, not the provider
        tenants=("unknown",),
    ),
    *(
        Expect(
            "trace_viewers",
            (
                f,
            ),  # the strands/ spans as a Tempo download, a Jaeger download, CloudWatch aws/spans rows: the same counts
            turns=2,
            failed_turns=0,
            tools=2,
            failed_tools=1,
            sessions=("strands-sess-7",),
            input=510 + 620,
            output=44 + 88,
            cache_read=None,
            cache_write=None,
            cost=None,
            ignored={RR: 1, NOT: 2},
            models={"claude-3-7-sonnet": 2},
            providers={"strands-agents": 2},
            tenants=("unknown",),
        )
        for f in ("tempo_strands.json", "jaeger_strands.json", "cloudwatch_aws_spans.jsonl")
    ),
    Expect(
        "langsmith",
        ("langsmith_runs.json",),
        turns=4,  # run_type llm; the ChatAnthropic 429 failed
        failed_turns=1,
        tools=2,  # run_type tool: run_sql, search_docs (ToolException)
        failed_tools=1,
        # extra.metadata.thread_id on trace 7c1f0a52; trace 8d2e1b63 names no thread: its trace id
        sessions=("thread-a", "8d2e1b63-4f5c-4e7b-8c9d-2e3f4a5b6c71"),
        input=1200 + 1450 + 900,  # prompt_tokens, and outputs.usage_metadata.input_tokens = 3550
        output=80 + 150 + 60,  # = 290
        cache_read=1024 + 0,  # prompt_token_details / input_token_details.cache_read
        cache_write=512,  # input_token_details.cache_creation
        cost=0.0038 + 0.0052,  # total_cost of the ChatOpenAI runs (the root chain's 0.009 is their total)
        ignored={
            RR: 1,
            "agent or workflow span (run_type chain)": 1,
            "not an LLM or tool span (run_type retriever)": 1,
        },
        models={"gpt-4o": 2, "claude-3-5-sonnet": 2},
        providers={"openai": 2, "anthropic": 2},  # extra.metadata.ls_provider
        tenants=("unknown",),
    ),
    Expect(
        "langsmith",
        ("langsmith_batch_ingest.json",),  # trace 8d2e1b63 as {post, patch}: the patches complete the posts
        turns=2,
        failed_turns=1,
        tools=1,
        failed_tools=1,
        sessions=("8d2e1b63-4f5c-4e7b-8c9d-2e3f4a5b6c71",),
        input=900,
        output=60,
        cache_read=0,
        cache_write=512,
        cost=None,
        ignored={"agent or workflow span (run_type chain)": 1},
        models={"claude-3-5-sonnet": 2},
        providers={"anthropic": 2},
        tenants=("unknown",),
    ),
    *(
        Expect(
            "datadog_llmobs",
            (f,),  # the same 11 spans as SDK span events, HTTP intake payloads, the Export API's answer
            turns=4,  # meta.span.kind llm; the RateLimitError one failed
            failed_turns=1,
            tools=2,  # run_sql, fetch_chart (TimeoutError -> timeout)
            failed_tools=1,
            sessions=("dd-sess-7", "dd-sess-8"),
            input=800 + 1300 + 640,  # metrics.input_tokens = 2740
            output=70 + 120 + 40,  # = 230
            cache_read=512 + 1024,  # metrics.cache_read_input_tokens = 1536
            cache_write=None,
            cost=None,
            ignored={
                "agent or workflow span (span.kind agent)": 2,
                "agent or workflow span (span.kind workflow)": 1,
                "not an assistant turn (span.kind embedding)": 1,
                "not an LLM or tool span (span.kind retrieval)": 1,
            },
            ttft_ms={"11401827365928374651": 350.0},  # metrics.time_to_first_token 0.35 s
            models={"gpt-4o-mini": 3, "claude-3-5-haiku": 1},
            providers={"openai": 3, "anthropic": 1},
            tenants=("unknown",),
            warnings=1,  # embed_query's 12 input tokens: spend no LLM call explains
        )
        for f in ("llmobs_span_events.jsonl", "intake_api_payloads.json", "export_api_spans.json")
    ),
]


def _ids(case: Expect) -> str:
    return f"{case.folder}/{case.files[0]}"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Warehouse, list]]]:
    """Each case loaded once into a warehouse of its own, by the load job (prices included)."""
    from launchkit.config import load_config

    out: dict[str, tuple[Warehouse, list]] = {}
    with pytest.MonkeyPatch.context() as mp:  # defaults only: no launchkit.toml from the working directory
        mp.chdir(tmp_path_factory.mktemp("cwd"))
        config: Config = load_config(env={})
    for case in CASES:
        wh = Warehouse.open(tmp_path_factory.mktemp("w") / "w.duckdb")
        job = load.run(wh, [FIXTURES / case.folder / f for f in case.files], config, publish=False)
        out[_ids(case)] = (wh, job.results)
    yield out
    for wh, _ in out.values():
        wh.close()


def one(wh: Warehouse, sql: str) -> tuple:
    return wh.con.execute(sql).fetchall()[0]


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_counts_tokens_cost_and_sessions(case: Expect, loaded) -> None:
    wh, results = loaded[_ids(case)]
    assert all(r.ok and r.reconciles() for r in results), [r.error for r in results]
    turns, failed, tin, tout, cread, cwrite, cost = one(
        wh,
        "SELECT count(*), count(*) FILTER (WHERE status = 'error'), sum(input_tokens), sum(output_tokens), "
        "sum(cache_read_tokens), sum(cache_write_tokens), sum(cost_usd) FROM turns",
    )
    assert (turns, failed) == (case.turns, case.failed_turns)
    assert (tin, tout, cread, cwrite) == (case.input, case.output, case.cache_read, case.cache_write)
    assert cost == (None if case.cost is None else pytest.approx(case.cost, rel=1e-9))
    assert one(wh, "SELECT count(*), count(*) FILTER (WHERE status <> 'ok') FROM tool_calls") == (
        case.tools,
        case.failed_tools,
    )
    assert one(wh, "SELECT list(session_id ORDER BY session_id) FROM sessions")[0] == sorted(case.sessions)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_every_span_is_loaded_or_ignored_by_reason(case: Expect, loaded) -> None:
    wh, results = loaded[_ids(case)]
    ignored: dict[str, int] = {}
    for r in results:
        for reason, n in r.ignored_by_reason.items():
            ignored[reason] = ignored.get(reason, 0) + n
    assert ignored == case.ignored
    records = sum(r.rows_read for r in results if r.table != "sessions")
    assert records == case.turns + case.tools + sum(case.ignored.values())
    # the manifest keeps the same counts
    kept: dict[str, int] = {}
    for (text,) in wh.con.execute("SELECT ignored_by_reason FROM loads WHERE ignored_by_reason IS NOT NULL").fetchall():
        for reason, n in json.loads(text).items():
            kept[reason] = kept.get(reason, 0) + n
    assert kept == case.ignored
    assert sum(len(r.warnings) for r in results) == case.warnings


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_models_providers_identity_and_ttft(case: Expect, loaded) -> None:
    wh, _ = loaded[_ids(case)]
    assert dict(wh.con.execute("SELECT model, count(*) FROM turns GROUP BY model").fetchall()) == case.models
    assert dict(wh.con.execute("SELECT provider, count(*) FROM turns GROUP BY provider").fetchall()) == case.providers
    ttft = dict(wh.con.execute("SELECT turn_id, ttft_ms FROM turns WHERE ttft_ms IS NOT NULL").fetchall())
    assert ttft == pytest.approx(case.ttft_ms)
    rows = wh.con.execute("SELECT session_id, user_id, tenant_id, release FROM sessions").fetchall()
    assert {s: u for s, u, _, _ in rows if u is not None} == {s: u for s, u in case.users.items() if u is not None}
    assert sorted({t for _, _, t, _ in rows}) == sorted(case.tenants)
    if case.releases:
        assert sorted({r for *_, r in rows}, key=str) == sorted(set(case.releases), key=str)


def test_the_literals_agree_with_expected_json() -> None:
    """The hand-worked expected.json of each folder (with the reasoning) says the same as CASES."""
    for case in CASES:
        doc = json.loads((FIXTURES / case.folder / "expected.json").read_text(encoding="utf-8"))
        if len(case.files) == 1 and case.files[0] in doc:
            doc = doc[case.files[0]]
        assert doc["turns"]["value"] == case.turns, case
        assert doc["tool_calls"]["value"] == case.tools, case
        assert doc["failed_tool_calls"]["value"] == case.failed_tools, case
        assert doc["sessions"]["value"] == len(case.sessions), case
        assert doc["input_tokens"]["value"] == case.input, case
        assert doc["output_tokens"]["value"] == case.output, case
        assert doc["cache_read_tokens"]["value"] == case.cache_read, case
        assert doc["cache_write_tokens"]["value"] == case.cache_write, case
        reported = doc["reported_cost_usd"]["value"]
        assert reported == (None if case.cost is None else pytest.approx(case.cost, rel=1e-9)), case
