"""OTLP/JSON test helpers shared by the trace-import tests."""

from __future__ import annotations


def one_span_per_line(docs: list[dict]) -> list[dict]:
    """Every span as its own TracesData document (with its resource and scope)."""
    out = []
    for td in docs:
        for rs in td["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for sp in ss["spans"]:
                    out.append(
                        {"resourceSpans": [{"resource": rs.get("resource"), "scopeSpans": [{**ss, "spans": [sp]}]}]}
                    )
    return out


def chat_line(
    trace: str,
    span: str,
    start_s: int,
    attrs: dict,
    *,
    parent: str | None = None,
    duration_s: int = 1,
    name: str = "chat",
    resource: dict | None = None,
) -> dict:
    """One TracesData document holding one `chat` span (gen_ai.operation.name) with `attrs`:
    text values as stringValue, numbers as intValue."""
    kv = [
        {"key": k, "value": {"stringValue": v} if isinstance(v, str) else {"intValue": str(v)}}
        for k, v in attrs.items()
    ]
    sp: dict = {
        "traceId": trace,
        "spanId": span,
        "name": name,
        "startTimeUnixNano": str(start_s * 10**9),
        "endTimeUnixNano": str((start_s + duration_s) * 10**9),
        "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}}, *kv],
    }
    if parent:
        sp["parentSpanId"] = parent
    res = [{"key": k, "value": {"stringValue": v}} for k, v in (resource or {}).items()]
    return {"resourceSpans": [{"resource": {"attributes": res}, "scopeSpans": [{"spans": [sp]}]}]}
