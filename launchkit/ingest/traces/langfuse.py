"""Langfuse trace exports -> span facts (and feedback rows), mapped like any trace.

Accepted shapes, in every form the product writes:
- {"trace": {...}, "observations": [...]} (what the Langfuse UI/API gives for one trace);
- a trace object holding its "observations" (the legacy GET /api/public/traces/{id});
- a list of either, or {"data": [...]} (a page of the public API);
- {"traces": [...], "observations": [...]}: pages of GET /api/public/traces (each trace lists its
  observation ids) and GET /api/public/observations (each names its traceId), joined by trace id;
- a list (or {"data": [...]}) of observations alone, grouped by their traceId.

Each observation becomes the facts of one span (launchkit.ingest.traces.facts), so turns, tool
calls, the fold of re-recorded calls, ignored records and sessions follow the same rules as spans.
GENERATION observations are turns; TOOL observations, and SPAN observations named `execute_tool
NAME` or whose metadata attributes classify as a tool (gen_ai.tool.name, gen_ai.operation.name =
execute_tool), are tool calls. Tokens come from usageDetails (every input-side bucket added: input,
input_cache_read, cache_read_input_tokens, ...), else inputUsage/outputUsage, else usage.input /
promptTokens; cost from costDetails.total, else calculatedTotalCost, else totalCost (a 0 cost with
tokens is Langfuse's "could not price", so unknown). A score becomes feedback when a person gave it
and an evaluation when a model or a program judged (see `score_judge`). docs/telemetry.md documents every rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from launchkit.config import Config
from launchkit.errors import InputFileError
from launchkit.ingest.traces import names, semconv, values
from launchkit.ingest.traces.facts import SpanFacts
from launchkit.ingest.traces.mapping import identity_names, map_facts
from launchkit.ingest.traces.scores import THUMBS, from_user
from launchkit.ingest.traces.spans import Mapped, TraceFormat, ns_to_iso, raw_json, to_ns

TURN_TYPES = frozenset({"GENERATION"})
TOOL_TYPES = frozenset({"TOOL"})
WRAPPER_TYPES = frozenset({"AGENT", "CHAIN"})
OTHER_CALL_TYPES = frozenset({"EMBEDDING"})
EVALUATOR_TYPES = frozenset({"EVALUATOR"})  # an evaluation's own work, with everything under it (fold rule E)


def _is_observation(item: Any) -> bool:
    return isinstance(item, Mapping) and "traceId" in item and "type" in item and "trace" not in item


def looks_like_export(doc: Any) -> bool:
    """A Langfuse export: traces with observations, {traces, observations}, or observations alone."""
    if isinstance(doc, Mapping) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    if isinstance(doc, Mapping) and isinstance(doc.get("traces"), list) and isinstance(doc.get("observations"), list):
        return True
    if isinstance(doc, list):
        return bool(doc) and all(looks_like_export(d) or _is_observation(d) for d in doc[:5])
    if not isinstance(doc, Mapping):
        return False
    if isinstance(doc.get("trace"), Mapping) and "observations" in doc:
        return True
    return "observations" in doc and ("projectId" in doc or "sessionId" in doc or "timestamp" in doc)


def _traces(doc: Any) -> Iterator[tuple[Mapping[str, Any], list[Any], list[Any]]]:
    """(trace, observations, scores) of an export, in file order."""
    if isinstance(doc, Mapping) and isinstance(doc.get("data"), list):
        doc = doc["data"]
    if isinstance(doc, Mapping) and isinstance(doc.get("traces"), list):
        yield from _joined(doc["traces"], doc.get("observations") or [], doc.get("scores") or [])
        return
    items = doc if isinstance(doc, list) else [doc]
    loose = [o for o in items if _is_observation(o)]
    for item in items:
        if not isinstance(item, Mapping) or _is_observation(item):
            continue
        if isinstance(item.get("trace"), Mapping):
            trace = item["trace"]
            obs = item.get("observations")
            if obs is None:
                obs = trace.get("observations")
            scores = item.get("scores") if item.get("scores") is not None else trace.get("scores")
        else:
            trace, obs, scores = item, item.get("observations"), item.get("scores")
        yield trace, list(obs or []), list(scores or [])
    if loose:
        yield from _joined([], loose, [])


def _joined(
    traces: list[Any], observations: list[Any], scores: list[Any]
) -> Iterator[tuple[Mapping[str, Any], list[Any], list[Any]]]:
    """Traces listing observation ids, joined with observations (and scores) naming their traceId."""
    by_trace: dict[Any, list[Any]] = {}
    for o in observations:
        if isinstance(o, Mapping):
            by_trace.setdefault(o.get("traceId"), []).append(o)
    scores_by: dict[Any, list[Any]] = {}
    for sc in scores:
        if isinstance(sc, Mapping):
            scores_by.setdefault(sc.get("traceId"), []).append(sc)
    seen: set[Any] = set()
    for trace in traces:
        if not isinstance(trace, Mapping):
            continue
        tid = trace.get("id")
        seen.add(tid)
        found = by_trace.get(tid, [])
        have = {o.get("id") for o in found}
        # ids the trace lists that no observation in the file has: rejected (given by id only)
        missing = [i for i in trace.get("observations") or [] if not isinstance(i, Mapping) and i not in have]
        own = scores_by.get(tid, []) + [s for s in trace.get("scores") or [] if isinstance(s, Mapping)]
        yield trace, found + missing, own
    for tid, found in by_trace.items():
        if tid not in seen:  # observations of a trace the file does not hold: the trace is only its id
            yield {"id": tid}, found, scores_by.get(tid, [])


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


def _is_count(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _bucket(key: str) -> tuple[str | None, str | None]:
    """(side, cache kind) of a usageDetails key: side 'input' / 'output' for a bucket that adds up to the
    call's usage, None for a total or a detail of another bucket (completion_details.reasoning is part
    of output); cache kind 'read' / 'write' for a cache bucket or detail."""
    k = key.lower()
    cache = None
    if "cache" in k:
        cache = "write" if ("creation" in k or "write" in k) else "read"
    if "total" in k or "details" in k:
        return None, cache
    if k.startswith("input") or (cache is not None and "input" in k):  # input_cache_read, cache_read_input_tokens
        return "input", cache
    if k.startswith("output"):
        return "output", None
    return None, cache


def _usage(obs: Mapping[str, Any]) -> tuple[Any, Any, Any, Any]:
    """(input, output, cache read, cache write) tokens of an observation; None where not reported.

    usageDetails buckets add up to the call's usage (input excludes the cached tokens, which have
    buckets of their own), so input = every input-side bucket: keys starting 'input' and
    Anthropic-style cache keys (cache_read_input_tokens), which Langfuse's own inputUsage misses, so
    inputUsage is read only without usageDetails; detail keys (completion_details.reasoning) are
    already inside another bucket and not added.
    """
    details = obs.get("usageDetails")
    if isinstance(details, Mapping):
        # an export that has usageDetails derives its other usage fields from them: {} is "none reported"
        sums: dict[str, float] = {}
        cache: dict[str, float] = {}
        for k, v in details.items():
            if not _is_count(v):
                continue
            side, kind = _bucket(str(k))
            if side is not None:
                sums[side] = sums.get(side, 0) + v
            if kind is not None and (side == "input" or side is None):
                cache[kind] = cache.get(kind, 0) + v
        return (
            values.count(sums.get("input")),
            values.count(sums.get("output")),
            values.count(cache.get("read")),
            values.count(cache.get("write")),
        )
    inp = obs.get("inputUsage")
    out = obs.get("outputUsage")
    usage = obs.get("usage")
    if inp is None and isinstance(usage, Mapping):
        inp = usage.get("input")
    if out is None and isinstance(usage, Mapping):
        out = usage.get("output")
    if inp is None:
        inp = obs.get("promptTokens")
    if out is None:
        out = obs.get("completionTokens")
    return values.count(inp), values.count(out), None, None


def _cost(obs: Mapping[str, Any], has_tokens: bool) -> float | None:
    """The cost Langfuse reports for an observation, else None (unknown, never 0 for a call with tokens)."""
    details = obs.get("costDetails") or obs.get("providedCostDetails")
    candidates: list[Any] = []
    if isinstance(details, Mapping) and details:
        candidates += [details.get("total"), obs.get("totalCost")]
    usage = obs.get("usage")
    candidates += [
        obs.get("calculatedTotalCost"),
        obs.get("totalCost"),
        usage.get("totalCost") if isinstance(usage, Mapping) else None,
    ]
    for c in candidates:
        n = values.number(c)
        if n is None:
            continue
        if n == 0 and has_tokens:
            return None  # Langfuse writes 0 for what it could not price
        return n
    return None


def _observation_facts(
    row: int,
    obs: Mapping[str, Any],
    trace: Mapping[str, Any],
    trace_session: str | None,
    zone: str,
    ident: tuple[tuple[str, ...], tuple[str, ...]],
    tmeta: dict[str, Any],
) -> SpanFacts:
    oid = obs.get("id")
    tid = trace.get("id")
    otype = str(obs.get("type") or "").upper()
    ometa = _metadata(obs.get("metadata"))
    name = str(obs.get("name") or "")
    f = SpanFacts(row, None if tid is None else str(tid), str(oid), None, name)
    pid = obs.get("parentObservationId")
    f.parent = None if pid is None else str(pid)
    mrole, mlabel = semconv.classify(ometa)
    if otype in TURN_TYPES:
        f.role, f.label = "turn", otype
    elif otype in TOOL_TYPES or semconv.genai_tool(ometa) or name.startswith(semconv.TOOL_SPAN_NAME_PREFIXES):
        f.role, f.label = "tool", otype or "tool"
    elif otype in OTHER_CALL_TYPES:
        f.role, f.label = "other_call", otype
    elif otype in EVALUATOR_TYPES:
        f.role, f.label = "evaluator", otype
    elif otype in WRAPPER_TYPES or mrole == "wrapper":
        f.role, f.label = "wrapper", otype or mlabel
    elif otype:
        f.role, f.label = "other", otype
    else:
        f.role, f.label = None, "no type"
    f.start_ns = _ns(obs.get("startTime"), zone)
    if f.start_ns is None and obs.get("startTime") is not None:
        f.raw_start = obs.get("startTime")
    f.end_ns = _ns(obs.get("endTime"), zone)
    f.error_type = semconv.first("error_type", ometa)
    f.error_type = None if f.error_type is None else str(f.error_type)
    f.failed = str(obs.get("level") or "").upper() == "ERROR" or f.error_type is not None
    if f.failed and f.error_type is None:  # Langfuse's own field: the SDKs write the exception there
        f.error_type = values.error_type_from_message(obs.get("statusMessage"))
    model = obs.get("model") or obs.get("providedModelName") or semconv.first("model", ometa)
    f.model_raw = None if model is None else str(model)
    f.model = names.normalise_model(model)
    sess = semconv.first("session", ometa)
    f.session = trace_session or (None if sess is None else str(sess))
    user = trace.get("userId") or semconv.lookup(tmeta, ident[0]) or semconv.first("user", tmeta)
    f.user = None if user is None else str(user)
    tenant = semconv.lookup(tmeta, ident[1]) or semconv.first("tenant", tmeta)
    f.tenant = None if tenant is None else str(tenant)
    rel = trace.get("release") or semconv.first("release", tmeta)
    f.release = None if rel is None else str(rel)
    inp, out, cr, cw = _usage(obs)
    if f.role == "turn":
        f.input, f.output, f.cache_read, f.cache_write = inp, out, cr, cw
        f.cost = _cost(obs, bool(inp) or bool(out))
        provider = semconv.first("provider", ometa) or ometa.get("ls_provider")
        f.provider = names.normalise_provider(provider)
        first_tok = _ns(obs.get("completionStartTime"), zone)
        if first_tok is not None and f.start_ns is not None:
            f.ttft_ms = (first_tok - f.start_ns) / 1e6
        elif values.number(obs.get("timeToFirstToken")) is not None:
            f.ttft_ms = float(obs["timeToFirstToken"]) * 1000.0
    elif (isinstance(inp, int) and inp > 0) or (isinstance(out, int) and out > 0):
        f.input, f.output = inp, out  # usage on a span: the fold compares it with the calls below it
    if f.role == "tool":
        tname = semconv.first("tool_name", ometa)
        f.tool_name = str(tname) if tname is not None else (semconv.tool_name_from_span_name(name) or (name or None))
    return f


def parse_export(path: Path, config: Config) -> Mapped:
    """Map a Langfuse export file to raw contract rows (turns, tool_calls, feedback, evaluations) and session facts."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputFileError(str(path), "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputFileError(str(path), f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not looks_like_export(doc):
        raise InputFileError(str(path), "not a Langfuse trace export (no trace with observations)")
    return map_export(doc, config)


def map_export(doc: Any, config: Config) -> Mapped:
    """Rows from a parsed export; records are numbered in file order: each trace's observations, then its scores."""
    zone = config.timezone
    ident = identity_names(config)
    out = Mapped()
    facts: list[SpanFacts] = []
    trace_times: list[tuple[str | None, int | None]] = []
    row = 0
    for trace, observations, scores in _traces(doc):
        tmeta = _metadata(trace.get("metadata"))
        tsess = trace.get("sessionId") or semconv.first("session", tmeta)
        trace_session = None if tsess is None else str(tsess)
        tid = trace.get("id")
        session_guess = trace_session
        for obs in observations:
            row += 1
            if not isinstance(obs, Mapping):
                facts.append(
                    SpanFacts(
                        row,
                        None,
                        None,
                        None,
                        problem="observation given by id only; export the trace in full",
                        raw=raw_json(obs),
                    )
                )
                continue
            if not obs.get("id"):
                facts.append(SpanFacts(row, None, None, None, problem="observation has no id", raw=raw_json(obs)))
                continue
            f = _observation_facts(row, obs, trace, trace_session, zone, ident, tmeta)
            session_guess = session_guess or f.session
            facts.append(f)
        trace_times.append((session_guess or (None if tid is None else str(tid)), _ns(trace.get("timestamp"), zone)))
        for score in scores:
            row += 1
            out.records += 1
            _score_row(out, row, score, trace, session_guess or (None if tid is None else str(tid)), zone)
    map_facts(facts, out=out)
    for sid, ts in trace_times:
        if sid is not None and ts is not None and sid in out.sessions:
            out.sessions[sid].widen(ts, None)
    return out


def iso_or_raw(value: Any, zone: str) -> Any:
    """A time as ISO 8601 UTC, or as read when it is not one (the loader rejects it with its reason)."""
    ns = _ns(value, zone)
    return ns_to_iso(ns) if ns is not None else value


def score_judge(score: Mapping[str, Any]) -> str | None:
    """Who gave a Langfuse score: None for a person (it is feedback), else the evaluation's source.

    ANNOTATION is a person in Langfuse's UI; EVAL is Langfuse's LLM-as-a-judge (llm_judge); API is the
    team's code (code), except the end-user feedback an app sends through the API too: a score whose name
    says so (user-feedback, thumbs, rating, stars) or whose categorical value is a thumb. A score with no
    source (an older export) stays feedback, as before.
    """
    source = str(score.get("source") or "").upper()
    if source == "EVAL":
        return "llm_judge"
    if source != "API":
        return None
    return None if from_user(score.get("name"), score.get("stringValue")) else "code"


def _score_row(out: Mapped, row: int, score: Any, trace: Mapping[str, Any], session_id: str | None, zone: str) -> None:
    """A score a person gave becomes a feedback row; a model's or a program's judgement an evaluation row
    (score_judge): each score lands in exactly one table.

    Feedback: BOOLEAN -> thumbs (1 up, 0 down); CATEGORICAL up/down-like values -> thumbs; NUMERIC -> rating.
    Other values are staged as read, so the loader rejects them with its reason (a rating not a whole
    number 1..5, a thumbs value not up or down) in the feedback table.
    """
    if not isinstance(score, Mapping):
        out.pre_rejects.append((row, None, "score given by id only; export the trace in full", raw_json(score)))
        return
    judge = score_judge(score)
    if judge is not None:
        _evaluation_row(out, row, score, judge, session_id, zone)
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
        thumbs = THUMBS.get(label.lower(), label)
    else:
        rating = value
    sid = score.get("sessionId") or session_id
    out.feedback.append(
        {
            "_row": row,
            "feedback_id": None if score.get("id") is None else str(score["id"]),
            "session_id": None if sid is None else str(sid),
            "user_id": None if trace.get("userId") is None else str(trace["userId"]),
            "submitted_at": iso_or_raw(score.get("timestamp") or score.get("createdAt"), zone),
            "rating": rating,
            "thumbs": thumbs,
            "comment": score.get("comment") or None,
        }
    )


def _evaluation_row(
    out: Mapped, row: int, score: Mapping[str, Any], judge: str, session_id: str | None, zone: str
) -> None:
    """A judged score as an evaluation: NUMERIC and BOOLEAN (1 / 0) as its value, CATEGORICAL as its label;
    the observation it judged (a GENERATION's id is its turn's) as turn_id."""
    dtype = str(score.get("dataType") or "NUMERIC").upper()
    value: Any = score.get("value")
    label: Any = None
    if dtype == "CATEGORICAL":
        label, value = score.get("stringValue") or (None if value is None else str(value)), None
    elif dtype == "BOOLEAN" and isinstance(value, bool):
        value = int(value)
    model = semconv.first("model", _metadata(score.get("metadata")))
    sid = score.get("sessionId") or session_id
    oid = score.get("observationId")
    out.evaluations.append(
        {
            "_row": row,
            "evaluation_id": None if score.get("id") is None else str(score["id"]),
            "session_id": None if sid is None else str(sid),
            "turn_id": None if oid is None else str(oid),
            "name": score.get("name"),
            "source": judge,
            "value": value,
            "label": label,
            "judge_model": None if model is None else str(model),
            "evaluated_at": iso_or_raw(score.get("timestamp") or score.get("createdAt"), zone),
            "comment": score.get("comment") or None,
        }
    )


FORMAT = TraceFormat(
    "langfuse",
    "a Langfuse trace export",
    mapped=parse_export,
    head=lambda head: (
        '"observations"' in head and ('"projectId"' in head or '"trace"' in head or '"sessionId"' in head)
    ),
    document=looks_like_export,
)
