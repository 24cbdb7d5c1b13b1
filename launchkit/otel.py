"""OpenTelemetry traces -> contract rows: OTLP/JSON, the Python SDK's span JSON, and bare attribute sets.

Parsing (json module only) turns each format into `Span`s; `map_spans` turns spans into raw contract
rows with the GenAI semantic conventions (names from launchkit.semconv): an LLM-call span is a
turn, an execute_tool span a tool call, any other span is counted as ignored. Sessions are derived
from the spans. The loader (launchkit.ingest.load_staged) types, validates, dedupes and merges the
rows; launchkit.telemetry wires the readers into it. docs/telemetry.md documents the mapping.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo

from launchkit import semconv
from launchkit.config import Config
from launchkit.errors import InputFileError

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_RAW_MAX = 2000  # characters of a record kept with a reject


@dataclass
class Span:
    """One span, whatever the format it came in; ids are lowercase hex, times nanoseconds since the epoch."""

    row: int  # 1-based position of the record in the file
    trace_id: str | None
    span_id: str | None
    parent_id: str | None
    name: str
    start_ns: int | None
    end_ns: int | None
    status: str = "unset"  # ok | error | unset
    status_message: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    resource: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    raw_start: Any = None  # the start time as read, when it could not be converted
    problem: str | None = None  # why the span cannot be mapped at all (a pre-reject), if it cannot
    raw: str = ""


PreReject = tuple[int, "str | None", str, str]  # row, column, reason, raw JSON
Parsed = tuple[list[Span], list[PreReject], list[str]]  # spans, records rejected while parsing, notes


@dataclass
class SessionFacts:
    """What a file's spans say about one session."""

    session_id: str
    first_row: int
    start_ns: int | None = None
    end_ns: int | None = None
    tenant_id: str | None = None
    user_id: str | None = None
    release: str | None = None

    def widen(self, start_ns: int | None, end_ns: int | None) -> None:
        if start_ns is not None:
            self.start_ns = start_ns if self.start_ns is None else min(self.start_ns, start_ns)
        if end_ns is not None:
            self.end_ns = end_ns if self.end_ns is None else max(self.end_ns, end_ns)


