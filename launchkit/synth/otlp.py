"""Write a synthetic pilot (launchkit.synth) as OTLP/JSON traces, the way an instrumented assistant would export it.

Each session is one trace: an `invoke_agent` root span over the session (gen_ai.conversation.id =
session_id, enduser.id = user), a `chat` span per turn, an `execute_tool` span per tool call (child
of its turn). Tenant and release ride on the resource (tenant.id, service.version). Files are JSON
Lines of TracesData, one file per UTC hour of session start (traces_<YYYY-MM-DDTHH>.json), one line
per (tenant, release) resource, as the collector's file exporter writes. Tables traces do not carry
(feedback, vendor_costs, incidents, rollout) are written as CSV by synth.write_pilot beside them.

What the OTLP form cannot say: the turn and call ids (span ids replace them, derived from the
original ids), a session's missing ended_at (the root span has no end, so the importer derives the
end from the session's last span), and a cohort other than the default 'pilot'.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import pandas as pd

from launchkit.errors import InputFileError
from launchkit.ingest.traces import semconv

TRACE_FILE_PREFIX = "traces_"


def _name(field: str) -> str:
    """The current (first) attribute name of a logical field in the one alias table."""
    return semconv.ALIASES[field][0]


def _hex(kind: str, key: str, nbytes: int) -> str:
    return hashlib.sha256(f"launchkit-synth:{kind}:{key}".encode()).hexdigest()[: 2 * nbytes]


def _ns(series: pd.Series) -> list[int | None]:
    s = pd.to_datetime(series, utc=True)
    out: list[int | None] = []
    for v in s:
        out.append(None if pd.isna(v) else int(pd.Timestamp(v).as_unit("ns").value))
    return out


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def _attr(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}  # proto3 JSON: 64-bit ints as strings
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}
    return {"key": key, "value": {"stringValue": str(value)}}


def _attrs(pairs: dict[str, Any]) -> list[dict[str, Any]]:
    return [_attr(k, v) for k, v in pairs.items() if not _missing(v)]


def _span(
    trace_id: str,
    span_id: str,
    parent: str | None,
    name: str,
    start: int | None,
    end: int | None,
    attrs: dict[str, Any],
    status: dict[str, Any],
) -> dict[str, Any]:
    span: dict[str, Any] = {"traceId": trace_id, "spanId": span_id, "name": name, "kind": 1}
    if parent:
        span["parentSpanId"] = parent
    if start is not None:
        span["startTimeUnixNano"] = str(start)
    if end is not None:
        span["endTimeUnixNano"] = str(end)
    span["attributes"] = _attrs(attrs)
    span["status"] = status
    return span


def session_spans(pilot_frames: dict[str, pd.DataFrame]) -> dict[str, list[dict[str, Any]]]:
    """OTLP span objects per session_id (root, turns, tool calls), from the pilot's frames."""
    sessions, turns, calls = pilot_frames["sessions"], pilot_frames["turns"], pilot_frames["tool_calls"]
    out: dict[str, list[dict[str, Any]]] = {}
    trace_of: dict[str, str] = {}
    root_of: dict[str, str] = {}
    for sid, uid, start, end in zip(
        sessions["session_id"], sessions["user_id"], _ns(sessions["started_at"]), _ns(sessions["ended_at"])
    ):
        trace_id = trace_of[sid] = _hex("trace", sid, 16)
        root = root_of[sid] = _hex("session", sid, 8)
        out[sid] = [
            _span(
                trace_id,
                root,
                None,
                "invoke_agent analyst-assistant",
                start,
                end,
                {
                    _name("operation"): "invoke_agent",
                    _name("session"): sid,
                    _name("user"): None if _missing(uid) else uid,
                },
                {},
            )
        ]
    turn_span: dict[str, str] = {}
    for row, start in zip(cast(Iterable[Any], turns.itertuples(index=False)), _ns(turns["started_at"])):
        sid = row.session_id
        span_id = turn_span[row.turn_id] = _hex("turn", row.turn_id, 8)
        latency = None if _missing(row.latency_ms) else float(row.latency_ms)
        end = start + round(latency * 1e6) if start is not None and latency is not None else None
        attrs = {
            _name("operation"): "chat",
            _name("session"): sid,
            _name("provider"): None if _missing(row.provider) else row.provider,
            "gen_ai.request.model": row.model,
            _name("model"): row.model if _missing(row.model_raw) else row.model_raw,  # gen_ai.response.model
            _name("input_tokens"): None if _missing(row.input_tokens) else int(row.input_tokens),
            _name("output_tokens"): None if _missing(row.output_tokens) else int(row.output_tokens),
            _name("cache_read_tokens"): None if _missing(row.cache_read_tokens) else int(row.cache_read_tokens),
            _name("cache_write_tokens"): None if _missing(row.cache_write_tokens) else int(row.cache_write_tokens),
            _name("cost"): None if _missing(row.cost_usd) else float(row.cost_usd),
            _name("ttft_s"): None if _missing(row.ttft_ms) else float(row.ttft_ms) / 1000.0,
            _name("error_type"): None if row.status != "error" or _missing(row.error_type) else row.error_type,
        }
        status = {"code": 2, "message": "synthetic model error"} if row.status == "error" else {"code": 1}
        if sid not in trace_of:
            raise InputFileError(str(sid), "turn of a session the pilot does not have")
        out[sid].append(_span(trace_of[sid], span_id, root_of[sid], f"chat {row.model}", start, end, attrs, status))
    for row, start in zip(cast(Iterable[Any], calls.itertuples(index=False)), _ns(calls["started_at"])):
        sid = row.session_id
        duration = None if _missing(row.duration_ms) else float(row.duration_ms)
        end = start + round(duration * 1e6) if start is not None and duration is not None else None
        error_type = None if _missing(row.error_type) else row.error_type
        if row.status == "timeout" and error_type is None:
            error_type = "timeout"
        attrs = {
            _name("operation"): "execute_tool",
            _name("session"): sid,
            _name("tool_name"): row.tool_name,
            _name("error_type"): error_type if row.status != "ok" else None,
        }
        status = {"code": 2, "message": str(error_type or row.status)} if row.status != "ok" else {"code": 1}
        parent = turn_span.get(row.turn_id) if not _missing(row.turn_id) else None
        out[sid].append(
            _span(
                trace_of[sid],
                _hex("call", row.call_id, 8),
                parent or root_of[sid],
                f"execute_tool {row.tool_name}",
                start,
                end,
                attrs,
                status,
            )
        )
    return out


