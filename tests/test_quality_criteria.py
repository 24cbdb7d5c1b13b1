"""The answer_quality criteria: rates over evaluations with Wilson intervals and minimum samples, labelled as
model judgements; without evaluations not applicable (never PASS on nothing); judge vs users agreement."""

from __future__ import annotations

import math
from datetime import date

from launchkit import ingest
from launchkit.analytics import criteria

DAY = date(2026, 3, 2)
HEAD = "evaluation_id,session_id,name,source,value,evaluated_at\n"


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out (the textbook formula), as the oracle."""
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def _load(con, config, tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text)
    results = ingest.ingest(con, [f], config=config)
    assert all(r.ok and r.rejected == 0 for r in results), [(r.error, r.rejected) for r in results]


def _evals(name: str, values: list[float], source: str = "llm_judge", session=lambda i: f"s{i}") -> str:
    return "".join(
        f"{name}-{i},{session(i)},{name},{source},{v},2026-03-02T{10 + i % 10:02d}:00:00Z\n"
        for i, v in enumerate(values)
    )


def test_without_evaluations_the_quality_criteria_do_not_apply(con, config):
    r = criteria.evaluate(con, DAY, config, history_days=0)
    for name in ("judged_correct", "hallucination"):
        res = r.result(name)
        assert (res.verdict, res.applies, res.value, res.criterion.group) == (
            "INSUFFICIENT DATA",
            False,
            None,
            "answer_quality",
        )
        assert "no evaluations named" in res.note
    assert not any(b["criterion"] in ("judged_correct", "hallucination") for b in r.blockers)
    assert any(w.startswith("judged_correct not evaluated") for w in r.warnings)


def test_judged_correct_is_a_wilson_rate_over_the_correctness_evaluations(con, config, tmp_path):
    # 40 correctness judgements, 10 of them >= 0.5 (0.5 itself counts: the threshold is "at least")
    values = [1.0] * 9 + [0.5] + [0.0] * 29 + [0.49]
    other = _evals("toxicity", [1.0] * 5)  # another name: not counted
    _load(con, config, tmp_path, "evaluations_1.csv", HEAD + _evals("correctness", values) + other)
    cfg = config.with_overrides(**{"criteria.judged_correct": {"min_sample": 30}})
    res = criteria.evaluate(con, DAY, cfg, history_days=0).result("judged_correct")
    lo, hi = _wilson(10, 40)
    assert (res.n, res.value) == (40, 0.25)
    iv = res.interval
    assert iv is not None and iv["method"] == "wilson"
    assert math.isclose(iv["low"], lo, rel_tol=1e-9) and math.isclose(iv["high"], hi, rel_tol=1e-9)
    # hi = 0.40 < marginal 0.75: FAIL, and a FAIL of a normal criterion blocks GA
    assert hi < 0.75 and res.verdict == "FAIL"
    assert res.note.startswith("model judgement: 40 answers judged (40 by llm judge)")


def test_min_sample_and_hallucination_direction(con, config, tmp_path):
    # 60 hallucination judgements from code, none hallucinated: below min_sample 100, so no verdict yet
    _load(con, config, tmp_path, "evaluations_1.csv", HEAD + _evals("hallucination", [0.0] * 60, "code"))
    res = criteria.evaluate(con, DAY, config, history_days=0).result("hallucination")
    assert (res.verdict, res.n, res.value, res.applies) == ("INSUFFICIENT DATA", 60, 0.0, True)
    assert res.data_needed == {"n": 60, "need": 100}
    # with min_sample 50 it is judged: the Wilson upper bound of 0/60 is below the pass line 0.08
    cfg = config.with_overrides(**{"criteria.hallucination": {"min_sample": 50}})
    res = criteria.evaluate(con, DAY, cfg, history_days=0).result("hallucination")
    assert _wilson(0, 60)[1] < 0.08 and res.verdict == "PASS"
    assert "60 by code" in res.note


def test_judge_and_users_agreement_is_noted(con, config, tmp_path):
    # s0: judged correct, user thumbs up (agree); s1: judged wrong, thumbs up (disagree);
    # s2: judged correct, rating 2 (disagree); s3: judged only (no feedback: not counted)
    _load(con, config, tmp_path, "evaluations_1.csv", HEAD + _evals("correctness", [1.0, 0.0, 1.0, 1.0]))
    fb = (
        "feedback_id,session_id,submitted_at,rating,thumbs\n"
        "f0,s0,2026-03-02T12:00:00Z,,up\nf1,s1,2026-03-02T12:00:00Z,,up\nf2,s2,2026-03-02T12:00:00Z,2,\n"
    )
    _load(con, config, tmp_path, "feedback_1.csv", fb)
    res = criteria.evaluate(con, DAY, config, history_days=0).result("judged_correct")
    assert "judge and users agree on 1 of 3 sessions with both" in res.note
