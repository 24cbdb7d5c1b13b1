"""Sanity of LLM latencies: implausible values are data-quality findings, and optionally left out.

Two kinds of latency cannot be the time an LLM call took: one under [quality] min_llm_latency_ms
(default 5 ms; a streaming span that ended when the stream was created, not when it finished), and
a time to first token greater than the latency. The turns_priced fragment flags them (latency_flag)
from the settings the load job records in the warehouse (`apply`), and leaves them out of every
percentile only when [quality] exclude_implausible_latency = true; `findings` reports them in the
data-quality section either way. A changed setting applies from the next load (ingest, hourly, demo).
"""

from __future__ import annotations

from typing import TypedDict

from launchkit.config import Config
from launchkit.store.warehouse import QueryRunner, Warehouse
from launchkit.window import Window

EXAMPLES = 5
MESSAGES = {
    "below floor": "{n} ok LLM call(s) with a latency under {floor:g} ms (e.g. {ex}): not the time a call took; {what}",
    "ttft > latency": "{n} ok LLM call(s) whose time to first token exceeds their latency (e.g. {ex}); {what}",
}


def apply(wh: Warehouse, config: Config) -> bool:
    """Record the [quality] latency settings in the warehouse when they changed; whether they did."""
    row = wh.one("quality/settings")
    floor, exclude = config.min_llm_latency_ms, config.exclude_implausible_latency
    current = (row["min_llm_latency_ms"], row["exclude_implausible_latency"])
    if current[0] is not None and (float(current[0]), bool(current[1])) == (floor, exclude):
        return False
    wh.write("quality/set_settings", {"min_llm_latency_ms": floor, "exclude_implausible_latency": exclude})
    return True


class LatencyFinding(TypedDict):
    """A kind of implausible latency in a window: how many turns, example ids, whether they were left out."""

    finding: str
    turns: int
    examples: list[str]
    excluded_from_percentiles: bool
    message: str


def findings(db: QueryRunner, window: Window, config: Config) -> list[LatencyFinding]:
    """One finding per kind of implausible latency in the window: count, example turn ids, a message."""
    settings = db.one("quality/settings")
    floor = settings["min_llm_latency_ms"]
    floor = float(floor) if floor is not None else config.min_llm_latency_ms
    excluded = bool(settings["exclude_implausible_latency"])
    out: list[LatencyFinding] = []
    for row in db.rows("quality/latency_findings", {**window.params, "examples": EXAMPLES}):
        flag, n, examples = row[0], int(row[1]), list(row[2] or [])
        what = (
            "left out of the percentiles"
            if excluded
            else "kept in the percentiles ([quality] exclude_implausible_latency)"
        )
        out.append(
            {
                "finding": flag,
                "turns": n,
                "examples": examples,
                "excluded_from_percentiles": excluded,
                "message": MESSAGES[flag].format(n=n, floor=floor, ex=", ".join(examples), what=what),
            }
        )
    return out
