"""The synthetic pilot: realistic hourly export files for five scenarios, with their ground truth.

`model` holds the numbers the pilot is drawn from, `frames` generates the tables in memory, `truth`
states what a scenario injected and the metrics it should show, `pilot` writes CSV or Parquet files
and `otlp` writes the same pilot as OTLP/JSON traces. Deterministic for a seed.
"""

from launchkit.synth.frames import SynthPilot, generate_frames
from launchkit.synth.parameters import (
    CACHE_PRICES_PER_MTOK,
    DEFAULT_START,
    MODEL_NAMES,
    MODEL_VENDOR,
    PRICES_PER_MTOK,
    SCENARIOS,
    Effects,
    problem_day_index,
)
from launchkit.synth.pilot import SynthResult, generate, write_pilot
from launchkit.synth.truth import REFERENCE_CRITERIA

__all__ = [
    "CACHE_PRICES_PER_MTOK",
    "DEFAULT_START",
    "MODEL_NAMES",
    "MODEL_VENDOR",
    "PRICES_PER_MTOK",
    "REFERENCE_CRITERIA",
    "SCENARIOS",
    "Effects",
    "SynthPilot",
    "SynthResult",
    "generate",
    "generate_frames",
    "problem_day_index",
    "write_pilot",
]
