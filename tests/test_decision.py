"""End-of-day decisions on each synthetic scenario's ground truth, the stored audit record, the
comparisons' tests and effects, and decision config errors."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest

import launchkit
from launchkit import stats, synth
from launchkit.analytics import decision, family
from launchkit.analytics.comparisons import DayComparison
from launchkit.analytics.decision import EXPAND, HOLD, ROLLBACK
from launchkit.config import Config, load_config
from launchkit.config.decision import DEFAULTS as DECISION_DEFAULTS
from launchkit.errors import ConfigError
from launchkit.store.warehouse import Warehouse


def day(s: str, delta: int = 0) -> date:
    return date.fromisoformat(s) + timedelta(days=delta)


@pytest.fixture(scope="module")
def cfg():
    return load_config(env={})


# judgements of earlier days for the last-good baseline, kept per pilot (its data do not change)
MEMO: dict[str, dict] = {}


def memo(scenario: str) -> dict:
    return MEMO.setdefault(scenario, {})


def test_healthy_expands(pilots, cfg):
    con, gt = pilots["healthy"]
    dec = decision.decide(con, day(gt["reference_day"]), cfg, store=False, memo=memo("healthy"))
    assert dec.recommendation in gt["expected"]["acceptable_decisions"] == [EXPAND]
    assert dec.data_sufficient and not dec.stored
    assert all(c["status"] in ("no change", "improved") for c in dec.comparisons)
    json.dumps(dec.to_json(), allow_nan=False)


@pytest.mark.parametrize("scenario", ["latency-regression", "tool-outage", "cost-overrun"])
def test_problem_flagged_on_its_first_day(pilots, cfg, scenario):
    con, gt = pilots[scenario]
    exp = gt["expected"]
    before = decision.decide(con, day(gt["problem_day"], -1), cfg, store=False, memo=memo(scenario))
    assert before.recommendation == exp["decision_before_problem_day"] == EXPAND
    dec = decision.decide(con, day(gt["problem_day"]), cfg, store=False, memo=memo(scenario))
    assert dec.recommendation in exp["acceptable_decisions"]
    metric = {"latency_p95_ms": "latency_ms"}.get(gt["affected_metric"], gt["affected_metric"])
    trig = [r for r in dec.reasons if r["code"] == "regression" and r["metric"] == metric]
    assert trig, dec.reasons
    p = trig[0]["p_value"]
    assert p is not None and p < 0.01 and trig[0]["n_day"] > 0 and trig[0]["effect"] is not None
    end = decision.decide(con, day(gt["end"]), cfg, store=False, memo=memo(scenario))
    assert end.recommendation in ("HOLD", "ROLLBACK")  # decision_at_end


def test_stability_regressions_roll_back_cost_holds(pilots, cfg):
    con, gt = pilots["tool-outage"]
    dec = decision.decide(con, day(gt["problem_day"]), cfg, store=False, memo=memo("tool-outage"))
    assert dec.recommendation == ROLLBACK
    tool = next(c for c in dec.comparisons if c["metric"] == "tool_call_success_rate")
    assert tool["status"] == "regressed" and tool["severe"] and tool["test"] == "two-proportion z"
    effect, day_value, base_value = tool["effect"], tool["day_value"], tool["baseline_value"]
    assert effect is not None and day_value is not None and base_value is not None
    assert effect == pytest.approx(day_value - base_value)
    assert effect < -0.1
    con, gt = pilots["cost-overrun"]
    dec = decision.decide(con, day(gt["problem_day"]), cfg, store=False, memo=memo("cost-overrun"))
    assert dec.recommendation == HOLD
    cost = next(c for c in dec.comparisons if c["metric"] == "cost_per_session")
    assert cost["test"] == "mann-whitney u" and (cost["effect"] or 0) > 2.5  # tokens x3


def test_low_traffic_holds_and_says_what_it_needs(pilots, cfg):
    con, gt = pilots["low-traffic"]
    for d in (day(gt["reference_day"]), day(gt["end"])):
        dec = decision.decide(con, d, cfg, store=False, memo=memo("low-traffic"))
        assert dec.recommendation in gt["expected"]["acceptable_decisions"] == [HOLD]
        assert not dec.data_sufficient and not dec.criteria.ready
        needed = {n.get("metric") for n in dec.data_needed}
        assert {"tool_call_success_rate", "turn_error_rate"} <= needed
        tool = next(n for n in dec.data_needed if n.get("metric") == "tool_call_success_rate" and "have" in n)
        need, to_pool, to_detect = tool["need"], tool["days_to_pool"], tool["n_to_detect_min_effect"]
        assert need is not None and to_pool is not None and to_detect is not None
        assert tool["more"] == need - tool["have"] > 0 and to_pool >= 2
        assert to_detect > need


def test_decision_is_stored_for_audit(cfg):
    p = synth.generate_frames(days=9, seed=4)
    con = Warehouse.memory()
    from _tables import load_frames

    load_frames(con, p.frames)
    first = decision.decide(con, date(2026, 3, 9), cfg)
    second = decision.decide(con, date(2026, 3, 10), cfg)
    assert first.stored and second.stored
    hist = decision.history(con)
    assert list(hist["decision_id"]) == [first.decision_id, second.decision_id]
    row = hist.iloc[1]
    assert row["recommendation"] == second.recommendation
    assert row["config_digest"] == cfg.digest() and row["launchkit_version"] == launchkit.__version__
    inputs = json.loads(row["inputs"])
    assert {c["metric"] for c in inputs["comparisons"]} >= {"tool_call_success_rate", "latency_ms"}
    thresholds = json.loads(row["thresholds"])
    assert thresholds["decision"]["pilot_false_hold"] == 0.05 and "alpha" not in thresholds["decision"]
    assert any(c["name"] == "tool_success" and c["pass"] == 0.97 for c in thresholds["criteria"])
    assert json.loads(row["reasons"])
    # what changed since yesterday: yesterday's stored recommendation and metric deltas
    ch = second.to_json()["changes_since_yesterday"]
    assert ch["recommendation"]["yesterday"] == first.recommendation
    assert ch["metrics"]["active_sessions"]["today"] == second.day_metrics["active_sessions"]


def judged(c: DayComparison) -> DayComparison:
    """A comparison classified alone at the default plan's evening level."""
    family.classify([c], family.plan(load_config(env={})))
    return c


