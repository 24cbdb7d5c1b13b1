"""The metric catalogue: every metric a GA criterion, an hourly check or a decision can judge.

One row per metric: how it is measured (kind, and the summary counts of a rate), its unit and which
way is better, the data-quality gates its verdict depends on, whether one hour of data can judge it,
and how the reports label it. Criteria, the decision, the hourly checks, the reports and the
synthetic pilot's ground truth all read this table; nothing else spells these facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["rate", "quantile", "mean", "count", "forecast", "reconciliation"]
Better = Literal["higher", "lower"]

# Gates every telemetry metric depends on, whatever it measures.
COMMON_GATES: tuple[str, ...] = ("hours_with_data", "rows_accepted")


@dataclass(frozen=True)
class Metric:
    """What launchkit knows about one judgeable metric."""

    name: str
    kind: Kind
    description: str
    label: str
    unit: str  # "%" (a 0-1 share), "ms", "$", "% of bill" or ""
    better: Better
    counts: tuple[str, str] | None = None  # rate: (successes, trials) columns of metrics/summary.sql
    gates: tuple[str, ...] = ()  # quality gates besides COMMON_GATES
    telemetry: bool = True  # False: from records (incidents, bills), not telemetry: no quality gates
    hourly: bool = False  # one hour of data can judge it
    source: str | None = None  # quantile: "latency" or "ttft"
    q: float | None = None  # quantile: 0.5, 0.9, 0.95 or 0.99

    @property
    def all_gates(self) -> tuple[str, ...]:
        """Every quality gate a verdict on this metric depends on (none for non-telemetry metrics)."""
        return self.gates + COMMON_GATES if self.telemetry else ()


def _metrics() -> dict[str, Metric]:
    out = [
        Metric(
            "tool_call_success_rate",
            "rate",
            "share of tool calls with status ok",
            "tool-call success",
            "%",
            "higher",
            counts=("tool_calls_ok", "tool_calls"),
            gates=("tool_calls_with_session",),
            hourly=True,
        ),
        Metric(
            "turn_error_rate",
            "rate",
            "share of turns with status error",
            "turn error rate",
            "%",
            "lower",
            counts=("turn_errors", "turns"),
            hourly=True,
        ),
        Metric(
            "csat",
            "rate",
            "share of ratings that are 4 or 5",
            "CSAT (4-5 of 5)",
            "%",
            "higher",
            counts=("ratings_4_5", "ratings"),
            gates=("feedback_with_session",),
        ),
        Metric(
            "thumbs_up_rate",
            "rate",
            "share of thumbs that are up",
            "thumbs up",
            "%",
            "higher",
            counts=("thumbs_up", "thumbs"),
            gates=("feedback_with_session",),
        ),
        Metric(
            "response_rate",
            "rate",
            "share of active sessions that left feedback",
            "response rate",
            "%",
            "higher",
            counts=("responding_sessions", "active_sessions"),
        ),
        Metric("mean_rating", "mean", "mean rating 1-5", "mean rating", "", "higher", gates=("feedback_with_session",)),
        Metric(
            "cost_per_session",
            "mean",
            "window cost / active sessions (USD)",
            "cost per session",
            "$",
            "lower",
            gates=("turns_with_price",),
            hourly=True,
        ),
        Metric(
            "projected_spend_usd",
            "forecast",
            "forecast total spend at the pilot's end (USD)",
            "forecast at pilot end",
            "$",
            "lower",
            gates=("turns_with_price",),
        ),
        Metric(
            "open_major_incidents",
            "count",
            "SEV1/SEV2 incidents open at the end of the window",
            "open SEV1/SEV2 incidents",
            "",
            "lower",
            telemetry=False,
            hourly=True,
        ),
        Metric(
            "late_postmortems",
            "count",
            "SEV1/SEV2 incidents resolved in the window without a postmortem within 24 h",
            "late postmortems",
            "",
            "lower",
            telemetry=False,
        ),
        Metric(
            "reconciliation_max_diff_pct",
            "reconciliation",
            "largest |computed - billed| / billed per vendor-day, %",
            "largest bill difference",
            "% of bill",
            "lower",
            telemetry=False,
        ),
    ]
    for source, what in (("latency", "latency"), ("ttft", "time to first token")):
        for p in (50, 90, 95, 99):
            out.append(
                Metric(
                    f"{source}_p{p}_ms",
                    "quantile",
                    f"p{p} of {source}_ms over ok turns",
                    f"{what} p{p}",
                    "ms",
                    "lower",
                    gates=("ok_turns_with_latency",),
                    hourly=True,
                    source=source,
                    q=p / 100,
                )
            )
    return {m.name: m for m in out}


METRICS: dict[str, Metric] = _metrics()

# Figures of `launchkit metrics` whose trust rests on a catalogue metric's quality gates.
FIGURE_METRIC: dict[str, str] = {
    "tool_call_success_rate": "tool_call_success_rate",
    "turn_error_rate": "turn_error_rate",
    "latency_ms": "latency_p95_ms",
    "ttft_ms": "ttft_p95_ms",
    "total_cost_usd": "cost_per_session",
    "cost_per_session": "cost_per_session",
    "feedback": "csat",
}


def metric(name: str) -> Metric:
    """The catalogue row of a metric; KeyError names the known ones."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r} (known: {', '.join(sorted(METRICS))})") from None


def unit(name: str) -> str:
    """A metric's or figure's unit for display ('' when it has none)."""
    if name in METRICS:
        return METRICS[name].unit
    if name in FIGURE_METRIC:
        return METRICS[FIGURE_METRIC[name]].unit
    return ""
