"""The metric catalogue: every metric a GA criterion, an hourly check or a decision can judge.

One row per metric: how it is measured (kind, and the summary counts of a rate), its unit and which
way is better, the data-quality gates its verdict depends on, whether one hour of data can judge it,
and the words for its readers: the display name every report, the PDF and alerts show (`label`) and
one plain-language line (`plain`) beside the analysts' definition (`description`). Criteria, the decision, the hourly checks, the reports and the
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
    description: str  # the definition, for analysts (docs/metrics.md spells it out)
    label: str  # the display name every report, the PDF and alerts show
    unit: str  # "%" (a 0-1 share), "ms", "$", "% of bill" or ""
    better: Better
    counts: tuple[str, str] | None = None  # rate: (successes, trials) columns of metrics/summary.sql
    gates: tuple[str, ...] = ()  # quality gates besides COMMON_GATES
    telemetry: bool = True  # False: from records (incidents, bills), not telemetry: no quality gates
    hourly: bool = False  # one hour of data can judge it
    source: str | None = None  # quantile: "latency" or "ttft"
    q: float | None = None  # quantile: 0.5, 0.9, 0.95 or 0.99
    plain: str = ""  # one line in the words of a stakeholder who has never seen the data
    # rate over evaluations: the [evaluations] key naming the evaluation it counts ("correct", "hallucination")
    evaluation: str | None = None

    @property
    def all_gates(self) -> tuple[str, ...]:
        """Every quality gate a verdict on this metric depends on (none for non-telemetry metrics)."""
        return self.gates + COMMON_GATES if self.telemetry else ()


_ORDINAL = {50: "50th", 90: "90th", 95: "95th", 99: "99th"}


def _metrics() -> dict[str, Metric]:
    out = [
        Metric(
            "tool_call_success_rate",
            "rate",
            "share of tool calls with status ok",
            "Tool-call success",
            "%",
            "higher",
            counts=("tool_calls_ok", "tool_calls"),
            gates=("tool_calls_with_session",),
            hourly=True,
            plain="How often the assistant's tools (database queries, searches, charts, code) work without an error "
            "or a timeout.",
        ),
        Metric(
            "turn_error_rate",
            "rate",
            "share of turns with status error",
            "Failed answers",
            "%",
            "lower",
            counts=("turn_errors", "turns"),
            hourly=True,
            plain="How often the assistant fails to answer a message.",
        ),
        Metric(
            "csat",
            "rate",
            "share of ratings that are 4 or 5",
            "Satisfaction (CSAT)",
            "%",
            "higher",
            counts=("ratings_4_5", "ratings"),
            gates=("feedback_with_session",),
            plain="How many of the users' ratings are 4 or 5 out of 5.",
        ),
        Metric(
            "thumbs_up_rate",
            "rate",
            "share of thumbs that are up",
            "Thumbs up",
            "%",
            "higher",
            counts=("thumbs_up", "thumbs"),
            gates=("feedback_with_session",),
            plain="How many of the thumbs users gave to answers are thumbs up.",
        ),
        Metric(
            "response_rate",
            "rate",
            "share of active sessions that left feedback",
            "Feedback response rate",
            "%",
            "higher",
            counts=("responding_sessions", "active_sessions"),
            plain="How many conversations end with the user leaving a rating or a thumb.",
        ),
        Metric(
            "judged_correct_rate",
            "rate",
            "share of judged answers a judge (a model or a program) found correct: evaluations named "
            "[evaluations] correct whose value is at least [evaluations] threshold",
            "Answers judged correct (model judgement)",
            "%",
            "higher",
            telemetry=False,
            evaluation="correct",
            plain="How many of the answers checked by an automatic judge (an AI model grading them) it found correct.",
        ),
        Metric(
            "hallucination_rate",
            "rate",
            "share of judged answers a judge found hallucinated: evaluations named [evaluations] hallucination "
            "whose value is at least [evaluations] threshold",
            "Hallucinated answers (model judgement)",
            "%",
            "lower",
            telemetry=False,
            evaluation="hallucination",
            plain="How many of the answers checked by an automatic judge state things their sources do not support.",
        ),
        Metric(
            "mean_rating",
            "mean",
            "mean rating 1-5",
            "Average rating",
            "",
            "higher",
            gates=("feedback_with_session",),
            plain="The users' average rating of the assistant, from 1 to 5.",
        ),
        Metric(
            "cost_per_session",
            "mean",
            "window cost / active sessions (USD)",
            "Cost per session",
            "$",
            "lower",
            gates=("turns_with_price",),
            hourly=True,
            plain="What one conversation with the assistant costs in AI model usage, on average.",
        ),
        Metric(
            "projected_spend_usd",
            "forecast",
            "forecast total spend at the pilot's end (USD), from the recent burn",
            "Projected spend at pilot end",
            "$",
            "lower",
            gates=("turns_with_price",),
            plain="Where the pilot's total AI model spend will land by its last day, at the pace of recent days.",
        ),
        Metric(
            "open_major_incidents",
            "count",
            "SEV1/SEV2 incidents open at the end of the window",
            "Open major incidents",
            "",
            "lower",
            telemetry=False,
            hourly=True,
            plain="Severe incidents (SEV1 or SEV2) that are still open.",
        ),
        Metric(
            "late_postmortems",
            "count",
            "SEV1/SEV2 incidents resolved in the window without a postmortem within 24 h",
            "Late postmortems",
            "",
            "lower",
            telemetry=False,
            plain="Severe incidents that were resolved without a written review within a day.",
        ),
        Metric(
            "reconciliation_max_diff_pct",
            "reconciliation",
            "largest |computed - billed| / billed per vendor-day, %",
            "Gap to the vendors' bills",
            "% of bill",
            "lower",
            telemetry=False,
            plain="The largest gap on any day between the cost launchkit computed and what a vendor billed.",
        ),
    ]
    for source, what, until in (
        ("latency", "Response time", "complete"),
        ("ttft", "Time to first word", "start to appear"),
    ):
        for p in (50, 90, 95, 99):
            out.append(
                Metric(
                    f"{source}_p{p}_ms",
                    "quantile",
                    f"p{p} of {source}_ms over ok turns",
                    f"{what} ({_ORDINAL[p]} percentile)",
                    "ms",
                    "lower",
                    gates=("ok_turns_with_latency",),
                    hourly=True,
                    source=source,
                    q=p / 100,
                    plain=f"{p} % of the assistant's answers {until} within this time.",
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


# Checks of the hourly run that judge no catalogue metric (launchkit.analytics.checks.blindness).
CHECK_LABELS: dict[str, str] = {
    "data_arrived": "Data arrived this hour",
    "data_fresh": "Data is fresh",
    "rate_limited_share": "Turns refused for rate limits",
}


# Metrics the day-vs-baseline comparison tests that are distributions or shares, not catalogue metrics.
COMPARED_LABELS: dict[str, str] = {
    "latency_ms": "Response time (ok turns)",
    "ttft_ms": "Time to first word (ok turns)",
}


def display_name(name: str) -> str:
    """A metric's (or an hourly check's, or a compared metric's) display name ('Tool-call success'); an
    unknown name as it is."""
    if name in METRICS:
        return METRICS[name].label
    return CHECK_LABELS.get(name) or COMPARED_LABELS.get(name, name)


def check_name(check: str, metric: str | None = None) -> str:
    """A verdict's or an hourly check's name as its reader says it ('Tool-call success', 'Turns refused for rate
    limits: openai/gpt-4o', 'Response time (95th percentile), against the baseline'): the display name of the
    metric it judges, else of the check itself; never a config key or an internal id."""
    name = display_name(str(metric or ""))
    if name == str(metric or ""):  # not a catalogue metric: an hourly check's own name, or as it is
        name = display_name(
            check.split(":")[-1] if check.startswith(("vs_baseline:", "criterion:")) else check.split(":")[0]
        )
    if check.startswith("vs_baseline:"):
        return f"{name}, against the baseline"
    if ":" in check and not check.startswith("criterion:"):  # one check per value: a provider/model
        return f"{name}: {check.partition(':')[2]}"
    return name


def plain(name: str) -> str:
    """A metric's plain-language line ('' for an unknown name)."""
    return METRICS[name].plain if name in METRICS else ""


def unit(name: str) -> str:
    """A metric's or figure's unit for display ('' when it has none)."""
    if name in METRICS:
        return METRICS[name].unit
    if name in FIGURE_METRIC:
        return METRICS[FIGURE_METRIC[name]].unit
    return ""