def test_zero_inflated_error_rates_use_an_exact_test():
    opts = dict(DECISION_DEFAULTS)
    s_day = {"turn_errors": 6, "turns": 150}
    s_base = {"turn_errors": 0, "turns": 1000}
    c = judged(decision.compare("turn_error_rate", "rate", "lower", 100, opts, s_day, s_base))
    assert c["test"] == "fisher exact" and c["status"] == "regressed"
    assert c["effect"] == pytest.approx(0.04)
    quiet = judged(
        decision.compare("turn_error_rate", "rate", "lower", 100, opts, {"turn_errors": 0, "turns": 150}, s_base)
    )
    assert quiet["status"] == "no change" and quiet["p_value"] == 1.0
    small = decision.compare("turn_error_rate", "rate", "lower", 100, opts, {"turn_errors": 1, "turns": 40}, s_base)
    assert small["status"] == "insufficient data"


def test_tiny_significant_change_below_min_effect_is_no_change():
    opts = dict(DECISION_DEFAULTS)
    big_day = {"tool_calls_ok": 97_500, "tool_calls": 100_000}
    big_base = {"tool_calls_ok": 98_000, "tool_calls": 100_000}
    c = judged(decision.compare("tool_call_success_rate", "rate", "higher", 100, opts, big_day, big_base))
    p, band = c["p_value"], c["band"]
    assert p is not None and p < 1e-10 and c["status"] == "no change"  # 0.5 pp < the 1 pp minimum effect
    assert band is not None and band[1] < 0.01  # the whole noise band short of the floor


def test_latency_comparison_is_direction_aware():
    rng = np.random.default_rng(0)
    base = rng.lognormal(8, 0.5, 3000)
    opts = dict(DECISION_DEFAULTS)
    s = {"latency_n": 1000}
    faster = judged(
        decision.compare(
            "latency_ms",
            "distribution",
            "lower",
            100,
            opts,
            s,
            {"latency_n": 3000},
            stats.mann_whitney(rng.lognormal(8, 0.5, 1000) * 0.7, base),
        )
    )
    assert faster["status"] == "improved" and (faster["effect"] or 1) < 1
    slower = judged(
        decision.compare(
            "latency_ms",
            "distribution",
            "lower",
            100,
            opts,
            s,
            {"latency_n": 3000},
            stats.mann_whitney(rng.lognormal(8, 0.5, 1000) * 1.6, base),
        )
    )
    assert slower["status"] == "regressed" and slower["severe"]


@pytest.mark.parametrize(
    "section, key",
    [
        ({"alpha": "0.01"}, "decision.alpha"),
        ({"alpha": 0.7}, "decision.alpha"),
        ({"baseline_days": 0}, "decision.baseline_days"),
        ({"baseline_days": 2.5}, "decision.baseline_days"),
        ({"min_effect_latency": 0.9}, "decision.min_effect_latency"),
        ({"colour": 1}, "decision.colour"),
    ],
)
def test_decision_config_errors(section, key):
    base = load_config(env={})
    with pytest.raises(ConfigError) as exc:
        Config(data={**base.data, "decision": section})
    assert exc.value.key == key


def test_baseline_days_configurable(pilots):
    con, gt = pilots["healthy"]
    cfg = load_config(env={}).with_overrides(**{"decision.baseline_days": 3})
    dec = decision.decide(con, day(gt["reference_day"]), cfg, store=False)
    # the 3 days before yesterday (yesterday is pooled with the day when the day looks worse)
    assert dec.baseline["days"] == 3 and dec.baseline["start"] == "2026-03-06T00:00:00Z"
    assert dec.baseline["mode"] == "last_good" and dec.baseline["pooled_from"] == "2026-03-09"