def write_otlp(pilot: Any, out_dir: str | Path) -> list[Path]:
    """Write `pilot` (a synth.SynthPilot) to `out_dir` as hourly OTLP/JSON trace files plus CSV for the
    other tables and ground_truth.json. Returns the paths written, sorted.

    Like synth.write_pilot, an earlier synthetic pilot in the folder (it has a ground_truth.json) is
    replaced, trace files included; trace files without a ground truth may be real data and are refused.
    """
    from launchkit import synth

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFileError(str(out), "is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    old = sorted(out.glob(f"{TRACE_FILE_PREFIX}*.json"))
    if old and not (out / "ground_truth.json").is_file():
        raise InputFileError(
            str(out), f"holds {len(old)} trace files but no ground_truth.json (real data?); choose an empty folder"
        )
    for p in old:
        p.unlink()
    frames = dict(pilot.frames)
    rest = {name: (df.iloc[0:0] if name in ("sessions", "turns", "tool_calls") else df) for name, df in frames.items()}
    written = synth.write_pilot(synth.SynthPilot(frames=rest, ground_truth=pilot.ground_truth), out, "csv")
    spans = session_spans(frames)
    sessions = frames["sessions"]
    hours = pd.to_datetime(sessions["started_at"], utc=True).dt.strftime("%Y-%m-%dT%H")
    files: dict[str, dict[tuple[str, str], list[dict[str, Any]]]] = {}
    for sid, tenant, release, hour in zip(sessions["session_id"], sessions["tenant_id"], sessions["release"], hours):
        key = (str(tenant), "" if _missing(release) else str(release))
        files.setdefault(hour, {}).setdefault(key, []).extend(spans[sid])
    for hour in sorted(files):
        lines = []
        for (tenant, release), group in sorted(files[hour].items()):
            resource = {
                "attributes": _attrs(
                    {"service.name": "analyst-assistant", _name("tenant"): tenant, _name("release"): release or None}
                )
            }
            doc = {
                "resourceSpans": [
                    {
                        "resource": resource,
                        "scopeSpans": [{"scope": {"name": "launchkit.synth", "version": "1"}, "spans": group}],
                    }
                ]
            }
            lines.append(json.dumps(doc, separators=(",", ":")))
        path = out / f"{TRACE_FILE_PREFIX}{hour}.json"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return sorted(written)
