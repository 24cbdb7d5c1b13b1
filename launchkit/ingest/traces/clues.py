"""The no-silent-loss scan: the keys of a span that suggest a model call or its spend, whatever library wrote them.

A span the rules of launchkit.ingest.traces.semconv do not classify (or a turn read without token
counts) is looked at as a whole -- attributes and event attributes -- so a call under names nobody
listed makes the load warn (exit 4) instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from launchkit.ingest.traces import semconv

# Words in an attribute key that say it is about a model call, whatever library wrote it.
CLUE_WORDS: tuple[str, ...] = ("token", "model", "usage")
# Words in a key whose value, when it names a call kind (chat, LLM, execute_tool ...), says what the span is.
KIND_WORDS: tuple[str, ...] = ("kind", "type", "operation")
# A request's limits are not usage (gen_ai.request.max_tokens).
NOT_USAGE_WORDS: tuple[str, ...] = ("max_token", "maxtoken", "max_output_token", "limit", "request")


def _may_be_usage(key: str) -> bool:
    k = key.lower()
    return ("token" in k or "usage" in k) and not any(w in k for w in NOT_USAGE_WORDS)


CALL_VALUES = frozenset(
    v.lower() for rule in semconv.RULES for v, role in rule.roles.items() if role in ("turn", "tool")
)


def clues(
    attrs: Mapping[str, Any], events: list[tuple[str, dict[str, Any], int | None]], *, usage_only: bool = False
) -> list[str]:
    """The keys of a span (attributes, then event attributes as event:key) that suggest a model call
    or its spend: a key with token, model or usage in its name, or a kind-like key whose value names
    a call kind. Used on spans nothing else classifies, and (`usage_only`: the keys that may hold a
    count) on turns read without token counts, so no call or spend is lost without a word."""
    if usage_only:
        return [k for k in clues(attrs, events) if _may_be_usage(k)]
    found: list[str] = []
    sources = [("", attrs)] + [(f"{name}:", a) for name, a, _ in events if name != semconv.EXCEPTION_EVENT]
    for prefix, items in sources:
        for key, value in items.items():
            if not semconv.usable(value):
                continue
            k = key.lower()
            if any(w in k for w in CLUE_WORDS) or (
                isinstance(value, str) and value.strip().lower() in CALL_VALUES and any(w in k for w in KIND_WORDS)
            ):
                found.append(prefix + key)
    return found
