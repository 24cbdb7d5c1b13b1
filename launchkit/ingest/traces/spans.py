"""The shared span model of every trace format, and the small converters the formats share.

Each format's parser turns its records into `Span`s (ids lowercase hex, times nanoseconds since the
epoch); launchkit.ingest.traces.mapping turns spans into contract rows (`Mapped`).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from launchkit.errors import InputFileError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RAW_MAX = 2000  # characters of a record kept with a reject
# msgspec decodes a whole document about twice as fast as the stdlib; where it refuses (not JSON,
# several documents on a line, a number beyond a double (the stdlib reads it as inf), a lone surrogate) the stdlib decoder
# decides, so what is read and the error messages stay exactly the stdlib's.
_FAST = msgspec.json.Decoder()


@dataclass(slots=True)
class Span:
    """One span, whatever the format it came in; ids are lowercase hex, times nanoseconds since the epoch.

    A record that cannot be a span at all (a line that is not JSON, an unreadable id) is a Span with
    `problem` set: the mapping rejects it before staging, with `raw` (its JSON) as read.
    """

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
    events: list[tuple[str, dict[str, Any], int | None]] = field(default_factory=list)  # name, attributes, time
    raw_start: Any = None  # the start time as read, when it could not be converted
    problem: str | None = None  # why the span cannot be mapped at all (a pre-reject), if it cannot
    raw: str = ""  # the record as JSON, kept only for a span with a problem
    kind: str | None = None  # internal | server | client | producer | consumer (None: not given)
    scope: str | None = None  # instrumentation scope (library) name
    not_a_span: str | None = None  # a record of another signal in a trace file (a log record): ignored, why


def problem_span(row: int, problem: str, record: Any = None, trace_id: str | None = None) -> Span:
    """A record that cannot be mapped: rejected before staging with its reason and JSON (and its trace
    id, when that could be read: it says which worker reads the record, launchkit.ingest.traces.share)."""
    raw = "" if record is None else raw_json(record)
    return Span(row, trace_id, None, None, "", None, None, problem=problem, raw=raw)


PreReject = tuple[int, "str | None", str, str]  # row, column, reason, raw JSON


@dataclass(slots=True)
class SessionFacts:
    """What a file's spans say about one session.

    The rules do not depend on the order spans are met in (a large file's traces are mapped in
    parts, and facts are written out with each batch of rows, then aggregated: queries/ingest/
    session_facts.sql): the time range is the widest, and the tenant, user and release are those of
    the first span in the file that names one (`*_row` is that span's record number).
    """

    session_id: str
    first_row: int
    start_ns: int | None = None
    end_ns: int | None = None
    tenant_id: str | None = None
    user_id: str | None = None
    release: str | None = None
    tenant_row: int | None = None
    user_row: int | None = None
    release_row: int | None = None

    def widen(self, start_ns: int | None, end_ns: int | None) -> None:
        if start_ns is not None:
            self.start_ns = start_ns if self.start_ns is None else min(self.start_ns, start_ns)
        if end_ns is not None:
            self.end_ns = end_ns if self.end_ns is None else max(self.end_ns, end_ns)

    def add(self, row: int, tenant: str | None, user: str | None, release: str | None) -> None:
        """What record `row` says of the session's tenant, user and release (the earliest record wins)."""
        self.first_row = min(self.first_row, row)
        if tenant is not None and (self.tenant_row is None or row < self.tenant_row):
            self.tenant_id, self.tenant_row = tenant, row
        if user is not None and (self.user_row is None or row < self.user_row):
            self.user_id, self.user_row = user, row
        if release is not None and (self.release_row is None or row < self.release_row):
            self.release, self.release_row = release, row


@dataclass
class Mapped:
    """Raw contract rows from one file (values as read, `_row` = record number) and their bookkeeping.

    records = turns + tool calls + feedback + evaluations + ignored + pre-rejected, where the rows of a table are
    those still in its list plus those already staged in batches (`staged`). `ignored_kinds` counts the
    ignored records by reason; `warnings` names the ignored records that may have lost an LLM call
    or its spend (they make the load finish with warnings, launchkit.exits.WARNINGS).
    """

    turns: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    evaluations: list[dict[str, Any]] = field(default_factory=list)  # model / program judgements (scores)
    sessions: dict[str, SessionFacts] = field(default_factory=dict)
    records: int = 0  # spans / observations / scores read
    ignored: int = 0
    ignored_kinds: dict[str, int] = field(default_factory=dict)
    pre_rejects: list[tuple[int, str | None, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # rows already written out in batches (and cleared from the lists above): table -> [(file, columns, rows)]
    staged: dict[str, list[tuple[str, tuple[str, ...], int]]] = field(default_factory=dict)

    def n_staged(self, table: str) -> int:
        """Rows of `table` written out in batches so far."""
        return sum(n for _, _, n in self.staged.get(table, ()))

    def ignore(self, kind: str) -> None:
        self.ignored += 1
        self.ignored_kinds[kind] = self.ignored_kinds.get(kind, 0) + 1


# ---------------------------------------------------------------------------------------------
# Small converters shared by the formats.


def as_list(value: Any) -> list[Any]:
    """A JSON array as a list; anything else (a record's malformed field) as an empty one."""
    return value if isinstance(value, list) else []


def raw_json(obj: Any) -> str:
    """A record as compact JSON for the rejects table (cut at 2,000 characters)."""
    text = json.dumps(obj, default=str, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _RAW_MAX else text[: _RAW_MAX - 3] + "..."


# Ids already as OTLP/JSON writes them: lowercase hex of the right length, not the invalid all-zero id.
_LOWER_HEX = {n: re.compile(rf"(?!0{{{2 * n}}})[0-9a-f]{{{2 * n}}}").fullmatch for n in (8, 16)}


def norm_id(value: Any, nbytes: int) -> str | None:
    """An OTel id as lowercase hex: hex text (any case, optional 0x), base64 text, or an integer.

    Returns None for a missing, empty or all-zero (invalid) id; raises ValueError when unreadable.
    """
    if value is None or value == "":
        return None
    if type(value) is str and _LOWER_HEX[nbytes](value):  # the common case: lowercase hex, not all zeros
        return value
    if type(value) is str and len(value) == 2 * nbytes and value.isascii() and value.isalnum():
        try:  # the common case: hex of the right length
            if int(value, 16):
                return value if value.islower() or value.isdigit() else value.lower()
            return None  # all zeros: the invalid id
        except ValueError:
            pass  # base64 of that length, or not an id: the general rules below say which
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


_DAY_PREFIX: dict[int, str] = {}  # days since the epoch -> "YYYY-MM-DDT" (a file spans few days)


def ns_to_iso(ns: int) -> str:
    """An ISO 8601 UTC string with microseconds (the warehouse's precision) for nanoseconds since the epoch."""
    sec, rem = divmod(ns, 1_000_000_000)
    day, sec = divmod(sec, 86_400)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        try:
            dt = _EPOCH + timedelta(days=day)
            if not 1 <= dt.year <= 9999:
                raise OverflowError
        except OverflowError:
            return str(ns)  # the loader rejects it: "epoch value out of range"
        prefix = dt.strftime("%Y-%m-%dT")
        if len(_DAY_PREFIX) < 100_000:
            _DAY_PREFIX[day] = prefix
    hour, sec = divmod(sec, 3600)
    minute, sec = divmod(sec, 60)
    return f"{prefix}{hour:02d}:{minute:02d}:{sec:02d}.{rem // 1000:06d}Z"


def num_text(value: Any) -> Any:
    """A number-ish attribute value passed through for the loader to type (strings stay strings)."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    return value


def any_value(v: Any) -> Any:
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
        return [any_value(x) for x in (v["arrayValue"] or {}).get("values", []) or []]
    if "kvlistValue" in v:
        return attributes((v["kvlistValue"] or {}).get("values", []))
    if "bytesValue" in v:
        return v["bytesValue"]
    return None


def attributes(items: Any) -> dict[str, Any]:
    """OTLP KeyValue list (or an already plain mapping) -> {key: value}."""
    if type(items) is not list and isinstance(items, Mapping):
        return {str(k): (any_value(v) if isinstance(v, dict) else v) for k, v in items.items()}
    out: dict[str, Any] = {}
    for kv in items or ():
        if type(kv) is dict:  # the common case, without the generic Mapping check
            key = kv.get("key")
            if key is None:
                continue
            v = kv.get("value")
            if type(v) is dict and "stringValue" in v:
                out[key if type(key) is str else str(key)] = v["stringValue"]
            else:
                out[key if type(key) is str else str(key)] = any_value(v)
        elif isinstance(kv, Mapping) and "key" in kv:
            out[str(kv["key"])] = any_value(kv.get("value"))
    return out


_STATUS_CODES = {
    0: "unset",
    1: "ok",
    2: "error",
    "status_code_unset": "unset",
    "status_code_ok": "ok",
    "status_code_error": "error",
    "unset": "unset",
    "ok": "ok",
    "error": "error",
    "statuscode.unset": "unset",
    "statuscode.ok": "ok",
    "statuscode.error": "error",
}


def status(code: Any) -> str:
    """ok | error | unset from a status code as a number or a name (anything else: unset)."""
    key = code.strip().lower() if isinstance(code, str) else code
    if isinstance(key, str) and key.isdigit():
        key = int(key)
    if not isinstance(key, (str, int)) or isinstance(key, bool):
        return "unset"
    return _STATUS_CODES.get(key, "unset")


def documents(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    """(line, document, error) for each JSON document of a file, read as a stream.

    A file may hold one document, JSON Lines, or documents one after another (pretty-printed or on
    one line). Lines are read in order and each is parsed once: a line that is a whole document (or
    several) gives them; a line that starts a document spread over lines is kept until a line that
    starts with its closing bracket ('}' or ']' in the first column, as indented JSON prints it)
    completes it. So time grows linearly with the file and memory with its largest document, and
    line numbers are counted as lines go by. A line that is not JSON gives one error and reading goes
    on at the next line. Raises InputFileError when the file is not UTF-8 text.
    """
    dec = json.JSONDecoder()
    pending: list[str] = []  # lines of a document spread over several lines
    pending_line = 0
    lineno = 0
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as f:
            queue: list[tuple[int, str]] = []  # lines to read again after a broken multi-line document
            it = iter(f)
            while True:
                if queue:
                    lineno, line = queue.pop(0)
                else:
                    nxt = next(it, None)
                    if nxt is None:
                        break
                    lineno += 1
                    line = nxt
                if pending:
                    if line[:1] in "{[" and pending[0].strip() not in ("{", "["):
                        # a one-line document cut short, and the next document starts: it never closes
                        yield pending_line, None, f"line {pending_line}: not valid JSON (document never closes)"
                        queue = (
                            [(pending_line + 1 + i, t) for i, t in enumerate(pending[1:])] + [(lineno, line)] + queue
                        )
                        pending = []
                        continue
                    pending.append(line)
                    if line[:1] in "}]":
                        done, docs, err = _decode_all(dec, "".join(pending))
                        if done:
                            for doc in docs:
                                yield pending_line, doc, None
                            pending = []
                        elif err is not None:
                            yield pending_line, None, f"line {pending_line}: not valid JSON ({err})"
                            queue = [(pending_line + 1 + i, t) for i, t in enumerate(pending[1:])] + queue
                            pending = []
                    continue
                if not line.strip():
                    continue
                done, docs, err = _decode_all(dec, line)
                for doc in docs:
                    yield lineno, doc, None
                if done:
                    continue
                if err is not None:
                    yield lineno, None, f"line {lineno}: not valid JSON ({err})"
                    continue
                # the line opens a document that goes on: keep what was not decoded yet
                pending = [line[_rest_start(dec, line) :]]
                pending_line = lineno
    except UnicodeDecodeError:
        raise InputFileError(str(path), "not UTF-8 text") from None
    if pending:
        done, docs, err = _decode_all(dec, "".join(pending))
        for doc in docs:
            yield pending_line, doc, None
        if not done:
            yield pending_line, None, f"line {pending_line}: not valid JSON ({err or 'document never closes'})"


def _decode_all(dec: json.JSONDecoder, text: str) -> tuple[bool, list[Any], str | None]:
    """Decode every document in `text`: (all decoded, documents, error). The error is None when the
    text stops inside a document (it may go on in the next lines), else why it is not JSON."""
    try:  # the common case: the text is one whole document
        return True, [_FAST.decode(text)], None
    except msgspec.DecodeError:
        pass
    docs: list[Any] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            return True, docs, None
        try:
            doc, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            # documents before it on the same text were whole: they are kept
            return False, docs, exc.msg if exc.pos < len(text.rstrip()) else None
        docs.append(doc)


def _rest_start(dec: json.JSONDecoder, line: str) -> int:
    """Where the unfinished document of a line starts (after any whole documents before it)."""
    pos, n = 0, len(line)
    while True:
        while pos < n and line[pos] in " \t\r\n":
            pos += 1
        try:
            _, pos = dec.raw_decode(line, pos)
        except json.JSONDecodeError:
            return pos


def missing(v: Any) -> bool:
    """Absent: None, or NaN (a pandas export's empty cell)."""
    return v is None or (isinstance(v, float) and math.isnan(v))


def loose_id(value: Any, nbytes: int) -> str | None:
    """An OpenTelemetry id as lowercase hex; any other id text (a UUID, a decimal span id) as written, lowercased.

    Platforms that are not OpenTelemetry name their spans otherwise (LangSmith run UUIDs, Datadog's
    decimal span ids, older Phoenix UUIDs): kept as written, so feedback and evaluations that name
    them still find their turn.
    """
    if missing(value):
        return None
    try:
        return norm_id(value, nbytes)
    except ValueError:
        text = str(value).strip().lower()
        return text or None


def epoch_or_iso_ns(value: Any) -> tuple[int | None, Any]:
    """(nanoseconds, None) from an ISO string (no offset: UTC) or an epoch number in s, ms, µs or ns (told
    by its magnitude); (None, the raw value) when it is not a time."""
    if missing(value) or value == "":
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        v = float(value)
        if not math.isfinite(v):
            return None, value
        if isinstance(value, int) and abs(value) >= 1e17:
            return value, None  # already nanoseconds: exact
        scale = 1e9 if abs(v) < 1e11 else 1e6 if abs(v) < 1e14 else 1e3 if abs(v) < 1e17 else 1.0
        return int(round(v * scale)), None
    if isinstance(value, str):
        try:
            return iso_to_ns(value), None
        except ValueError:
            return None, value
    return None, value


def flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    """Nested objects ({"llm": {"token_count": {"prompt": 5}}}) -> dotted keys (llm.token_count.prompt);
    lists and other values are kept as they are, absent ones left out."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif not missing(value):
        out[prefix] = value


def read_time(value: Any, zone: str = "UTC") -> tuple[int | None, Any]:
    """(nanoseconds, None), or (None, the raw value) when it is not a time we can read."""
    if type(value) is str and value.isascii() and value.isdigit():  # the common case: OTLP's nanoseconds
        return int(value) or None, None
    try:
        return to_ns(value, zone), None
    except ValueError:
        return None, value


# ---------------------------------------------------------------------------------------------
# One record per trace format, and the record loop the span formats share.


def _never(_: Any) -> bool:
    return False


@dataclass(frozen=True)
class TraceFormat:
    """How one trace format is told from its content and read (launchkit.ingest.formats lists them).

    A file is told by the first format, in the order of that list, whose `head` accepts the first
    256 KiB of its text; failing all, by the first whose `record` accepts one of its first records
    (parsed), or whose `document` accepts its only document. `parse` (path, notes[, share]) gives a
    span format's spans; a format mapped otherwise gives `mapped` (path, config) -> Mapped; a format
    recognised but not read gives `refuse`, the reason it is refused, named by its real name.
    """

    name: str
    about: str  # what its users call it ("a Grafana Tempo export")
    parse: Callable[..., Iterator[Span]] | None = None
    mapped: Callable[..., Mapped] | None = None
    head: Callable[[str], bool] = _never
    record: Callable[[Any], bool] = _never
    document: Callable[[Any], bool] = _never
    takes_share: bool = False  # parse takes a Share and skips other workers' traces early
    refuse: str | None = None
    reads_warehouse: bool = False  # `mapped` takes the warehouse too (rows found through the loaded turns)


DOCUMENT = object()  # yielded by a `records` function: this document is of the format (it may hold no span)


def read_records(
    path: Path,
    records: Callable[[Any], Iterable[Any]],
    span: Callable[[int, Any], Span | str | None],
    none_found: str | Callable[[str | None], str],
) -> Iterator[Span]:
    """The spans of a file of JSON documents, the loop every span format shares.

    `records(doc)` gives a document's records, numbered in file order from 1 (yielding DOCUMENT says
    the document is of the format without being a record); `span(row, record)` builds one: a Span,
    None (skipped: another worker's trace), or the reason the record is not of this format (a
    pre-rejected record). A line that is not JSON is a pre-rejected record too. A file without one
    record or document of the format raises InputFileError(`none_found`, or `none_found(first problem)`).
    """
    row = 0
    found = False
    first_problem: str | None = None
    for _line, doc, err in documents(path):
        if err:
            row += 1
            first_problem = first_problem or err
            yield problem_span(row, err)
            continue
        for rec in records(doc):
            if rec is DOCUMENT:
                found = True
                continue
            row += 1
            out = span(row, rec)
            if out is None:
                continue
            if isinstance(out, str):
                first_problem = first_problem or out
                yield problem_span(row, out, rec)
                continue
            found = found or out.not_a_span is None
            yield out
    if not found:
        raise InputFileError(str(path), none_found if isinstance(none_found, str) else none_found(first_problem))
