"""The synthetic pilot: realistic hourly export files for five scenarios, with their ground truth.

`pilot` generates the frames and writes CSV or Parquet files; `otlp` writes the same pilot as
OTLP/JSON traces. Deterministic for a seed.
"""

from launchkit.synth.pilot import (
    CACHE_PRICES_PER_MTOK,
    DEFAULT_START,
    MODEL_NAMES,
    MODEL_VENDOR,
    PRICES_PER_MTOK,
    REFERENCE_CRITERIA,
    SCENARIOS,
    SynthPilot,
    SynthResult,
    generate,
    generate_frames,
    problem_day_index,
    write_pilot,
)

__all__ = [
    "CACHE_PRICES_PER_MTOK",
    "DEFAULT_START",
    "MODEL_NAMES",
    "MODEL_VENDOR",
    "PRICES_PER_MTOK",
    "REFERENCE_CRITERIA",
    "SCENARIOS",
    "SynthPilot",
    "SynthResult",
    "generate",
    "generate_frames",
    "problem_day_index",
    "write_pilot",
]
