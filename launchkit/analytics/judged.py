"""The answer-quality side of the day-vs-baseline comparison: the day's share of answers judged correct
against its reference's, once evaluations of that name were loaded (a model's judgement, labelled so).

The counts come from queries/evaluations/judged.sql over the same windows as every other comparison (by the
time the evaluation was made); the test, effect and noise band are the rates' (launchkit.analytics.comparisons),
and the test joins the evening's others under the pilot-wise error control (launchkit.analytics.family).
"""

from __future__ import annotations

from launchkit.analytics.comparisons import JUDGED, JUDGED_COUNTS, DayComparison, compare, pooled_of
from launchkit.config import Config
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window


def _counts(db: QueryRunner, config: Config, w: Window) -> dict[str, int]:
    params = {**w.params, "name": config.evaluation_name("correct"), "threshold": config.evaluation_threshold}
    row = db.one("evaluations/judged", params)
    yes, n = JUDGED_COUNTS
    return {yes: int(row["yes"] or 0), n: int(row["judged"] or 0), "ever": int(row["ever"] or 0)}


def comparison(
    db: QueryRunner, config: Config, w_day: Window, w_base: Window, w_pool: Window | None
) -> DayComparison | None:
    """The judged-correct comparison of a day (with its pooled window when the day looks worse), or None when
    no evaluations of the name were ever loaded."""
    day = _counts(db, config, w_day)
    if not day["ever"]:
        return None
    opts = config.decision
    base = _counts(db, config, w_base)
    out = compare(JUDGED.name, JUDGED.kind, JUDGED.better, opts[JUDGED.min_key], opts, day, base)
    out["group"] = JUDGED.group
    out["judgement"] = "model"  # a judge's verdicts, not the users'
    if w_pool is not None and out.get("leans_worse"):
        pooled = compare(
            JUDGED.name, JUDGED.kind, JUDGED.better, opts[JUDGED.min_key], opts, _counts(db, config, w_pool), base
        )
        if pooled["status"] != "insufficient data":
            out["pooled"] = pooled_of(pooled, w_pool.to_json())
    return out
