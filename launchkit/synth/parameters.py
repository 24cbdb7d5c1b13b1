"""The synthetic pilot's parameters: scenarios, traffic shape, model and tool mixes, rates and list prices.

Every number the generator draws from is here, in one place, so docs/synthetic-pilot.md can be read
against it and the ground truth can state the injected effects. Prices are the vendors' published
list prices, kept independently of launchkit's pricing code, which the synthetic bills then check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

SCENARIOS: tuple[str, ...] = (
    "healthy",
    "latency-regression",
    "tool-outage",
    "cost-overrun",
    "low-traffic",
    "tenant-outage",
    "release-regression",
    "model-regression",
    "csat-drop",
    "capacity-crunch",
    "quality-drop",
)

DEFAULT_START = dt.date(2026, 3, 2)  # a Monday
# Mean sessions per hour in weekday business hours once every tenant is enabled.
DEFAULT_SESSIONS_PER_HOUR = 40.0
# low-traffic caps the business-hour mean at this (night and weekend traffic is far lower still).
LOW_TRAFFIC_SESSIONS_PER_HOUR = 1.25
# What `launchkit demo` asks for (docs/synthetic-pilot.md, "The demo"): a pilot busy enough that its
# busiest hours reach the GA criteria's minimum samples (a few hundred sessions an hour at peak), 14
# days that end on a Wednesday so the last three days are weekdays, daily export files (one load per
# table and day instead of per hour) and an incident with its postmortem in those last days.
DEMO_SESSIONS_PER_HOUR = 250.0
DEMO_START = dt.date(2026, 3, 5)  # a Thursday
FILE_GRAINS = ("hour", "day")

# List prices, USD per million tokens (input, output), as published by the vendors and as the
# genai-prices table has them. Turn costs and vendor bills are computed from these (and the cache
# prices below), here, independently of launchkit's pricing code, which the bills then check.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "claude-3-5-sonnet-20241022": (3.00, 15.00),
    "claude-3-5-haiku-20241022": (0.80, 4.00),
}
# Prompt-cache prices, USD per million tokens (cache read, cache write; None: not billed separately).
# OpenAI caches prompts automatically (reads at half the input price, writes not billed); Anthropic
# bills cache writes at 1.25x and reads at 0.1x the input price.
CACHE_PRICES_PER_MTOK: dict[str, tuple[float, float | None]] = {
    "gpt-4o": (1.25, None),
    "gpt-4o-mini": (0.075, None),
    "claude-3-5-sonnet-20241022": (0.30, 3.75),
    "claude-3-5-haiku-20241022": (0.08, 1.00),
}
# The one name per model a turn carries (turns.model); the price-table key above is the name as
# reported (turns.model_raw).
MODEL_NAMES: dict[str, str] = {
    "gpt-4o": "gpt-4o",
    "gpt-4o-mini": "gpt-4o-mini",
    "claude-3-5-sonnet-20241022": "claude-3-5-sonnet",
    "claude-3-5-haiku-20241022": "claude-3-5-haiku",
}
MODEL_VENDOR: dict[str, str] = {
    "gpt-4o": "openai",
    "gpt-4o-mini": "openai",
    "claude-3-5-sonnet-20241022": "anthropic",
    "claude-3-5-haiku-20241022": "anthropic",
}
# The demo's made-up provider tier (per minute, by the one name per provider/model a turn carries): what
# `launchkit demo` writes into its launchkit.toml as [capacity.limits], so the GA report's rate-limit check
# has limits to judge (docs/capacity.md). Sized so the healthy demo's GA traffic (ga.expected_sessions_per_day,
# about 3x the pilot) fits with the default 20 % headroom, and the capacity-crunch scenario's bursts do
# not. Real limits come from each provider's account.
DEMO_RATE_LIMITS: dict[str, dict[str, int]] = {
    "openai/gpt-4o": {"rpm": 32, "tpm": 3_000_000},
    "openai/gpt-4o-mini": {"rpm": 24, "tpm": 1_200_000},
    "anthropic/claude-3-5-sonnet": {"rpm": 16, "itpm": 1_600_000, "otpm": 20_000},
    "anthropic/claude-3-5-haiku": {"rpm": 8, "itpm": 500_000, "otpm": 8_000},
}
# The same tier's requests per minute by the one name per model: what the capacity-crunch scenario's
# provider enforces (a turn past it in a minute fails with a rate-limit error).
DEMO_RPM: dict[str, int] = {key.split("/", 1)[1]: limits["rpm"] for key, limits in DEMO_RATE_LIMITS.items()}
# Per model: share of turns, median latency (ms), median input tokens of a first turn, median output.
MODELS = tuple(PRICES_PER_MTOK)
# Whether a model's vendor bills cache writes (and reports them): Anthropic yes, OpenAI no.
CACHE_WRITES_BILLED = np.array([CACHE_PRICES_PER_MTOK[m][1] is not None for m in MODELS])
MODEL_SHARE = np.array([0.45, 0.30, 0.20, 0.05])
MODEL_LATENCY_MS = np.array([2600.0, 1500.0, 3100.0, 1700.0])
# (prompts are long and mostly cached: about 60% of input tokens are cache reads, see _prompt_cache)
MODEL_INPUT_TOKENS = np.array([48000.0, 25500.0, 48000.0, 25500.0])
MODEL_OUTPUT_TOKENS = np.array([650.0, 500.0, 750.0, 500.0])

# Tools: share of calls, failure rate, share of failures that are timeouts, median duration (ms).
TOOLS = ("sql_query", "chart_render", "doc_search", "python_exec")
TOOL_SHARE = np.array([0.45, 0.20, 0.25, 0.10])
TOOL_FAIL_RATE = np.array([0.018, 0.010, 0.015, 0.025])
TOOL_TIMEOUT_SHARE = np.array([0.30, 0.10, 0.20, 0.35])
TOOL_DURATION_MS = np.array([900.0, 450.0, 350.0, 1400.0])
TOOL_ERRORS: tuple[tuple[str, ...], ...] = (
    ("syntax_error", "permission_denied", "warehouse_busy"),
    ("render_error", "invalid_spec"),
    ("index_unavailable", "bad_request"),
    ("runtime_error", "memory_limit", "import_error"),
)
TOOL_TIMEOUT_MS = 30000.0

# Traffic shape: share of the business-hour rate by UTC hour of day, and by weekday (Mon..Sun).
HOUR_PROFILE = np.array(
    [
        0.04,
        0.03,
        0.03,
        0.03,
        0.04,
        0.06,
        0.12,
        0.30,
        0.60,
        0.90,
        1.00,
        1.00,
        0.85,
        1.00,
        1.05,
        1.00,
        0.90,
        0.65,
        0.40,
        0.25,
        0.15,
        0.10,
        0.07,
        0.05,
    ]
)
WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 0.9, 0.12, 0.10])

TURN_ERROR_RATE = 0.01
# What a failed turn's error type says (turns.error_type): taken by the turn's start millisecond, so naming
# them draws no random number and leaves every other value of a seed as it was.
TURN_ERROR_TYPES = np.array(["server_error", "APITimeoutError", "overloaded_error"], dtype=object)
RATE_LIMIT_ERROR = "rate_limit_exceeded"  # what a turn refused by a per-minute limit says (OpenAI's code)
UNPRICED_SHARE = 0.03  # turns exported without cost_usd (priced later from tokens)
FEEDBACK_RATE = 0.25
FEEDBACK_RATE_BAD = 0.35  # people complain a little more often after a bad session
# rating 1..5 after a good / a bad session (a failed turn or tool call, or a turn slower than 12 s)
RATING_GOOD = np.array([0.01, 0.02, 0.04, 0.28, 0.65])
RATING_BAD = np.array([0.10, 0.15, 0.25, 0.30, 0.20])
THUMBS_UP_BY_RATING = np.array([0.02, 0.10, 0.50, 0.92, 0.98])
COMMENTS = {
    "pos": (
        "Great, saved me an hour",
        "Exactly the chart I needed",
        "Nice, the SQL was right first time",
        "Helpful summary",
        "Love it",
        "Fast and accurate",
    ),
    "neu": ("OK but had to fix the query", "Partly right", "Took a couple of tries", "Fine, a bit verbose"),
    "neg": (
        "Wrong numbers in the answer",
        "Took forever to respond",
        "The query tool kept failing",
        "Could not find our dashboard docs",
        "Chart did not render",
        "Gave up and wrote it myself",
    ),
}
BAD_LATENCY_MS = 12000.0

# Scenario effects' defaults (see docs/synthetic-pilot.md); a pilot's own are an Effects (below).
LATENCY_MULTIPLIER = 2.2
OUTAGE_TOOL = "sql_query"
OUTAGE_FAIL_RATE = 0.35
OUTAGE_TIMEOUT_SHARE = 0.45
TOKEN_MULTIPLIER = 3.0
BILL_NOISE_SD = 0.004
BILL_NOISE_MAX = 0.0095

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class Judge:
    """The assistant's answer quality and the LLM judge that grades it, with known noise (docs/synthetic-pilot.md).

    The judge grades `sample_share` of the ok turns some `delay_s` seconds after them (a batch evaluation run):
    `correctness` (1 / 0) and `hallucination` (1 / 0). An answer is truly correct with probability
    `correct_rate`; a wrong one is a hallucination with probability `hallucinated_when_wrong`. The judge calls
    a correct answer correct with probability `sensitivity` and a wrong one wrong with `specificity`; it
    flags a hallucination with probability `hallucination_sensitivity` and a sound answer with
    `hallucination_false_rate`. So the judged-correct share is correct_rate x sensitivity + (1 - correct_rate)
    x (1 - specificity): 0.882 with these defaults, the judged hallucination share 0.0456."""

    sample_share: float = 0.25
    correct_rate: float = 0.92
    hallucinated_when_wrong: float = 0.5
    sensitivity: float = 0.95
    specificity: float = 0.90
    hallucination_sensitivity: float = 0.90
    hallucination_false_rate: float = 0.01
    model: str = "gpt-4o-mini"
    delay_s: tuple[int, int] = (60, 900)

    def __post_init__(self) -> None:
        for name in (
            "sample_share",
            "correct_rate",
            "hallucinated_when_wrong",
            "sensitivity",
            "specificity",
            "hallucination_sensitivity",
            "hallucination_false_rate",
        ):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"effects.judge.{name} must be within 0..1, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class Effects:
    """The size and reach of a scenario's problem: every effect is a parameter, so a benchmark or a test sets
    it (`generate_frames(scenario="latency-regression", effects=Effects(latency_multiplier=1.15))`).

    Which effect a scenario applies, and to which segment, is the scenario's (SCENARIO_EFFECTS); the
    segment's value is set here: `tenant` (None: the busiest tenant of the first wave that stays enabled),
    `tool`, `model` (the one name a turn carries), `release_share` (the share of tenants, first ones first,
    that get the release of the problem day in release-regression; the others stay on the one before).
    `start_hour` is the hour (UTC) of the problem day the problem starts at."""

    latency_multiplier: float = LATENCY_MULTIPLIER
    token_multiplier: float = TOKEN_MULTIPLIER
    tool_fail_rate: float = OUTAGE_FAIL_RATE
    tool_timeout_share: float = OUTAGE_TIMEOUT_SHARE
    turn_error_rate: float = 0.08
    csat_drop: float = 0.10  # percentage points of CSAT (ratings 4-5) lost, as a share: 0.05 = 5 points
    tool: str = OUTAGE_TOOL
    tenant: str | None = None
    model: str = "gpt-4o"
    release_share: float = 0.5
    start_hour: int = 0
    # capacity-crunch: the share of sessions started in the first `burst_seconds` of their hour (scheduled
    # reports firing together), and each model's requests-per-minute limit (one name per model -> rpm):
    # a turn past its model's limit in a minute fails with a rate-limit error (HTTP 429). No limit: none fail.
    burst_share: float = 0.6
    burst_seconds: int = 420
    rpm_limits: tuple[tuple[str, int], ...] = ()
    # quality-drop: the share of answers that stop being correct (the true correct rate falls by this much),
    # while latency, cost and tool success stay as they were; `judge` grades every pilot's answers
    quality_drop: float = 0.30
    judge: Judge = field(default_factory=Judge)

    def __post_init__(self) -> None:
        if self.tool not in TOOLS:
            raise ValueError(f"effects.tool must be one of {', '.join(TOOLS)}, got {self.tool!r}")
        if self.model not in MODEL_NAMES.values():
            raise ValueError(f"effects.model must be one of {', '.join(MODEL_NAMES.values())}, got {self.model!r}")
        if not 0 <= self.start_hour <= 23:
            raise ValueError(f"effects.start_hour must be 0..23, got {self.start_hour!r}")
        for name in (
            "tool_fail_rate",
            "tool_timeout_share",
            "turn_error_rate",
            "csat_drop",
            "release_share",
            "burst_share",
            "quality_drop",
        ):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"effects.{name} must be within 0..1, got {getattr(self, name)!r}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# scenario -> (the effect it applies, the dimension the problem is confined to; None: everywhere)
SCENARIO_EFFECTS: dict[str, tuple[str | None, str | None]] = {
    "healthy": (None, None),
    "low-traffic": (None, None),
    "latency-regression": ("latency", None),
    "tool-outage": ("tool_failures", "tool"),
    "cost-overrun": ("tokens", None),
    "tenant-outage": ("tool_failures", "tenant"),
    "release-regression": ("turn_errors", "release"),
    "model-regression": ("latency", "model"),
    "csat-drop": ("csat", None),
    "capacity-crunch": (None, None),  # no regression: bursts all along (frames._bursts), limits per minute
    "quality-drop": ("answer_quality", None),  # answers wrong more often (launchkit.synth.judge); nothing else
}


def problem_day_index(days: int) -> int:
    """The 0-based day a problem scenario starts on: day 9 of 14 (index 8), i.e. ~60% in."""
    return min(max(1, round(days * 0.6)), max(days - 1, 1))


def epoch_ms(d: dt.date) -> int:
    """Midnight UTC of a date, in epoch milliseconds."""
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp()) * 1000


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as ISO-8601 UTC with milliseconds and 'Z'."""
    return np.datetime_as_string(np.datetime64(int(ms), "ms"), unit="ms") + "Z"
