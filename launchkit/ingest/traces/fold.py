"""One LLM call is one turn: folding re-recorded calls, per trace.

Instrumentations record some calls more than once. smolagents' OpenInference instrumentor wraps
`generate` on every Model subclass, so one call gives nested LLM spans with the same tokens; a
framework span (LangChain, smolagents) with a provider instrumentor under it gives the same call
twice; agent, workflow and Vercel `ai.generateText` spans repeat the summed usage of the calls
below them. The rules, applied to one trace's spans (docs/telemetry.md states them for users):

A. Wrappers are never turns, whatever usage they carry: a span classified as an agent/workflow
   wrapper (or anything not an LLM call) is not a turn. When it carries token usage, the usage is
   compared with the calls below it: no more than their sum is their total, recorded again
   (ignored as "re-recorded call"); more than their sum, or usage with no call below it, is spend
   that is not loaded, and the load warns about it.

B. Nested LLM spans. For each LLM span P, take its nearest LLM descendants C1..Cn (no LLM span
   between them), top down:
   1. n = 1, and P and C1 report the same input and output tokens (or only one of them reports
      tokens), and their models are the same (or one is missing): the same call recorded twice.
      The innermost span is kept (closest to the wire: its duration is the call's latency, it has
      the response model and cache details); what it lacks (tokens, model, provider, cost, TTFT,
      session) is taken from P.
   2. P reports no tokens, or exactly the sum of its children's: P is a wrapper of several calls;
      it is dropped and the children are kept.
   3. Otherwise (tokens or models differ) all are kept, with a warning: never fold on a guess.

C. Two LLM spans of one trace with the same response id (gen_ai.response.id, ai.response.id) and
   compatible tokens are one call, nested or not: the deepest is kept. Siblings are never folded
   on equal tokens alone (two real calls can have the same counts). Likewise two tool spans of one
   trace with the same tool call id (gen_ai.tool.call.id, ai.toolCall.id) are one tool call.

E. An evaluation's own work is not the app's: an evaluator span (OpenInference EVALUATOR, Langfuse's
   EVALUATOR observation) and every span below it (a judge's LLM calls, its tools) are neither turns
   nor tool calls, nor spend the load warns about; they are ignored as "an evaluation's own work
   (...)", marked before rules A-C look at the trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from launchkit.ingest.traces import semconv
from launchkit.ingest.traces.facts import SpanFacts


@dataclass
class Folded:
    """What the fold decided for one trace: the spans dropped as re-recordings, the kept span each
    folded span went into, and warnings about nested usage it could not explain."""

    dropped: set[int] = field(default_factory=set)  # id() of re-recorded spans (not loaded)
    into: dict[int, SpanFacts] = field(default_factory=dict)  # id(folded span) -> the span kept for it
    unexplained: set[int] = field(default_factory=set)  # id() of non-turn spans with usage not explained
    over_calls: set[int] = field(default_factory=set)  # id() of spans with a kept LLM call below them
    warnings: list[str] = field(default_factory=list)


def _same_tokens(a: SpanFacts, b: SpanFacts) -> bool:
    """Equal input and output tokens, or only one of the two reports any."""
    if not a.has_usage or not b.has_usage:
        return True
    return (a.input, a.output) == (b.input, b.output)


def _same_model(a: SpanFacts, b: SpanFacts) -> bool:
    return a.model is None or b.model is None or a.model == b.model


def _absorb(keep: SpanFacts, other: SpanFacts) -> None:
    """Fill what the kept span lacks from a recording of the same call."""
    if not keep.has_usage and other.has_usage:
        keep.input, keep.output = other.input, other.output
    for name in ("cache_read", "cache_write", "cost", "ttft_ms", "model", "model_raw", "provider", "response_id"):
        if getattr(keep, name) is None and getattr(other, name) is not None:
            setattr(keep, name, getattr(other, name))
    for name in ("session", "user", "tenant", "release"):
        if getattr(keep, name) is None and getattr(other, name) is not None:
            setattr(keep, name, getattr(other, name))
    if other.failed and not keep.failed:
        keep.failed, keep.error_type = True, keep.error_type or other.error_type


def _describe(f: SpanFacts) -> str:
    inp, out = f.input, f.output
    return f"span {f.span} '{f.name}' ({inp if inp is not None else '-'} in / {out if out is not None else '-'} out)"


class _Trace:
    """One trace's spans as a tree: each turn's ancestors, the nearest turn above it and its depth
    in turns, and each turn's nearest turns below it."""

    def __init__(self, spans: list[SpanFacts]) -> None:
        self.by_id = {f.span: f for f in spans if f.span and f.problem is None}
        self.turns = [f for f in self.by_id.values() if f.role == "turn"]
        self.up = {id(t): self.ancestors(t) for t in self.turns}
        self.depth: dict[int, int] = {}
        self.children: dict[int, list[SpanFacts]] = {}
        for t in self.turns:
            turn_above = [a for a in self.up[id(t)] if a.role == "turn"]
            self.depth[id(t)] = len(turn_above)
            if turn_above:
                self.children.setdefault(id(turn_above[0]), []).append(t)

    def ancestors(self, f: SpanFacts) -> list[SpanFacts]:
        chain: list[SpanFacts] = []
        seen = {f.span}
        pid = f.parent
        while pid and pid not in seen:
            seen.add(pid)
            p = self.by_id.get(pid)
            if p is None:
                break
            chain.append(p)
            pid = p.parent
        return chain


