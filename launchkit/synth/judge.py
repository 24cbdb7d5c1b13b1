"""The synthetic pilot's evaluations: an LLM judge with known noise grading a share of the ok answers.

Each graded turn gets two evaluations, `correctness` and `hallucination` (1 / 0), made by the judge
(source llm_judge, launchkit.synth.parameters.Judge) a few minutes after the turn. From `problem_ms` on, the
quality-drop scenario makes answers wrong more often (Effects.quality_drop); nothing else changes. The draws
come from a stream of their own, so every other table of a seed is the same with or without them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from launchkit.synth.columns import numbered, text_column, timestamps
from launchkit.synth.parameters import Effects

NAMES = ("correctness", "hallucination")


def evaluations(
    rng: np.random.Generator, turns: pd.DataFrame, seed: int, problem_ms: int | None, eff: Effects, end_ms: int
) -> pd.DataFrame:
    """The judge's evaluations of the kept turns (the contract's evaluations columns), in time order."""
    j = eff.judge
    n = len(turns)
    u = rng.random((n, 5))
    delay = rng.integers(j.delay_s[0] * 1000, j.delay_s[1] * 1000 + 1, n)
    start = turns["started_at"].to_numpy(dtype="datetime64[ms]").astype(np.int64)
    at = start + np.nan_to_num(turns["latency_ms"].to_numpy(dtype=float)).astype(np.int64) + delay
    after = start >= problem_ms if problem_ms is not None else np.zeros(n, dtype=bool)
    p_correct = np.where(after, max(0.0, j.correct_rate - eff.quality_drop), j.correct_rate)
    correct = u[:, 1] < p_correct
    hallucinated = ~correct & (u[:, 2] < j.hallucinated_when_wrong)
    said_correct = np.where(correct, u[:, 3] < j.sensitivity, u[:, 3] >= j.specificity)
    said_hallucinated = np.where(
        hallucinated, u[:, 4] < j.hallucination_sensitivity, u[:, 4] < j.hallucination_false_rate
    )
    graded = np.flatnonzero((turns["status"].to_numpy() == "ok") & (u[:, 0] < j.sample_share) & (at < end_ms))
    graded = graded[np.lexsort((graded, at[graded]))]
    k = len(graded)
    ids = numbered(f"ev-{seed}-", 2 * k)
    order = np.arange(2 * k).reshape(k, 2)  # the two evaluations of a turn side by side
    value = np.column_stack([said_correct[graded], said_hallucinated[graded]]).astype(float).ravel()
    return pd.DataFrame(
        {
            "evaluation_id": text_column(ids[order.ravel()]),
            "session_id": text_column(np.repeat(turns["session_id"].to_numpy(dtype=object)[graded], 2)),
            "turn_id": text_column(np.repeat(turns["turn_id"].to_numpy(dtype=object)[graded], 2)),
            "name": text_column(np.tile(np.array(NAMES, dtype=object), k)),
            "source": text_column(np.full(2 * k, "llm_judge", dtype=object)),
            "value": value,
            "label": text_column(np.full(2 * k, None, dtype=object), np.ones(2 * k, dtype=bool)),
            "judge_model": text_column(np.full(2 * k, j.model, dtype=object)),
            "evaluated_at": timestamps(np.repeat(at[graded], 2)),
            "comment": text_column(np.full(2 * k, None, dtype=object), np.ones(2 * k, dtype=bool)),
        }
    )
