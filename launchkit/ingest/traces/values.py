"""A span's values as the contract wants them: numbers, token counts (input including the cache),
reported cost, time to first token, timeouts and failed tools, from the fields the alias table
(launchkit.ingest.traces.semconv) reads."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from launchkit.ingest.traces.semconv import COST_PARTS, read


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


# What a failed call's status message says of its kind, first match wins: an HTTP status ("Error code: 429
# - {...}", the OpenAI and Anthropic SDKs' words; "HTTP 503"), a provider's error code in the body, then a
# leading exception class ("RateLimitError: ...", "openai.APITimeoutError(...)").
_STATUS_IN_TEXT = re.compile(r"\b(?:error code|status code|status|http)\s*[:=]?\s*([45]\d\d)\b", re.I)
_CODE_IN_TEXT = re.compile(
    r"\b(rate_limit_exceeded|rate_limit_error|insufficient_quota|resource_exhausted|throttlingexception|"
    r"overloaded_error|context_length_exceeded|deadline_exceeded)\b",
    re.I,
)
_CLASS_AT_START = re.compile(r"^\s*((?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Exceeded))\b")


def error_type_from_message(message: Any) -> str | None:
    """The error type a failed call's status message names (its HTTP status, a provider's error code,
    its exception class), or None. Only that short type is kept, never the message: it may quote the
    prompt."""
    if not isinstance(message, str) or not message.strip():
        return None
    head = message[:2000]
    for pattern in (_STATUS_IN_TEXT, _CODE_IN_TEXT, _CLASS_AT_START):
        m = pattern.search(head)
        if m:
            return m.group(1)
    return None


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