def _fold_into(out: Folded, keep: SpanFacts, other: SpanFacts) -> None:
    """`other` is a re-recording of `keep`: keep what it knew, drop it."""
    _absorb(keep, other)
    out.dropped.add(id(other))
    out.into[id(other)] = keep


def _totals(kids: list[SpanFacts]) -> tuple[int | None, int | None]:
    """The summed (input, output) of calls, None where none of them reports one."""
    sums = [k.usage() for k in kids]
    ins = [s[0] for s in sums if s[0] is not None]
    outs = [s[1] for s in sums if s[1] is not None]
    return (sum(ins) if ins else None, sum(outs) if outs else None)


def _rule_b(tree: _Trace, out: Folded) -> None:
    """Nested LLM spans, top down, so a chain P -> C -> D ends in D carrying what P and C knew."""
    for p in sorted(tree.turns, key=lambda t: (tree.depth[id(t)], t.row)):
        kids = tree.children.get(id(p), [])
        if not kids:
            continue
        if len(kids) == 1 and _same_tokens(p, kids[0]) and _same_model(p, kids[0]):
            _fold_into(out, kids[0], p)
            continue
        totals = _totals(kids)
        if not p.has_usage or p.usage() == totals:
            out.dropped.add(id(p))
            continue
        out.warnings.append(
            f"nested LLM spans with unexplained usage: {_describe(p)} over {len(kids)} LLM call(s) "
            f"({totals[0] if totals[0] is not None else '-'} in / {totals[1] if totals[1] is not None else '-'} out); "
            "all kept"
        )


def _rule_c_turns(tree: _Trace, out: Folded) -> None:
    """The same response id twice in a trace is one call (the deepest is kept)."""
    by_response: dict[str, list[SpanFacts]] = {}
    for t in tree.turns:
        if id(t) not in out.dropped and t.response_id:
            by_response.setdefault(t.response_id, []).append(t)
    for same in by_response.values():
        if len(same) < 2:
            continue
        keep = max(same, key=lambda t: (tree.depth[id(t)], -t.row))
        others = [t for t in same if t is not keep]
        if all(_same_tokens(keep, o) and _same_model(keep, o) for o in others):
            for o in others:
                _fold_into(out, keep, o)


def _rule_c_tools(tree: _Trace, out: Folded) -> None:
    """The same tool call id twice in a trace is one tool call (the deepest is kept)."""
    by_call: dict[str, list[SpanFacts]] = {}
    for f in tree.by_id.values():
        if f.role == "tool" and f.tool_call_id:
            by_call.setdefault(f.tool_call_id, []).append(f)
    for same in (s for s in by_call.values() if len(s) > 1):
        keep = max(same, key=lambda t: (len(tree.ancestors(t)), -t.row))
        for o in same:
            if o is not keep:
                if o.failed and not keep.failed:
                    keep.failed, keep.error_type = True, keep.error_type or o.error_type
                out.dropped.add(id(o))


def _rule_a(tree: _Trace, out: Folded) -> None:
    """Usage on spans that are not turns, against the kept calls below them."""
    below: dict[int, tuple[int, int, int]] = {}  # id(span) -> (calls, input, output) below it
    for t in tree.turns:
        if id(t) in out.dropped:
            continue
        t_in, t_out = t.usage()
        for a in tree.up[id(t)]:
            out.over_calls.add(id(a))
            n, i, o = below.get(id(a), (0, 0, 0))
            below[id(a)] = (n + 1, i + (t_in or 0), o + (t_out or 0))
    for f in tree.by_id.values():
        if f.role in ("turn", "evaluator") or not f.has_usage:
            continue
        f_in, f_out = f.usage()
        n, b_in, b_out = below.get(id(f), (0, 0, 0))
        explained = n > 0 and (f_in is None or f_in <= b_in) and (f_out is None or f_out <= b_out)
        (out.dropped if explained else out.unexplained).add(id(f))


def _evaluation_work(spans: list[SpanFacts]) -> None:
    """Rule E: every span below an evaluator span becomes evaluation work, labelled by what it would have been."""
    by_id = {f.span: f for f in spans if f.span and f.problem is None}
    if not any(f.role == "evaluator" for f in by_id.values()):
        return
    under: dict[str, bool] = {}  # span id -> whether an evaluator span is at or above it

    def judged(span_id: str | None) -> bool:
        chain: list[str] = []
        found = False
        while span_id and span_id in by_id and span_id not in under and span_id not in chain:
            chain.append(span_id)
            if by_id[span_id].role == "evaluator":
                found = True
                break
            span_id = by_id[span_id].parent
        found = found or bool(span_id and under.get(span_id))
        for s in chain:
            under[s] = found
        return found

    for f in by_id.values():
        if f.role != "evaluator" and judged(f.parent):
            f.label = semconv.UNDER_EVALUATOR.get(f.role, semconv.UNDER_EVALUATOR_OTHER)
            f.role = "evaluator"


def fold_trace(spans: list[SpanFacts]) -> Folded:
    """Apply rules E, A, B and C to the spans of one trace (records with a problem are left out)."""
    out = Folded()
    _evaluation_work(spans)
    tree = _Trace(spans)
    _rule_b(tree, out)
    _rule_c_turns(tree, out)
    _rule_c_tools(tree, out)
    _rule_a(tree, out)
    return out
