"""GA criteria: the verdict rule, configuration (defaults, overrides, errors naming the key), and
verdicts on each synthetic scenario's ground truth."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from _tables import load_frames

from launchkit import synth
from launchkit.analytics import criteria
from launchkit.analytics.criteria import FAIL, INSUFFICIENT, MARGINAL, PASS, UNTRUSTED
from launchkit.config import Config, load_config
from launchkit.config.criteria import DEFAULTS as CRITERIA_DEFAULTS
from launchkit.errors import ConfigError
from launchkit.store.warehouse import Warehouse


def cfg_with(**criteria_section) -> Config:
    base = load_config(env={})
    data = dict(base.data)
    data["criteria"] = criteria_section
    return Config(data=data)


# ---------------------------------------------------------------------------------------------
# the verdict rule


@pytest.mark.parametrize(
    "low, high, want",
    [
        (0.975, 0.99, PASS),  # whole interval above pass
        (0.90, 0.94, FAIL),  # whole interval below marginal
        (0.955, 0.965, MARGINAL),  # inside the band
        (0.96, 0.975, MARGINAL),  # straddles pass, no wider than the band (0.02)
        (0.94, 0.955, MARGINAL),  # straddles marginal, narrow
        (0.94, 0.98, INSUFFICIENT),  # spans the band: cannot tell
        (0.95, 0.985, INSUFFICIENT),  # wider than the band
        (0.97, 1.0, PASS),  # on the threshold counts as passing
    ],
)
def test_verdict_higher_is_better(low, high, want):
    assert criteria.verdict(low, high, 0.97, 0.95, "higher") == want


@pytest.mark.parametrize(
    "low, high, want",
    [
        (5000, 7900, PASS),
        (10500, 12000, FAIL),
        (8200, 9000, MARGINAL),
        (7000, 11000, INSUFFICIENT),
        (6000, None, INSUFFICIENT),  # unbounded above: cannot pass a lower-is-better threshold
    ],
)
def test_verdict_lower_is_better(low, high, want):
    assert criteria.verdict(low, high, 8000, 10000, "lower") == want


@pytest.mark.parametrize(
    "low, high, estimate, want",
    [
        (0.962, 0.978, 0.972, INSUFFICIENT),  # narrow, reaches below pass, the estimate passes: a thin passing metric
        (0.962, 0.978, 0.968, MARGINAL),  # the same interval around an estimate short of pass
        (0.962, 0.978, 0.97, MARGINAL),  # on the pass line: not shown to pass
        (0.962, 0.978, None, MARGINAL),  # no estimate: the midpoint 0.970 is on the line
        (0.964, 0.980, None, INSUFFICIENT),  # midpoint 0.972 beyond it
    ],
)
def test_marginal_needs_an_estimate_short_of_pass(low, high, estimate, want):
    assert criteria.verdict(low, high, 0.97, 0.95, "higher", estimate) == want


def test_marginal_lower_is_better_mirrors_the_estimate():
    # p95 8000 pass, 10000 marginal: interval 7600-9400 (1800 wide, band 2000)
    assert criteria.verdict(7600, 9400, 8000, 10000, "lower", 7800) == INSUFFICIENT  # estimate passes
    assert criteria.verdict(7600, 9400, 8000, 10000, "lower", 8500) == MARGINAL


@pytest.mark.parametrize(
    "estimate, low, high, direction, n, want",
    [
        # estimate passes: the lower side (0.07) must shrink to the distance to pass (0.05): 201 * 1.4^2 = 393.96
        (0.85, 0.78, 0.90, "higher", 201, 394),
        # estimate in the band: the width (0.19) must shrink to the band (0.10): 99 * 1.9^2 = 357.39
        (0.75, 0.66, 0.85, "higher", 99, 358),
        # below marginal, on [0.50, 0.79]: to MARGINAL the width 0.29 -> 0.10 (99 * 2.9^2 = 832.59), to FAIL the
        # upper side 0.14 -> 0.05 (99 * 2.8^2 = 776.16): the earlier counts
        (0.65, 0.50, 0.79, "higher", 99, 777),
        (0.65, 0.40, 0.72, "higher", 99, 195),  # FAIL: 99 * (0.07 / 0.05)^2 = 194.04
        # lower is better, p95 7000 ms on [6000, 9000] vs pass 8000: the upper side 9000 - 7000 = 2000 must
        # shrink to 8000 - 7000 = 1000: 50 * 2^2 = 200
        (7000, 6000, 9000, "lower", 50, 200),
        # a side barely wider than needed still asks for one more observation than it has
        (0.85, 0.7999, 0.90, "higher", 200, 201),
        (0.85, None, 0.90, "higher", 200, None),  # unbounded: no sample size says
    ],
)
def test_n_to_decide_hand_computed(estimate, low, high, direction, n, want):
    pass_, marginal = (0.80, 0.70) if direction == "higher" else (8000, 10000)
    assert criteria.n_to_decide(estimate, low, high, pass_, marginal, direction, n) == want


def test_verdict_without_band_is_pass_or_fail_for_exact_values():
    assert criteria.verdict(0, 0, 0, 0, "lower") == PASS
    assert criteria.verdict(1, 1, 0, 0, "lower") == FAIL
    assert criteria.verdict(0.45, 0.55, 0.5, 0.5, "lower") == INSUFFICIENT


# ---------------------------------------------------------------------------------------------
# configuration


def test_default_criteria():
    crits = {c.name: c for c in load_config(env={}).criteria}
    assert set(crits) == set(CRITERIA_DEFAULTS)
    ts = crits["tool_success"]
    assert (ts.metric, ts.direction, ts.pass_threshold, ts.marginal_threshold) == (
        "tool_call_success_rate",
        "higher",
        0.97,
        0.95,
    )
    assert (ts.window_days, ts.criticality) == (7, "critical")
    assert crits["latency_p95"].pass_threshold == 8000 and crits["turn_error_rate"].pass_threshold == 0.02
    assert crits["csat"].pass_threshold == 0.80 and crits["csat"].min_sample == 30
    assert crits["thumbs_up"].pass_threshold == 0.85
    cps = crits["cost_per_session"]
    assert cps.pass_threshold == 0.50 and cps.threshold_source == "budget.cost_per_session_usd"
    assert crits["projected_spend"].pass_threshold is None  # budget.total_usd unset
    assert crits["reconciliation"].pass_threshold == 2.0


def test_overrides_and_new_criteria():
    cfg = cfg_with(
        confidence=0.9,
        tool_success={"pass": 0.99, "marginal": 0.98, "held_days": 3},
        thumbs_up={"enabled": False},
        p99={
            "metric": "latency_p99_ms",
            "direction": "lower",
            "pass": 20000,
            "marginal": 25000,
            "criticality": "report-only",
        },
    )
    crits = {c.name: c for c in cfg.criteria}
    assert crits["tool_success"].pass_threshold == 0.99 and crits["tool_success"].held_days == 3
    assert "thumbs_up" not in crits
    assert crits["p99"].criticality == "report-only" and crits["p99"].kind == "quantile"
    assert cfg.settings.criteria.confidence == 0.9
    budget = load_config(env={}).with_overrides(**{"budget.cost_per_session_usd": 0.8, "budget.total_usd": 5000.0})
    crits = {c.name: c for c in budget.criteria}
    assert crits["cost_per_session"].pass_threshold == 0.8
    assert crits["projected_spend"].pass_threshold == 5000.0


@pytest.mark.parametrize(
    "section, key, message",
    [
        ({"tool_success": {"pass": "high"}}, "criteria.tool_success.pass", "must be a number"),
        ({"tool_success": {"marginal": 0.99}}, "criteria.tool_success.marginal", "<= pass"),
        ({"latency_p95": {"marginal": 5000}}, "criteria.latency_p95.marginal", ">= pass"),
        ({"tool_success": {"direction": "up"}}, "criteria.tool_success.direction", "higher"),
        ({"tool_success": {"criticality": "blocker"}}, "criteria.tool_success.criticality", "critical"),
        ({"tool_success": {"window_days": 0}}, "criteria.tool_success.window_days", ">= 1"),
        ({"tool_success": {"min_sample": 2.5}}, "criteria.tool_success.min_sample", "whole number"),
        ({"tool_success": {"colour": "red"}}, "criteria.tool_success.colour", "unknown key"),
        ({"mine": {"direction": "lower", "pass": 1}}, "criteria.mine.metric", "required"),
        ({"mine": {"metric": "happiness", "direction": "lower", "pass": 1}}, "criteria.mine.metric", "unknown metric"),
        ({"mine": {"metric": "csat", "direction": "higher"}}, "criteria.mine.pass", "must be a number"),
        ({"tool_success": 0.97}, "criteria.tool_success", "must be a table"),
        ({"confidence": 1.5}, "criteria.confidence", "between"),
        ({"tool_success": {"enabled": "no"}}, "criteria.tool_success.enabled", "true or false"),
    ],
)
def test_config_errors_name_the_key(section, key, message):
    with pytest.raises(ConfigError) as exc:
        cfg_with(**section)
    assert exc.value.key == key
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_config_error_from_a_toml_file(tmp_path):
    path = tmp_path / "launchkit.toml"
    path.write_text('[criteria.tool_success]\npass = "97%"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"criteria\.tool_success\.pass.*must be a number"):
        load_config(path, env={})


# ---------------------------------------------------------------------------------------------
# scenarios' ground truth


def test_healthy_pilot_is_ready(pilots):
    con, gt = pilots["healthy"]
    r = criteria.evaluate(con, date.fromisoformat(gt["reference_day"]), load_config(env={}), history_days=3)
    json.dumps(r.to_json(), allow_nan=False)
    v = {x.criterion.name: x.verdict for x in r.results}
    for name in ("tool_success", "latency_p95", "turn_error_rate", "open_major_incidents", "csat", "cost_per_session"):
        assert v[name] == PASS, (name, r.result(name).to_json())
    assert r.ready and r.blockers == []
    assert any("projected_spend" in w for w in r.warnings)  # budget.total_usd unset: not evaluated
    held = r.result("tool_success").held_since
    assert held is not None and held <= date.fromisoformat(gt["reference_day"]) - timedelta(days=3)


@pytest.mark.parametrize("scenario", ["latency-regression", "tool-outage", "cost-overrun"])
def test_problem_criterion_fails_by_the_end(pilots, scenario):
    con, gt = pilots[scenario]
    exp = gt["expected"]
    name = exp["failing_criterion"]
    r = criteria.evaluate(con, date.fromisoformat(gt["end"]), load_config(env={}), history_days=0)
    res = r.result(name)
    assert res.verdict == FAIL, res.to_json()
    assert not r.ready and any(b["criterion"] == name for b in r.blockers)
    # before the problem the same criterion passes
    before = date.fromisoformat(gt["problem_day"]) - timedelta(days=1)
    assert criteria.evaluate(con, before, load_config(env={}), history_days=0).result(name).verdict == PASS


def test_open_sev2_blocks_readiness(pilots):
    con, gt = pilots["tool-outage"]
    r = criteria.evaluate(con, date.fromisoformat(gt["problem_day"]), load_config(env={}), history_days=0)
    assert r.result("open_major_incidents").verdict == FAIL and r.result("open_major_incidents").value == 1


def test_low_traffic_is_insufficient_never_pass(pilots):
    con, gt = pilots["low-traffic"]
    for day in (date.fromisoformat(gt["reference_day"]), date.fromisoformat(gt["end"])):
        r = criteria.evaluate(con, day, load_config(env={}), history_days=0)
        assert not r.ready
        v = {x.criterion.name: x.verdict for x in r.results}
        assert FAIL not in v.values()
        for name in ("tool_success", "latency_p95", "turn_error_rate", "csat"):
            assert v[name] == INSUFFICIENT, (name, r.result(name).to_json())
            needed = r.result(name).data_needed
            n = r.result(name).n
            assert needed is not None and (need := needed["need"]) is not None and n is not None and need > n


def test_held_days_requires_consecutive_passes(pilots):
    con, gt = pilots["healthy"]
    cfg = cfg_with(tool_success={"held_days": 30})
    r = criteria.evaluate(con, date.fromisoformat(gt["reference_day"]), cfg, history_days=0)
    res = r.result("tool_success")
    assert res.verdict == INSUFFICIENT and "must hold 30 consecutive days" in res.note
    assert not r.ready


def test_low_coverage_is_untrusted():
    p = synth.generate_frames(days=8, seed=3)
    frames = dict(p.frames)
    t = frames["turns"].copy()
    t["cost_usd"] = None  # no price for any turn ...
    frames["turns"] = t
    con = Warehouse.memory()
    load_frames(con, frames)
    con.execute("UPDATE turns SET input_tokens = NULL, model = 'unknown-model'")  # ... and none can be priced
    r = criteria.evaluate(con, date(2026, 3, 9), load_config(env={}), history_days=0)
    res = r.result("cost_per_session")
    assert res.verdict in (UNTRUSTED, INSUFFICIENT)
    assert r.result("tool_success").verdict == PASS  # unaffected metrics keep their verdict
    # coverage of 85% priced turns: below min_coverage 0.90
    con2 = Warehouse.memory()
    load_frames(con2, p.frames)
    con2.execute(
        "UPDATE turns SET cost_usd = NULL, input_tokens = NULL, output_tokens = NULL WHERE hash(turn_id) % 100 < 15"
    )
    r2 = criteria.evaluate(con2, date(2026, 3, 9), load_config(env={}), history_days=0)
    assert r2.result("cost_per_session").verdict == UNTRUSTED
    assert "turns_with_price" in r2.result("cost_per_session").note


def test_reconciliation_beyond_tolerance_fails_and_blocks(pilots, monkeypatch):
    con, gt = pilots["healthy"]
    monkeypatch.setattr(
        criteria,
        "_reconcile",
        lambda db, w, config: pd.DataFrame(
            {
                "vendor": ["openai", "anthropic"],
                "day": [w.start.date()] * 2,
                "computed_usd": [10.0, 10.0],
                "billed_usd": [10.1, 10.5],
                "diff_usd": [-0.1, -0.5],
                "diff_pct": [-0.99, -4.76],
                "within_tolerance": [True, False],
            }
        ),
    )
    r = criteria.evaluate(con, date.fromisoformat(gt["reference_day"]), load_config(env={}), history_days=0)
    res = r.result("reconciliation")
    assert res.verdict == FAIL and res.value == pytest.approx(4.76)
    assert any(b["criterion"] == "reconciliation" for b in r.blockers)  # a normal criterion that FAILs blocks


def test_held_since_never_predates_the_first_day_of_data(con, config):
    """A pilot that starts on 2026-03-02 and passes throughout has held since 2026-03-02, not before."""
    from datetime import date

    from launchkit import synth
    from launchkit.analytics import criteria

    pilot = synth.generate_frames(days=6, seed=3, scenario="healthy")
    for table, df in pilot.frames.items():
        con.con.register("_f", df.assign(_load_id=0))
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _f")
        con.con.unregister("_f")
    r = criteria.evaluate(con, date(2026, 3, 7), config, history_days=30)
    held = {x.criterion.name: x.held_since for x in r.results}
    assert held["open_major_incidents"] is not None
    assert min(d for d in held.values() if d is not None) >= date(2026, 3, 2)
