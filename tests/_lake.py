"""A synthetic pilot written as a lake, with the corner cases engines disagree on unless handled, for the
two-engine tests (tests/test_engines.py) and the lake tests (tests/test_lake.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from launchkit import synth
from launchkit.contract import TABLES
from launchkit.synth.lake import write_lake

START = date(2026, 3, 2)
DAYS = 9
LAST = START + timedelta(days=DAYS - 1)  # 2026-03-10: decided against 03-03 .. 03-09
EVENT_TABLES = tuple(TABLES)  # every contract table, mapped to the lake


def _at(day: date, h: int = 0, m: int = 0, s: int = 0, us: int = 0) -> pd.Timestamp:
    return pd.Timestamp(datetime(day.year, day.month, day.day, h, m, s, us, tzinfo=UTC))


def _rows(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([{c: r.get(c) for c in TABLES[table].column_names} for r in rows])


def edge_rows() -> dict[str, pd.DataFrame]:
    """Rows the synthetic pilot lacks: NULL latencies on ok turns, turns on a midnight and a microsecond before
    one, an unknown and a missing model, missing tokens, a tier-sized prompt, tied latencies across the day
    and its baseline, a call of an unknown session, feedback without a session, SEV1/SEV2 incidents at
    sub-second instants with an on-time and a late postmortem."""
    d, prev = LAST, LAST - timedelta(days=1)
    base = {"session_id": "edge-s1", "status": "ok", "input_tokens": 1000, "output_tokens": 100}
    sonnet = {"model": "claude-3-5-sonnet", "model_raw": "claude-3-5-sonnet-20241022", "provider": "anthropic"}
    turns = [
        {**base, **sonnet, "turn_id": "edge-t1", "started_at": _at(d, 0), "latency_ms": None, "ttft_ms": None},
        {**base, **sonnet, "turn_id": "edge-t2", "started_at": _at(prev, 23, 59, 59, 999999), "latency_ms": 1000.0},
        {**base, "turn_id": "edge-t3", "started_at": _at(d, 1), "model": "mystery-model-x", "latency_ms": 1000.0},
        {**base, "turn_id": "edge-t4", "started_at": _at(d, 2), "model": None, "latency_ms": 1000.0, "ttft_ms": 5.0},
        {**base, **sonnet, "turn_id": "edge-t5", "started_at": _at(d, 3), "input_tokens": None, "latency_ms": 2.0},
        {
            **base,
            **sonnet,
            "turn_id": "edge-t6",
            "started_at": _at(d, 4),
            "input_tokens": 250_000,
            "latency_ms": 1000.0,
        },
        {**base, **sonnet, "turn_id": "edge-t7", "started_at": _at(d, 5), "status": "error", "latency_ms": 1000.0},
        {**base, **sonnet, "turn_id": "edge-t8", "started_at": _at(prev, 6), "latency_ms": 1000.0, "ttft_ms": 1500.0},
    ]
    return {
        "sessions": _rows(
            "sessions",
            [{"session_id": "edge-s1", "tenant_id": "edge-tenant", "started_at": _at(prev, 23, 59), "cohort": "edge"}],
        ),
        "turns": _rows("turns", turns),
        "tool_calls": _rows(
            "tool_calls",
            [
                {
                    "call_id": "edge-c1",
                    "session_id": "edge-unknown",
                    "tool_name": "sql_query",
                    "status": "timeout",
                    "started_at": _at(d, 10, 0, 0, 500),
                    "duration_ms": 30000.0,
                },
            ],
        ),
        "feedback": _rows(
            "feedback",
            [{"feedback_id": "edge-f1", "session_id": None, "submitted_at": _at(d, 12), "rating": 1, "thumbs": "down"}],
        ),
        "incidents": _rows(
            "incidents",
            [
                {"incident_id": "edge-i1", "severity": "SEV1", "opened_at": _at(d, 20, 0, 0, 250000), "title": "open"},
                {
                    "incident_id": "edge-i2",
                    "severity": "SEV2",
                    "opened_at": _at(prev, 9, 0, 59, 500000),
                    "resolved_at": _at(prev, 10, 1, 0, 250000),
                    "postmortem_at": _at(d, 11),
                    "title": "late pm",
                },
            ],
        ),
    }


def write_edge_lake(root: Path, sessions_per_hour: float = 20.0, seed: int = 11) -> Path:
    """The pilot plus edge_rows() as a lake under root/lake; returns that folder."""
    pilot = synth.generate_frames(days=DAYS, tenants=4, seed=seed, start=START, sessions_per_hour=sessions_per_hour)
    for table, extra in edge_rows().items():
        frame = pilot.frames[table]
        pilot.frames[table] = pd.concat([frame.astype(object), extra.astype(object)], ignore_index=True)
    out = root / "lake"
    write_lake(pilot, out)
    return out


def lake_toml(root: Path, lake: Path, kind: str = "duckdb", extra: str = "") -> Path:
    """A launchkit.toml mapping every contract table to the lake (warehouse: root/warehouse.duckdb)."""
    lines = [
        "[warehouse]",
        f'path = "{root / "warehouse.duckdb"}"',
        "",
        "[engine]",
        f'kind = "{kind}"',
        "",
        "[engine.tables]",
    ]
    lines += [f'{t} = "{lake / t}"' for t in EVENT_TABLES]
    path = root / "launchkit.toml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path
