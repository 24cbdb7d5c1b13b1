"""Where and since when: the rate decomposition by hand on small tables, the SQL pass against those tables, the
change point on hand-made series, and generated pilots whose problem is confined to one segment."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from _tables import insert, load_frames

from launchkit import synth
from launchkit.analytics import attribution as attr
from launchkit.analytics import changepoint, decision, explain
from launchkit.analytics.reasons import Explanation, Reason
from launchkit.config import load_config
from launchkit.store.warehouse import Warehouse
from launchkit.synth.parameters import Effects
from launchkit.window import Window

C = attr.Counts


def seg(a: attr.Attribution, value: str) -> attr.Segment:
    return next(s for s in a.segments if s.value == value)


# --- the decomposition, by hand ---------------------------------------------------------------------------


def test_one_segment_worse():
    # error counts: A 2/100 -> 20/100, B and C 2/100 both days. R0 = 6/300 = 0.02, R1 = 24/300 = 0.08
    a = attr.decompose(
        "turn_error_rate", "tool", [C("A", 100, 2, 100, 20), C("B", 100, 2, 100, 2), C("C", 100, 2, 100, 2)]
    )
    assert a.before == pytest.approx(0.02) and a.after == pytest.approx(0.08) and a.change == pytest.approx(0.06)
    s = seg(a, "A")
    assert s.rate_effect == pytest.approx(0.06)  # w1 = 1/3 x (0.20 - 0.02)
    assert s.mix_effect == pytest.approx(0.0) and s.share_of_change == pytest.approx(1.0) and s.kind == "worse"
    assert a.finding == "explained" and a.culprits == ["A"] and a.segments[0].value == "A"
    assert a.traffic_share == pytest.approx(1 / 3) and a.rest_change == pytest.approx(0.0)


def test_a_pure_mix_shift():
    # rates unchanged (A 20 %, B 0 %); traffic moves to A: w 0.5/0.5 -> 0.8/0.2. R0 = 0.10, R1 = 0.16
    a = attr.decompose("turn_error_rate", "tenant", [C("A", 500, 100, 800, 160), C("B", 500, 0, 200, 0)])
    assert a.change == pytest.approx(0.06)
    assert seg(a, "A").rate_effect == pytest.approx(0.0) and seg(a, "B").rate_effect == pytest.approx(0.0)
    assert seg(a, "A").mix_effect == pytest.approx(0.03)  # (0.20 - 0.10) x (0.8 - 0.5)
    assert seg(a, "B").mix_effect == pytest.approx(0.03)  # (0.00 - 0.10) x (0.2 - 0.5)
    assert seg(a, "A").kind == "mix shift"
    assert a.finding == "mix shift" and a.culprits == ["A"] and a.share == pytest.approx(1.0)


def test_two_segments_together():
    # A and B 2 % -> 12 %, C and D stay at 2 %: R0 = 0.02, R1 = 28/400 = 0.07; A and B carry half each
    rows = [C("A", 100, 2, 100, 12), C("B", 100, 2, 100, 12), C("C", 100, 2, 100, 2), C("D", 100, 2, 100, 2)]
    a = attr.decompose("turn_error_rate", "tenant", rows)
    assert seg(a, "A").share_of_change == pytest.approx(0.5) and seg(a, "B").rate_effect == pytest.approx(0.025)
    assert a.finding == "explained" and a.culprits == ["A", "B"] and a.share == pytest.approx(1.0)


def test_no_segment_explains_a_change_everywhere():
    # every tenant 2 % -> 8 %: each carries a third; any two changed no more than the third
    a = attr.decompose("turn_error_rate", "tenant", [C(t, 300, 6, 300, 24) for t in "ABC"])
    assert [round(s.share_of_change or 0, 6) for s in a.segments] == [pytest.approx(1 / 3)] * 3
    assert a.finding == "no single segment" and a.culprits == []


def test_a_new_segment_is_compared_with_the_whole_baseline():
    # release r2 is new on the day at 20 % errors; r1 stays at 2 %. R0 = 0.02, R1 = (2 + 20) / 200 = 0.11
    a = attr.decompose("turn_error_rate", "release", [C("r1", 200, 4, 100, 2), C("r2", 0, 0, 100, 20)])
    s = seg(a, "r2")
    assert s.kind == "new" and s.before is None
    assert s.rate_effect == pytest.approx(0.09) and s.mix_effect == pytest.approx(0.0)  # 0.5 x (0.20 - 0.02)
    assert seg(a, "r1").mix_effect == pytest.approx(0.0)  # r1 was the whole baseline
    assert a.finding == "explained" and a.culprits == ["r2"]


def test_a_release_carrying_the_whole_day_explains_nothing_alone():
    a = attr.decompose("turn_error_rate", "release", [C("r1", 300, 6, 0, 0), C("r2", 0, 0, 300, 30)])
    assert a.change == pytest.approx(0.08) and a.finding == "no single segment"


def test_noise_is_no_finding():
    a = attr.decompose("turn_error_rate", "tenant", [C("A", 50, 1, 50, 3), C("B", 50, 1, 50, 1)])
    assert a.finding == "no single segment"


def test_a_mean_decomposes_too():
    # cost per session: A $0.10 -> $0.30 over 100 sessions, B $0.10 over 100 both days: R0 0.10, R1 0.20
    a = attr.decompose("cost_per_session", "tenant", [C("A", 100, 10, 100, 30), C("B", 100, 10, 100, 10)], unit="usd")
    assert a.change == pytest.approx(0.10) and seg(a, "A").rate_effect == pytest.approx(0.10)
    assert a.culprits == ["A"]


# --- the SQL pass on a small warehouse ----------------------------------------------------------------------

DAY = Window(datetime(2026, 3, 10, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
BASE = Window(datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
JUDGED = attr.Judged("correctness", "hallucination", 0.5)


@pytest.fixture()
def small():
    """Two tenants; t1's calls to `sql` fail on the day. Baseline: t1 sql 10 ok, t1 chart 10 ok, t2 sql 10 ok
    + 10 ok chart ... day: t1 sql 5 fail of 10, the rest ok."""
    con = Warehouse.memory()
    base_t, day_t = datetime(2026, 3, 5, 10, tzinfo=UTC), datetime(2026, 3, 10, 10, tzinfo=UTC)
    sessions, turns, calls = [], [], []
    for period, t0 in (("b", base_t), ("d", day_t)):
        for tenant in ("t1", "t2"):
            sid = f"{period}-{tenant}"
            sessions.append({"session_id": sid, "tenant_id": tenant, "started_at": t0, "release": "r1"})
            turns.append({"turn_id": f"{sid}-1", "session_id": sid, "started_at": t0, "status": "ok",
                          "model": "m1", "latency_ms": 1000.0})  # fmt: skip
            for tool in ("sql", "chart"):
                for k in range(10):
                    bad = period == "d" and tenant == "t1" and tool == "sql" and k < 5
                    calls.append({"call_id": f"{sid}-{tool}-{k}", "session_id": sid, "turn_id": f"{sid}-1",
                                  "tool_name": tool, "started_at": t0 + timedelta(minutes=k),
                                  "status": "error" if bad else "ok"})  # fmt: skip
    insert(con, "sessions", sessions)
    insert(con, "turns", turns)
    insert(con, "tool_calls", calls)
    yield con
    con.close()


def test_the_sql_pass_counts_each_value(small):
    rows = attr.segment_rows(small, "tool", DAY, BASE, None, None, JUDGED)
    got = {(r["level"], r["period"], r["value"]): (r["n"], r["bad"]) for r in rows}
    assert got == {
        ("calls", "baseline", "sql"): (20, 0),
        ("calls", "baseline", "chart"): (20, 0),
        ("calls", "day", "sql"): (20, 5),
        ("calls", "day", "chart"): (20, 0),
    }
    found = attr.attribute(small, ["tool_call_success_rate"], DAY, BASE, JUDGED)["tool_call_success_rate"]
    by = {a.by: a for a in found}
    # success 40/40 -> 35/40: change -0.125; sql 20/20 -> 15/20 carries it all: w1 0.5 x (0.75 - 1.0)
    assert by["tool"].change == pytest.approx(-0.125) and seg(by["tool"], "sql").rate_effect == pytest.approx(-0.125)
    t1 = seg(by["tenant"], "t1")
    assert (t1.n_baseline, t1.n_day, t1.before, t1.after) == (20, 20, 1.0, 0.75)


# --- the change point, on hand-made series --------------------------------------------------------------------


def _hours(n: int) -> list[datetime]:
    return [datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(n)]


def test_a_step_is_found_at_its_hour_with_an_interval_around_it():
    n = [100.0] * 48
    bad = [2.0] * 30 + [30.0] * 18  # 2 % -> 30 % from hour 30
    cp = changepoint.find(_hours(48), bad, n)
    assert cp is not None and cp.at == _hours(48)[30] and cp.low <= cp.at <= cp.high
    assert cp.before == pytest.approx(0.02) and cp.after == pytest.approx(0.30) and cp.method == "step"

    # the binomial log-likelihood ratio by hand: 2 x (two levels - one level)
    def ll(k: float, m: float) -> float:
        p = k / m
        return k * math.log(p) + (m - k) * math.log(1 - p)

    assert cp.llr == pytest.approx(2 * (ll(60, 3000) + ll(540, 1800) - ll(600, 4800)))


def test_no_step_in_a_flat_series_and_none_toward_better():
    assert changepoint.find(_hours(48), [2.0] * 48, [100.0] * 48) is None
    assert changepoint.find(_hours(48), [30.0] * 30 + [2.0] * 18, [100.0] * 48) is None  # it got better


def test_empty_hours_before_the_first_bad_one_widen_the_interval():
    n = [100.0] * 20 + [0.0] * 3 + [100.0] * 10
    bad = [1.0] * 20 + [0.0] * 3 + [40.0] * 10
    cp = changepoint.find(_hours(33), bad, n)
    assert cp is not None and cp.at == _hours(33)[23] and cp.low == _hours(33)[20]


def test_a_new_segment_appears_bad():
    n = [0.0] * 30 + [50.0] * 10
    bad = [0.0] * 30 + [10.0] * 10
    cp = changepoint.find(_hours(40), bad, n, reference=0.02, new=True)
    assert cp is not None and cp.method == "appeared" and cp.at == _hours(40)[30]


# --- generated pilots with the problem confined to one segment ------------------------------------------------

CONFINED = [
    ("tool-outage", "tool", "sql_query", "tool_call_success_rate"),
    ("tenant-outage", "tenant", None, "tool_call_success_rate"),
    ("release-regression", "release", None, "turn_error_rate"),
    ("model-regression", "model", "gpt-4o", "latency_ms"),
]


@pytest.mark.parametrize(("scenario", "by", "value", "metric"), CONFINED, ids=[c[0] for c in CONFINED])
def test_a_confined_problem_is_named_first_with_its_first_bad_hour(scenario, by, value, metric):
    pilot = synth.generate_frames(days=11, seed=3, scenario=scenario, effects=Effects(start_hour=10))
    gt = pilot.ground_truth
    assert gt["affected_segment"]["by"] == by
    value = value or gt["affected_segment"]["value"]
    con = Warehouse.memory()
    load_frames(con, pilot.frames)
    dec = decision.decide(con, date.fromisoformat(gt["problem_day"]), load_config(env={}), store=False)
    con.close()
    assert dec.recommendation in ("HOLD", "ROLLBACK")
    reason = next(r for r in dec.reasons if r.get("code") == "regression" and r["metric"] == metric)
    assert reason["message"].startswith(f"{by} {value}:"), reason["message"]
    assert "p=" in reason["detail"]  # the statistics follow in the detail
    finding = reason["explanation"]["finding"]
    assert finding is not None
    assert finding["by"] == by and finding["culprits"] == [value] and finding["segments"][0]["value"] == value
    cp = reason["explanation"]["first_bad_hour"]
    assert cp is not None
    injected = datetime.fromisoformat(gt["problem_start"].replace("Z", "+00:00"))
    low, high = (datetime.fromisoformat(t.replace("Z", "+00:00")) for t in cp["interval"])
    assert low <= injected <= high, (cp, injected)
    assert high - low <= timedelta(hours=6)


def test_the_debrief_table_lists_each_explained_metric_once():
    a = attr.decompose("turn_error_rate", "tool", [C("A", 100, 2, 100, 20), C("B", 100, 2, 100, 2)])
    ex: Explanation = {"finding": a.to_json(),
          "first_bad_hour": {"interval": ["2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z"]},
          "candidate_causes": [{"what": "release r2 shipped"}], "tenants_affected": None}  # fmt: skip

    def reason(metric: str, explanation: Explanation | None = None) -> Reason:
        r = Reason(code="regression", severity="hold", metric=metric, message=f"{metric} regressed")
        if explanation is not None:
            r["explanation"] = explanation
        return r

    reasons = [reason("turn_error_rate", ex), reason("turn_error_rate", ex), reason("open_major_incidents")]
    rows = explain.where_table(reasons)
    assert [(r["value"], r["culprit"]) for r in rows] == [("A", True), ("B", False)]
    assert rows[0]["first_bad_hour (UTC)"] == "03-10 09:00 to 03-10 10:00"
    assert rows[0]["candidate_causes"] == "release r2 shipped" and rows[0]["share_of_change"] == pytest.approx(1.0)


# --- answer quality: the judged answers of one model ---------------------------------------------------------


@pytest.fixture()
def judged_small():
    """Two models, 20 judged answers each per period (a correctness and a hallucination evaluation per answer).
    Baseline: every answer judged correct, none hallucinated. Day: m2's answers 8 of 20 judged incorrect, the same 8
    hallucinated; m1's as before. Plus one session-wide judgement (no turn) on the day, judged correct."""
    con = Warehouse.memory()
    sessions, turns, evals = [], [], []
    for period, t0 in (("b", datetime(2026, 3, 5, 10, tzinfo=UTC)), ("d", datetime(2026, 3, 10, 10, tzinfo=UTC))):
        for model in ("m1", "m2"):
            sid = f"{period}-{model}"
            sessions.append({"session_id": sid, "tenant_id": "t1", "started_at": t0, "release": "r1"})
            for k in range(20):
                tid = f"{sid}-{k}"
                turns.append({"turn_id": tid, "session_id": sid, "started_at": t0 + timedelta(minutes=k),
                              "status": "ok", "model": model, "latency_ms": 1000.0})  # fmt: skip
                wrong = period == "d" and model == "m2" and k < 8
                made_up = wrong  # every wrong answer made something up
                for name, value in (("correctness", 0.0 if wrong else 1.0), ("hallucination", float(made_up))):
                    evals.append({"evaluation_id": f"{tid}-{name}", "session_id": sid, "turn_id": tid,
                                  "name": name, "source": "llm_judge", "value": value,
                                  "evaluated_at": t0 + timedelta(minutes=k, seconds=30)})  # fmt: skip
    evals.append({"evaluation_id": "d-whole", "session_id": "d-m1", "turn_id": None, "name": "correctness",
                  "source": "llm_judge", "value": 1.0, "evaluated_at": datetime(2026, 3, 10, 12, tzinfo=UTC)})  # fmt: skip
    evals.append({"evaluation_id": "other", "session_id": "d-m2", "turn_id": "d-m2-9", "name": "tone",
                  "source": "llm_judge", "value": 0.0, "evaluated_at": datetime(2026, 3, 10, 12, tzinfo=UTC)})  # fmt: skip
    insert(con, "sessions", sessions)
    insert(con, "turns", turns)
    insert(con, "evaluations", evals)
    yield con
    con.close()