@dataclass
class Mapped:
    """Raw contract rows from one file (values as read, `_row` = record number) and their bookkeeping."""

    turns: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    sessions: dict[str, SessionFacts] = field(default_factory=dict)
    records: int = 0  # spans / observations / scores read
    ignored: int = 0
    ignored_kinds: dict[str, int] = field(default_factory=dict)
    pre_rejects: list[tuple[int, str | None, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_tenant: int = 0

    def ignore(self, kind: str) -> None:
        self.ignored += 1
        self.ignored_kinds[kind] = self.ignored_kinds.get(kind, 0) + 1


# ---------------------------------------------------------------------------------------------
# Small converters shared by the formats.


def raw_json(obj: Any) -> str:
    """A record as compact JSON for the rejects table (cut at 2,000 characters)."""
    text = json.dumps(obj, default=str, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _RAW_MAX else text[: _RAW_MAX - 3] + "..."


def norm_id(value: Any, nbytes: int) -> str | None:
    """An OTel id as lowercase hex: hex text (any case, optional 0x), base64 text, or an integer.

    Returns None for a missing, empty or all-zero (invalid) id; raises ValueError when unreadable.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an id: {value!r}")
    if isinstance(value, int):
        if value < 0 or value >= 1 << (8 * nbytes):
            raise ValueError(f"id out of range: {value}")
        out = format(value, f"0{2 * nbytes}x")
    elif isinstance(value, str):
        text = value.strip()
        if text.lower().startswith("0x"):
            body = text[2:]
            if not body or len(body) > 2 * nbytes or any(c not in "0123456789abcdefABCDEF" for c in body):
                raise ValueError(f"not a hex id: {value!r}")
            out = body.lower().zfill(2 * nbytes)
        elif len(text) == 2 * nbytes and all(c in "0123456789abcdefABCDEF" for c in text):
            out = text.lower()
        else:
            try:
                raw = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"not a hex or base64 id: {value!r}") from None
            if len(raw) != nbytes:
                raise ValueError(f"id is {len(raw)} bytes, expected {nbytes}: {value!r}")
            out = raw.hex()
    else:
        raise ValueError(f"not an id: {value!r}")
    return None if set(out) == {"0"} else out


def to_ns(value: Any, zone: str = "UTC") -> int | None:
    """Nanoseconds since the epoch from an integer / numeric string (nanoseconds) or an ISO string.

    0 and missing are None (unset in OTLP). Raises ValueError for anything else.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value or None
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a time: {value!r}")
        return int(value) or None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text) or None
        return iso_to_ns(text, zone)
    raise ValueError(f"not a time: {value!r}")


def iso_to_ns(text: str, zone: str = "UTC") -> int:
    """Nanoseconds since the epoch from an ISO 8601 string; no offset means `zone`."""
    t = text.strip()
    frac_ns = 0
    # keep sub-microsecond digits that datetime would drop
    if "." in t:
        head, _, rest = t.partition(".")
        digits = ""
        i = 0
        while i < len(rest) and rest[i].isdigit():
            digits += rest[i]
            i += 1
        if digits:
            frac_ns = int((digits + "000000000")[:9])
            t = head + rest[i:]
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(f"not an ISO timestamp: {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=ZoneInfo(zone))
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + frac_ns


def ns_to_iso(ns: int) -> str:
    """An ISO 8601 UTC string with microseconds (the warehouse's precision) for nanoseconds since the epoch."""
    sec, rem = divmod(ns, 1_000_000_000)
    try:
        dt = _EPOCH + timedelta(seconds=sec, microseconds=rem // 1000)
        if not 1 <= dt.year <= 9999:
            raise OverflowError
    except OverflowError:
        return str(ns)  # the loader rejects it: "epoch value out of range"
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _num_text(value: Any) -> Any:
    """A number-ish attribute value passed through for the loader to type (strings stay strings)."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    return value


# ---------------------------------------------------------------------------------------------
# OTLP/JSON


def _any_value(v: Any) -> Any:
    """Decode an OTLP AnyValue ({"stringValue": ...}, {"intValue": "3"}, arrays, kvlists)."""
    if not isinstance(v, Mapping):
        return v
    if "stringValue" in v:
        return v["stringValue"]
    if "boolValue" in v:
        return bool(v["boolValue"])
    if "intValue" in v:
        iv = v["intValue"]
        try:
            return int(iv)
        except (TypeError, ValueError):
            return iv
    if "doubleValue" in v:
        dv = v["doubleValue"]
        try:
            return float(dv)
        except (TypeError, ValueError):
            return dv
    if "arrayValue" in v:
        return [_any_value(x) for x in (v["arrayValue"] or {}).get("values", []) or []]
    if "kvlistValue" in v:
        return _attributes((v["kvlistValue"] or {}).get("values", []))
    if "bytesValue" in v:
        return v["bytesValue"]
    return None


def _attributes(items: Any) -> dict[str, Any]:
    """OTLP KeyValue list (or an already plain mapping) -> {key: value}."""
    if isinstance(items, Mapping):
        return {str(k): _any_value(v) for k, v in items.items()}
    out: dict[str, Any] = {}
    for kv in items or []:
        if isinstance(kv, Mapping) and "key" in kv:
            out[str(kv["key"])] = _any_value(kv.get("value"))
    return out


_STATUS_CODES = {0: "unset", 1: "ok", 2: "error", "status_code_unset": "unset", "status_code_ok": "ok",
                 "status_code_error": "error", "unset": "unset", "ok": "ok", "error": "error",
                 "statuscode.unset": "unset", "statuscode.ok": "ok", "statuscode.error": "error"}


def _status(code: Any) -> str:
    key = code.strip().lower() if isinstance(code, str) else code
    if isinstance(key, str) and key.isdigit():
        key = int(key)
    return _STATUS_CODES.get(key, "unset")


def _json_documents(text: str) -> Iterator[tuple[int, Any, str | None]]:
    """(line, document, error) for a file holding one JSON document, JSON Lines, or concatenated documents."""
    dec = json.JSONDecoder()
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            return
        line = text.count("\n", 0, pos) + 1
        try:
            doc, end = dec.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            nl = text.find("\n", pos)
            yield line, None, f"line {line}: not valid JSON ({exc.msg})"
            if nl < 0:
                return
            pos = nl + 1
            continue
        yield line, doc, None
        pos = end


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(str(path), "not UTF-8 text") from None


def parse_otlp(path: Path, text: str | None = None) -> Parsed:
    """Spans of an OTLP/JSON file (one TracesData document, or JSON Lines of them as the collector writes)."""
    text = read_text(path) if text is None else text
    spans: list[Span] = []
    rejects: list[tuple[int, str | None, str, str]] = []
    found = False
    row = 0
    for _line, doc, err in _json_documents(text):
        if err:
            row += 1
            rejects.append((row, None, err, ""))
            continue
        for td in doc if isinstance(doc, list) else [doc]:
            if not isinstance(td, Mapping) or "resourceSpans" not in td:
                row += 1
                rejects.append((row, None, "not an OTLP TracesData object (no resourceSpans)", raw_json(td)))
                continue
            found = True
            for rs in td.get("resourceSpans") or []:
                if not isinstance(rs, Mapping):
                    continue
                resource = _attributes((rs.get("resource") or {}).get("attributes"))
                scopes = rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []
                for ss in scopes:
                    if not isinstance(ss, Mapping):
                        continue
                    for sp in ss.get("spans") or []:
                        row += 1
                        spans.append(_otlp_span(row, sp, resource))
    if not found:
        raise InputFileError(str(path), "not OTLP/JSON: no resourceSpans found")
    return spans, rejects, []


def _otlp_span(row: int, sp: Any, resource: dict[str, Any]) -> Span:
    if not isinstance(sp, Mapping):
        return Span(row, None, None, None, "", None, None, problem="span is not a JSON object", raw=raw_json(sp))
    problem = None
    ids: list[str | None] = []
    for key, nbytes in (("traceId", 16), ("spanId", 8), ("parentSpanId", 8)):
        try:
            ids.append(norm_id(sp.get(key), nbytes))
        except ValueError as exc:
            ids.append(None)
            problem = problem or f"{key}: {exc}"
    start, raw_start = _time(sp.get("startTimeUnixNano"))
    end, _ = _time(sp.get("endTimeUnixNano"))
    status = sp.get("status") or {}
    events = [
        (str(e.get("name", "")), _attributes(e.get("attributes")))
        for e in sp.get("events") or [] if isinstance(e, Mapping)
    ]
    return Span(
        row=row, trace_id=ids[0], span_id=ids[1], parent_id=ids[2], name=str(sp.get("name") or ""),
        start_ns=start, end_ns=end, status=_status(status.get("code", 0)) if isinstance(status, Mapping) else "unset",
        status_message=status.get("message") if isinstance(status, Mapping) else None,
        attributes=_attributes(sp.get("attributes")), resource=resource, events=events,
        raw_start=raw_start, problem=problem, raw=raw_json(sp),
    )


def _time(value: Any, zone: str = "UTC") -> tuple[int | None, Any]:
    """(nanoseconds, None), or (None, the raw value) when it is not a time we can read."""
    try:
        return to_ns(value, zone), None
    except ValueError:
        return None, value


# ---------------------------------------------------------------------------------------------
# OpenTelemetry SDK span JSON (ReadableSpan.to_json(), ConsoleSpanExporter, any-agent's {"spans": [...]})


def _is_sdk_span(obj: Any) -> bool:
    return isinstance(obj, Mapping) and isinstance(obj.get("context"), Mapping) and (
        "start_time" in obj or "name" in obj
    )


def parse_sdk_json(path: Path, text: str | None = None) -> Parsed:
    """Spans of SDK span JSON: one span, a list of spans, {"spans": [...]}, or concatenated span documents."""
    text = read_text(path) if text is None else text
    spans: list[Span] = []
    rejects: list[tuple[int, str | None, str, str]] = []
    notes: list[str] = []
    row = 0
    found = False
    for _line, doc, err in _json_documents(text):
        if err:
            row += 1
            rejects.append((row, None, err, ""))
            continue
        if isinstance(doc, Mapping) and isinstance(doc.get("spans"), list):
            items = doc["spans"]
            extra = sorted(k for k in doc if k != "spans")
            if extra:
                notes.append(f"top-level keys besides 'spans' not read: {', '.join(extra)}")
        elif isinstance(doc, list):
            items = doc
        else:
            items = [doc]
        for sp in items:
            row += 1
            if not _is_sdk_span(sp):
                rejects.append((row, None, "not an OpenTelemetry SDK span (no context)", raw_json(sp)))
                continue
            found = True
            spans.append(_sdk_span(row, sp))
    if not found and not rejects:
        raise InputFileError(str(path), "not OpenTelemetry SDK span JSON: no spans found")
    if not found:
        raise InputFileError(str(path), f"not OpenTelemetry SDK span JSON: {rejects[0][2]}")
    return spans, rejects, notes


def _sdk_span(row: int, sp: Mapping[str, Any]) -> Span:
    ctx = sp.get("context") or {}
    problem = None
    try:
        trace_id = norm_id(ctx.get("trace_id"), 16)
        span_id = norm_id(ctx.get("span_id"), 8)
    except ValueError as exc:
        trace_id = span_id = None
        problem = f"context: {exc}"
    parent_id = None
    parent = sp.get("parent")
    parent_raw = parent.get("span_id") if isinstance(parent, Mapping) else sp.get("parent_id")
    try:
        parent_id = norm_id(parent_raw, 8)
    except ValueError as exc:
        problem = problem or f"parent: {exc}"
    start, raw_start = _time(sp.get("start_time"))
    end, _ = _time(sp.get("end_time"))
    status = sp.get("status") or {}
    code = status.get("status_code") if isinstance(status, Mapping) else None
    res = sp.get("resource") or {}
    resource = res.get("attributes", res) if isinstance(res, Mapping) else {}
    events = []
    for e in sp.get("events") or []:
        if isinstance(e, Mapping):
            events.append((str(e.get("name", "")), dict(e.get("attributes") or {})))
    attrs = sp.get("attributes") or {}
    return Span(
        row=row, trace_id=trace_id, span_id=span_id, parent_id=parent_id, name=str(sp.get("name") or ""),
        start_ns=start, end_ns=end, status=_status(code if code is not None else 0),
        status_message=status.get("description") if isinstance(status, Mapping) else None,
        attributes=_attributes(attrs) if isinstance(attrs, (Mapping, list)) else {},
        resource=_attributes(resource) if isinstance(resource, (Mapping, list)) else {},
        events=events, raw_start=raw_start, problem=problem, raw=raw_json(sp),
    )


# ---------------------------------------------------------------------------------------------
# A bare attribute set (one span's attributes, e.g. openinference-genai test fixtures)

def looks_like_attribute_set(doc: Any) -> bool:
    """A flat JSON object whose keys are span attribute names (gen_ai.*, llm.*, ...), not a trace."""
    return (
        isinstance(doc, Mapping)
        and not {"resourceSpans", "spans", "context", "trace", "observations"} & set(doc)
        and any(str(k).startswith(semconv.ATTRIBUTE_PREFIXES) for k in doc)
    )


def parse_attribute_set(path: Path, text: str | None = None) -> Parsed:
    """One span wrapped around the attributes; its ids derive from the content, and it has no times."""
    text = read_text(path) if text is None else text
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(str(path), f"not valid JSON ({exc.msg})") from None
    if not looks_like_attribute_set(doc):
        raise InputFileError(str(path), "not a span attribute set (a flat object of gen_ai.* / llm.* attributes)")
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
    span = Span(row=1, trace_id=digest[:32], span_id=digest[32:48], parent_id=None, name="", start_ns=None,
                end_ns=None, attributes=_attributes(doc), raw=raw_json(doc))
    note = ("attribute set: wrapped as one span with content-derived ids; it carries no start time, so a "
            "turn or tool call from it is rejected (started_at missing) and no session is derived")
    return [span], [], [note]


# ---------------------------------------------------------------------------------------------
# Spans -> contract rows


def _identity(names: tuple[str, ...], span: Span) -> str | None:
    value = semconv.lookup(span.attributes, names)
    if value is None:
        value = semconv.lookup(span.resource, names)
    return None if value is None else str(value)


def _error_type(span: Span) -> str | None:
    value = semconv.first("error_type", span.attributes)
    if value is None:
        for name, attrs in span.events:
            if name == semconv.EXCEPTION_EVENT:
                value = semconv.first("exception_type", attrs)
                if value is not None:
                    break
    return None if value is None else str(value)


def _duration_ms(start: int | None, end: int | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start) / 1e6


def _started_at(span: Span) -> Any:
    if span.start_ns is not None:
        return ns_to_iso(span.start_ns)
    return None if span.raw_start is None else str(span.raw_start)


def tool_name_from_span_name(name: str) -> str | None:
    for prefix in semconv.TOOL_SPAN_NAME_PREFIXES:
        if name.startswith(prefix) and name[len(prefix):].strip():
            return name[len(prefix):].strip()
    return None


def map_spans(
    spans: list[Span],
    config: Config,
    *,
    pre_rejects: list[tuple[int, str | None, str, str]] | None = None,
    notes: list[str] | None = None,
) -> Mapped:
    """Turn spans into raw turns / tool_calls rows and session facts (see docs/telemetry.md)."""
    ident = semconv.identity_attributes(config)
    out = Mapped(records=len(spans) + len(pre_rejects or []), pre_rejects=list(pre_rejects or []),
                 notes=list(notes or []))
    kinds: dict[int, str | None] = {id(s): semconv.classify(s.attributes) for s in spans}
    by_id: dict[tuple[str | None, str], Span] = {}
    for s in spans:
        if s.span_id and s.problem is None:
            by_id.setdefault((s.trace_id, s.span_id), s)
    # a trace's session: the first conversation/session id any of its spans (or resources) carries
    trace_session: dict[str | None, str] = {}
    for s in spans:
        sid = semconv.first("session", s.attributes, s.resource)
        if sid is not None and s.trace_id not in trace_session:
            trace_session[s.trace_id] = str(sid)

    def session_of(s: Span) -> str | None:
        sid = semconv.first("session", s.attributes, s.resource)
        if sid is not None:
            return str(sid)
        return trace_session.get(s.trace_id, s.trace_id)

    def turn_ancestor(s: Span) -> str | None:
        seen: set[str] = set()
        pid = s.parent_id
        while pid and pid not in seen:
            seen.add(pid)
            parent = by_id.get((s.trace_id, pid))
            if parent is None:
                return None
            if kinds[id(parent)] == "turn":
                return parent.span_id
            pid = parent.parent_id
        return None

    mapped_sessions: set[str] = set()
    for s in spans:
        kind = kinds[id(s)]
        if kind is None:
            op = semconv.first("operation", s.attributes) or semconv.first("openinference_kind", s.attributes)
            out.ignore(str(op) if op else "no gen_ai operation")
            continue
        if s.problem is not None or not s.span_id:
            out.pre_rejects.append((s.row, None, s.problem or "span has no span id", s.raw))
            continue
        session_id = session_of(s)
        attrs = s.attributes
        if kind == "turn":
            error_type = semconv.first("error_type", attrs)
            ttft_s = semconv.first("ttft_s", attrs)
            ttft = None
            if ttft_s is not None:
                try:
                    ttft = float(ttft_s) * 1000.0
                except (TypeError, ValueError):
                    ttft = ttft_s  # let the loader reject it as not a number
            out.turns.append({
                "_row": s.row,
                "turn_id": s.span_id,
                "session_id": session_id,
                "started_at": _started_at(s),
                "model": semconv.first("model", attrs),
                "status": "error" if s.status == "error" or error_type is not None else "ok",
                "latency_ms": _duration_ms(s.start_ns, s.end_ns),
                "ttft_ms": ttft,
                "input_tokens": _num_text(semconv.first("input_tokens", attrs)),
                "output_tokens": _num_text(semconv.first("output_tokens", attrs)),
                "cost_usd": semconv.cost(attrs),
            })
        else:
            error_type = _error_type(s)
            failed = s.status == "error" or error_type is not None
            name = semconv.first("tool_name", attrs)
            out.tool_calls.append({
                "_row": s.row,
                "call_id": s.span_id,
                "session_id": session_id,
                "turn_id": turn_ancestor(s),
                "tool_name": name if name is not None else tool_name_from_span_name(s.name),
                "started_at": _started_at(s),
                "duration_ms": _duration_ms(s.start_ns, s.end_ns),
                "status": ("timeout" if semconv.is_timeout(error_type) else "error") if failed else "ok",
                "error_type": error_type,
            })
        if session_id is not None:
            mapped_sessions.add(session_id)
    # sessions: from every span of a session that has at least one turn or tool call
    for s in spans:
        if s.problem is not None:
            continue
        sid = session_of(s)
        if sid is None or sid not in mapped_sessions:
            continue
        facts = out.sessions.get(sid)
        if facts is None:
            facts = out.sessions[sid] = SessionFacts(session_id=sid, first_row=s.row)
        facts.widen(s.start_ns, s.end_ns)
        if facts.tenant_id is None:
            facts.tenant_id = _identity(ident["tenant"], s)
        if facts.user_id is None:
            facts.user_id = _identity(ident["user"], s)
        if facts.release is None:
            rel = semconv.first("release", s.attributes, s.resource)
            facts.release = None if rel is None else str(rel)
    return out
