"""The quality-drop scenario (issue 22, item 6): answers go wrong more often from the problem day on, as an LLM
judge with known noise grades them, while latency, cost and tool success stay healthy. Only answer quality
catches it: the decision HOLDs on the problem day (the day-vs-baseline judged-correct comparison) and at the
end (the judged_correct criterion FAILs), while every other criterion and comparison reads as healthy's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _tables import load_frames

from launchkit import synth
from launchkit.analytics import decision
from launchkit.store.warehouse import Warehouse
from launchkit.synth.parameters import DEFAULT_START, problem_day_index

DAYS, SEED, RATE = 14, 7, 100.0
PROBLEM_DAY = DEFAULT_START + timedelta(days=problem_day_index(DAYS))
LAST_DAY = DEFAULT_START + timedelta(days=DAYS - 1)
QUALITY = ("judged_correct", "hallucination")


@pytest.fixture(scope="module")
def drop_pilots(tmp_path_factory):
    out = {}
    for scenario in ("healthy", "quality-drop"):
        p = synth.generate_frames(days=DAYS, seed=SEED, scenario=scenario, sessions_per_hour=RATE)
        wh = Warehouse.memory()
        load_frames(wh, p.frames)
        out[scenario] = (p, wh)
    yield out
    for _, wh in out.values():
        wh.close()


def _decide(wh, day, config):
    return decision.decide(wh, day, config, store=False)


def test_only_the_answers_differ_from_healthy(drop_pilots):
    healthy, drop = drop_pilots["healthy"][0].frames, drop_pilots["quality-drop"][0].frames
    for table in healthy:
        if table != "evaluations":
            assert healthy[table].equals(drop[table]), table
    # the judge grades the same turns at the same times; only its verdicts change, and only from the problem day
    h, d = healthy["evaluations"], drop["evaluations"]
    assert h["evaluation_id"].tolist() == d["evaluation_id"].tolist()
    before = (h["evaluated_at"] < str(PROBLEM_DAY)).to_numpy()
    assert (h["value"].to_numpy()[before] == d["value"].to_numpy()[before]).all()


def test_the_problem_day_holds_on_answer_quality_alone(drop_pilots, config):
    healthy = _decide(drop_pilots["healthy"][1], PROBLEM_DAY, config)
    drop = _decide(drop_pilots["quality-drop"][1], PROBLEM_DAY, config)
    assert healthy.recommendation == "EXPAND"
    assert drop.recommendation == "HOLD"
    assert [r["metric"] for r in drop.reasons if r["severity"] != "expand"] == ["judged_correct_rate"]
    by = {c["metric"]: c for c in drop.comparisons}
    assert by["judged_correct_rate"]["status"] == "regressed" and by["judged_correct_rate"]["judgement"] == "model"
    # every other comparison reads as healthy's
    hc = {c["metric"]: c["status"] for c in healthy.comparisons if c["metric"] != "judged_correct_rate"}
    assert hc == {m: c["status"] for m, c in by.items() if m != "judged_correct_rate"}


def test_at_the_end_the_judged_correct_criterion_fails_and_the_others_are_unchanged(drop_pilots, config):
    cfg = config.with_overrides(**{"decision.baseline": "rolling"})  # the criteria decide here: spare the search
    healthy = _decide(drop_pilots["healthy"][1], LAST_DAY, cfg)
    drop = _decide(drop_pilots["quality-drop"][1], LAST_DAY, cfg)
    assert drop.recommendation in ("HOLD", "ROLLBACK") and healthy.recommendation == "EXPAND"
    hv = {r.criterion.name: r.verdict for r in healthy.criteria.results}
    dv = {r.criterion.name: r.verdict for r in drop.criteria.results}
    assert (hv["judged_correct"], hv["hallucination"]) == ("PASS", "PASS")
    assert (dv["judged_correct"], dv["hallucination"]) == ("FAIL", "FAIL")
    assert {k: v for k, v in hv.items() if k not in QUALITY} == {k: v for k, v in dv.items() if k not in QUALITY}


def test_the_drop_is_explained_as_every_other_regression(drop_pilots, config):
    """The debrief's attribution covers answer quality: the reason leads with the judged-incorrect share now and
    before (a model's judgement, said so), where it is (this drop is spread over every segment) and since when
    (the first bad hour's interval holds the injected start)."""
    pilot, wh = drop_pilots["quality-drop"]
    drop = _decide(wh, PROBLEM_DAY, config)
    (reason,) = [r for r in drop.reasons if r["severity"] != "expand"]
    assert reason["message"].startswith("38.5 % of answers judged incorrect (a model's judgement) (was 11.7 %)")
    assert "no single segment explains it" in reason["message"]
    assert reason["detail"].startswith("judged_correct_rate regressed")
    cp = reason["explanation"]["first_bad_hour"]
    start = pilot.ground_truth["problem_start"].replace(".000Z", "+00:00")
    assert cp["interval"][0] <= start <= cp["interval"][1]