def test_judged_answers_are_counted_per_model_by_the_sql_pass(judged_small):
    rows = attr.segment_rows(judged_small, "model", DAY, BASE, None, None, JUDGED)
    got = {
        (r["period"], r["value"]): (r["n"], r["bad"], r["n2"], r["bad2"]) for r in rows if r["level"] == "evaluations"
    }
    # the session-wide judgement has no turn, so no model; the "tone" evaluation is not counted
    assert got == {
        ("baseline", "m1"): (20, 0, 20, 0),
        ("baseline", "m2"): (20, 0, 20, 0),
        ("day", "m1"): (20, 0, 20, 0),
        ("day", "m2"): (20, 8, 20, 8),
        ("day", "(unknown)"): (1, 0, 0, 0),
    }


def test_a_quality_drop_is_attributed_to_its_model_and_led_by_it(judged_small):
    found = attr.attribute(judged_small, ["judged_correct_rate", "hallucination_rate"], DAY, BASE, JUDGED)
    # judged correct: 40/40 = 1.0 -> (20 + 12 + 1)/41; m2 1.0 -> 0.6 carries the whole change
    by = {a.by: a for a in found["judged_correct_rate"]}
    assert by["model"].change == pytest.approx(33 / 41 - 1.0)
    m2 = seg(by["model"], "m2")
    assert (m2.n_baseline, m2.n_day, m2.before, m2.after) == (20, 20, 1.0, 0.6)
    assert by["model"].culprits == ["m2"] and by["model"].finding == "explained"
    hall = {a.by: a for a in found["hallucination_rate"]}["model"]
    assert hall.culprits == ["m2"] and seg(hall, "m2").after == pytest.approx(0.4)
    a = attr.best(found["judged_correct_rate"])
    text = explain.lead("judged_correct_rate", a, None, [], None, None, UTC)
    assert text == "model m2: 40.0 % of answers judged incorrect (a model's judgement) (was 0.0 %)"
