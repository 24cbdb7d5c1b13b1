"""Metrics on real public data: llmperf latencies as turns, Open-Assistant votes as feedback.

Neither data set has timestamps or session ids, so the test supplies them (one request a second
from 2026-03-02 00:00 UTC; one session per llmperf file; one session per OASST tree) and says so.
Expected values come from the raw JSON, computed here with numpy or counted with grep, never from
launchkit.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from _tables import TURN_COLS

from launchkit import ingest
from launchkit.analytics import overview
from launchkit.window import Window

BASE = datetime(2026, 3, 2, tzinfo=UTC)
pytestmark = pytest.mark.realdata


def llmperf_requests(realdata: Path) -> list[tuple[str, int, dict]]:
    out: list[tuple[str, int, dict]] = []
    for f in sorted((realdata / "latency" / "llmperf-leaderboard" / "individual").glob("*.json")):
        out.extend((f.stem, i, r) for i, r in enumerate(json.loads(f.read_text())))
    return out


def test_llmperf_latency_percentiles_and_error_rate(con, config, realdata, tmp_path):
    requests = llmperf_requests(realdata)
    # counted independently: 19 files, 2,845 requests, 539 with an error_code (grep/jq)
    assert len(requests) == 2845
    path = tmp_path / "turns_llmperf.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([c for c in TURN_COLS if c != "cost_usd"])  # unpriced: priced from tokens
        for k, (stem, i, r) in enumerate(requests):
            w.writerow(
                [
                    f"{stem}-{i}",
                    stem,
                    (BASE + timedelta(seconds=k)).isoformat(),
                    stem,
                    "error" if r.get("error_code") else "ok",
                    r["end_to_end_latency_s"] * 1000,
                    r["ttft_s"] * 1000,
                    r["number_input_tokens"],
                    r["number_output_tokens"],
                ]
            )
    [res] = ingest.ingest(con, [path], config=config)
    assert (res.rows_read, res.loaded, res.rejected) == (2845, 2845, 0)

    out = overview.compute(con, Window.day(date(2026, 3, 2), tz=UTC), config, include_finance=False)["metrics"]
    ok = [r for _, _, r in requests if not r.get("error_code")]
    lat = np.array([r["end_to_end_latency_s"] * 1000 for r in ok])
    ttft = np.array([r["ttft_s"] * 1000 for r in ok])
    assert out["turn_error_rate"] == pytest.approx(539 / 2845)
    assert out["active_sessions"] == 19
    for q, key in ((0.5, "p50"), (0.9, "p90"), (0.95, "p95"), (0.99, "p99")):
        # exact percentiles: numpy's default (linear) interpolation is DuckDB's quantile_cont
        assert out["latency_ms"][key] == pytest.approx(float(np.quantile(lat, q)), rel=1e-9)
        assert out["ttft_ms"][key] == pytest.approx(float(np.quantile(ttft, q)), rel=1e-9)
    assert out["tokens"]["input"] == sum(r["number_input_tokens"] for _, _, r in requests)


def test_open_assistant_votes_as_thumbs(con, config, realdata, tmp_path):
    src = realdata / "feedback" / "oasst-en_100_tree" / "en_100_tree.jsonl"
    rows: list[tuple[str, str, str]] = []

    def walk(tree: str, m: dict) -> None:
        votes = m.get("emojis") or {}
        for thumbs, key in (("up", "+1"), ("down", "-1")):
            rows.extend((f"{m['message_id']}-{thumbs}-{n}", tree, thumbs) for n in range(votes.get(key, 0)))
        for reply in m.get("replies", []):
            walk(tree, reply)

    for line in src.read_text().splitlines():
        t = json.loads(line)
        walk(t["message_tree_id"], t["prompt"])
    path = tmp_path / "feedback_oasst.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["feedback_id", "session_id", "submitted_at", "thumbs"])
        for k, (fid, tree, thumbs) in enumerate(rows):
            w.writerow([fid, tree, (BASE + timedelta(seconds=k)).isoformat(), thumbs])
    [res] = ingest.ingest(con, [path], config=config)
    # `grep -o '"+1": [0-9]*' en_100_tree.jsonl | awk '{s+=$2} END {print s}'` gives 1825; "-1" gives 568
    assert (res.rows_read, res.loaded) == (1825 + 568, 1825 + 568)
    fb = overview.compute(con, Window.day(date(2026, 3, 2), tz=UTC), config, include_finance=False)["metrics"][
        "feedback"
    ]
    assert fb["responses"] == 2393
    assert fb["thumbs_up_rate"] == pytest.approx(1825 / 2393)
    assert fb["csat"] is None and fb["mean_rating"] is None  # votes carry no ratings: unknown, not 0
