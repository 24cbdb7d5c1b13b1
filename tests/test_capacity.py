"""Capacity: per-minute load counted by hand, the superposition projection against a known law, the
limit verdicts, the [capacity] section, and turns' error types."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from _tables import insert

from launchkit.analytics.capacity.load import PilotLoad, observed_percentiles, pilot_load, rate_limited_by_hour
from launchkit.analytics.capacity.plan import FAIL, INSUFFICIENT, MARGINAL, PASS, check_limits
from launchkit.analytics.capacity.projection import day_level_variance, day_steps, project
from launchkit.config import Config, load_config
from launchkit.config.model import Config as ConfigModel
from launchkit.errors import ConfigError

DAY = date(2026, 3, 4)


def at(hh: int, mm: int, ss: float = 0.0) -> datetime:
    return datetime(2026, 3, 4, hh, mm, tzinfo=UTC) + timedelta(seconds=ss)


def turn(i: int, when: datetime, model: str = "gpt-4o", provider: str = "openai", **kw) -> dict:
    row = {
        "turn_id": f"t{i}",
        "session_id": f"s{i % 3}",
        "started_at": when,
        "model": model,
        "provider": provider,
        "status": "ok",
        "latency_ms": 1000.0,
        "input_tokens": 100,
        "output_tokens": 10,
    }
    row.update(kw)
    return row


@pytest.fixture
def small(con):
    """Six turns on one day, counted by hand below."""
    insert(
        con, "sessions", [{"session_id": f"s{k}", "tenant_id": f"t{k % 2}", "started_at": at(9, 0)} for k in range(3)]
    )
    insert(
        con,
        "turns",
        [
            turn(1, at(10, 0, 1), latency_ms=30_000.0),  # in flight 10:00:01-10:00:31
            turn(2, at(10, 0, 1.5), status="error", error_type="429", latency_ms=20_000.0),  # to 10:00:21.5
            turn(3, at(10, 0, 20), status="error", error_type="APITimeoutError", input_tokens=None),
            turn(4, at(10, 1, 5), input_tokens=50, output_tokens=5),
            turn(
                5,
                at(10, 5),
                model="claude-sonnet-4",
                provider="anthropic",
                status="error",
                error_type="rate_limit_error",
            ),
            turn(6, at(10, 5, 30), model="claude-sonnet-4", provider="anthropic", latency_ms=None),
        ],
    )
    return con


def test_minute_load_counts_requests_tokens_and_rate_limits_by_hand(small):
    rows = small.frame("capacity/minute_load", {"start": at(0, 0), "end": at(23, 59) + timedelta(minutes=1)}).to_dict(
        "records"
    )
    got = {(r["provider"], r["minute"].astimezone(UTC).strftime("%H:%M")): r for r in rows}
    assert set(got) == {("openai", "10:00"), ("openai", "10:01"), ("anthropic", "10:05")}
    m0 = got[("openai", "10:00")]
    assert (m0["requests"], m0["input_tokens"], m0["output_tokens"], m0["total_tokens"]) == (3, 200, 30, 230)
    assert (m0["turns_without_tokens"], m0["failed"], m0["rate_limited"]) == (1, 2, 1)  # a timeout is no rate limit
    m1 = got[("openai", "10:01")]
    assert (m1["requests"], m1["total_tokens"], m1["rate_limited"]) == (1, 55, 0)
    a = got[("anthropic", "10:05")]
    assert (a["requests"], a["rate_limited"]) == (2, 1)


def test_peaks_second_and_in_flight_by_hand(small):
    rows = {
        r["provider"]: r
        for r in small.frame("capacity/peaks", {"start": at(0, 0), "end": at(23, 0)}).to_dict("records")
    }
    # openai: turns 1 and 2 start in second 10:00:01; turns 1 and 2 are in flight when 3 starts (10:00:20)
    assert rows["openai"]["peak_second_requests"] == 2
    assert rows["openai"]["peak_in_flight"] == 3
    assert rows["anthropic"]["peak_in_flight"] == 1  # turn 6 has no latency: left out, counted
    assert rows["anthropic"]["turns_without_latency"] == 1


def test_pilot_load_fills_empty_minutes_of_observed_days_with_zero(small, config):
    load = pilot_load(small, DAY, DAY, UTC)
    assert load.days == (DAY,)
    frame = load.minutes[("openai", "gpt-4o")]
    assert len(frame) == 1440 and frame["requests"].sum() == 4
    stats = observed_percentiles(frame, "requests")
    assert stats["peak"] == 3
    assert stats["p99"] == 0  # 2 busy minutes of 1440: the p99 minute is empty
    values = np.zeros(1440)
    values[[600, 601]] = [3, 1]
    assert stats["p999"] == pytest.approx(np.quantile(values, 0.999))  # numpy as the oracle: 1.0...
    hourly = rate_limited_by_hour(load)
    ten = hourly[hourly["hour"] == 10].iloc[0]
    assert (ten["turns"], ten["rate_limited"], ten["share"]) == (6, 2, pytest.approx(2 / 6))
    assert load.sessions_per_day == 3
    assert load.tenants == 2


def pool(days: int = 7, busy_per_hour: int = 12, value: int = 10) -> pd.DataFrame:
    """Identical days: in every hour exactly `busy_per_hour` of 60 minutes carry `value` requests (20 %)."""
    rows = []
    start = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday: seven days cover every weekday
    for d in range(days):
        for minute in range(1440):
            ts = start + timedelta(days=d, minutes=minute)
            v = value if minute % 60 < busy_per_hour else 0
            rows.append(
                {
                    "minute": ts,
                    "day": ts.date(),
                    "weekday": ts.weekday(),
                    "hour": ts.hour,
                    "requests": v,
                    "total_tokens": 100 * v,
                    "input_tokens": 90 * v,
                    "output_tokens": 10 * v,
                }
            )
    return pd.DataFrame(rows)


def test_superposition_keeps_the_variance_k_fold_not_k_squared():
    """4 copies of minutes that carry 10 requests with probability 0.2: a projected minute is 10 x
    Binomial(4, 0.2); P(>= 30) = 0.0272, P(40) = 0.0016, so the p99 minute is 30. Multiplying one
    minute by 4 would put it at 40 (a fifth of the minutes)."""
    proj = project(pool(), 4.0, replicates=40, seed=1)
    p99 = proj.measures["requests"].p99
    assert (p99.low, p99.estimate, p99.high) == (30, 30, 30)
    assert proj.profile == "hour of a weekday or weekend day"  # one week: too few of each weekday
    assert proj.measures["total_tokens"].p99.estimate == 3000


def test_identical_days_have_no_day_level_to_add():
    """With a level per day, days alike hour for hour share no level (variance 0): the p99 minute stays
    the 30 of 10 x Binomial(4, 0.2), the hours' own noise is not scaled up."""
    proj = project(pool(), 4.0, replicates=40, seed=1, day_levels=True)
    p99 = proj.measures["requests"].p99
    assert (p99.low, p99.estimate, p99.high) == (30, 30, 30)
    assert proj.method == "resampled minutes, times a level per day"


def test_a_fractional_scale_adds_one_more_minute_with_its_fraction():
    """k = 2.5: two pilot minutes and a third with probability 0.5; over 25 requests needs all three busy:
    0.5 x 0.2^3 = 0.004 of the minutes."""
    proj = project(pool(), 2.5, thresholds={"requests": [25.0]}, replicates=60, seed=2)
    share = proj.measures["requests"].exceed[25.0]
    assert share.estimate == pytest.approx(0.004, abs=0.0015)
    assert share.low <= 0.004 <= share.high


def levels(first: list[float], second: list[float]) -> np.ndarray:
    """Days (rows) whose hours 9 and 10 carry `first` and `second`, the other hours nothing."""
    sums = np.zeros((len(first), 24))
    sums[:, 9], sums[:, 10] = first, second
    return sums


def test_the_day_level_comes_from_the_steps_between_comparable_days():
    """Hours 9 and 10 of mean 10 and 20 (the cross-hour product sum 2 x 10 x 20 = 400). Levels that
    alternate 0.5, 1.5, 0.5, 1.5: every step is +-(10, 20), whose cross-hour product 2 x 10 x 20 / 2 =
    200 gives 200 / 400 = 0.5, half the squared step of 1 (an alternation, the worst case, reads twice
    its spread 0.25; independent levels read their variance on average)."""
    one = np.zeros(4, dtype=int)
    assert day_level_variance(levels([5, 15, 5, 15], [10, 30, 10, 30]), one) == pytest.approx(0.5)
    # a step up (0.5, 0.5, 1.5, 1.5) counts once among three steps: 200 / 3 / 400 = 1/6, where the spread
    # about one mean would say var(0.5, 0.5, 1.5, 1.5) = 1/3
    assert day_level_variance(levels([5, 5, 15, 15], [10, 10, 30, 30]), one) == pytest.approx(1 / 6)
    # hours that move apart (10/30 then 30/10) share no level: the estimate stops at zero
    assert day_level_variance(levels([10, 30], [30, 10]), np.zeros(2, dtype=int)) == 0.0
    # classes are compared within themselves: days 0 and 1 (levels 2/3 and 4/3 of their mean 15/30) are
    # one step of 2/3, (2/3)^2 / 2; the lone day of the other class has no step
    sums = levels([10, 20, 30], [20, 40, 60])
    assert day_level_variance(sums, np.array([0, 0, 1])) == pytest.approx((2 / 3) ** 2 / 2)


def test_a_ramp_is_a_trend_not_a_day_level():
    """Eleven days ramping 0.95 to 1.05 of the mean (hours 95..105 and 190..210): each step is 0.01 of the
    mean, so the day level's variance is 0.01^2 / 2 = 0.00005, where the spread about one mean (the
    ramp read as noise) is var(0, 1, ..., 10) x 0.01^2 = 11 x 0.0001 = 0.0011, 22 times as much."""
    ramp = levels(list(range(95, 106)), list(range(190, 211, 2)))
    assert day_level_variance(ramp, np.zeros(11, dtype=int)) == pytest.approx(0.00005)


def test_day_steps_pair_each_day_with_the_next_of_its_class():
    assert day_steps(np.array([0, 1, 0, 0, 1])).tolist() == [[0, 2], [2, 3], [1, 4]]
    assert day_steps(np.array([0, 1])).shape == (0, 2)


def limits_config(tmp_path, body: str) -> Config:
    p = tmp_path / "launchkit.toml"
    p.write_text(body)
    return load_config(p, env={})


def test_verdicts_against_the_projected_p99_minute(tmp_path):
    cfg = limits_config(
        tmp_path,
        "[capacity]\nheadroom = 0.2\n"
        '[capacity.limits."openai/gpt-4o"]\nrpm = 25\n'
        '[capacity.limits."OpenAI/GPT-4o-mini"]\nrpm = 50\n'
        '[capacity.limits."anthropic/claude"]\nrpm = 35\n',
    )
    frame = pool()

    load = PilotLoad(
        days=tuple(sorted(frame["day"].unique())),
        sessions_per_day=100.0,
        median_tenant_sessions_per_day=None,
        tenants=1,
        minutes={("openai", "gpt-4o"): frame, ("openai", "gpt-4o-mini"): frame, ("anthropic", "claude"): frame},
        turns_without_tokens={},
        peaks=pd.DataFrame(),
    )
    checks, unmatched = check_limits(load, cfg, 400.0, replicates=30)
    got = {c.limit.key: c.verdict for c in checks}
    # p99 minute 30: over 25 (FAIL); under 35 but past 35 x 0.8 = 28 (MARGINAL); under 50 x 0.8 = 40 (PASS)
    assert got == {"openai/gpt-4o": FAIL, "anthropic/claude": MARGINAL, "openai/gpt-4o-mini": PASS}
    assert unmatched == []
    few = check_limits(
        load,
        limits_config(tmp_path, '[capacity]\nmin_days = 8\n[capacity.limits."openai/gpt-4o"]\nrpm = 25\n'),
        400.0,
    )
    assert [c.verdict for c in few[0]] == [INSUFFICIENT]


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("[capacity.limits.gpt4]\nrpm = 5\n", 'capacity.limits."gpt4"'),
        ('[capacity.limits."openai/gpt-4o"]\nrps = 5\n', 'capacity.limits."openai/gpt-4o".rps'),
        ('[capacity.limits."openai/gpt-4o"]\nrpm = -5\n', 'capacity.limits."openai/gpt-4o".rpm'),
        ('[capacity.limits."openai/gpt-4o"]\ntpm = "lots"\n', 'capacity.limits."openai/gpt-4o".tpm'),
        ("[capacity]\nheadroom = 1.5\n", "capacity.headroom"),
        ("[capacity]\nwindow = 5\n", "capacity.window"),
    ],
)
def test_a_bad_limit_names_its_key(tmp_path, body, key):
    with pytest.raises(ConfigError) as err:
        limits_config(tmp_path, body)
    assert key in str(err.value)


def test_limits_are_read_case_blind_and_kept_in_order(tmp_path):
    cfg = limits_config(tmp_path, '[capacity.limits."Anthropic/Claude-Sonnet-4"]\notpm = 4e5\nitpm = 2000000\n')
    assert [(lim.key, lim.kind, lim.per_minute) for lim in cfg.capacity.limits] == [
        ("anthropic/claude-sonnet-4", "itpm", 2_000_000.0),
        ("anthropic/claude-sonnet-4", "otpm", 400_000.0),
    ]
    assert isinstance(cfg, ConfigModel)


@pytest.fixture(scope="module")
def pilot_file(tmp_path_factory):
    """A small synthetic pilot (7 days, 2 tenants) in a warehouse file."""
    from launchkit import synth
    from launchkit.contract import TABLES
    from launchkit.store.warehouse import Warehouse

    path = tmp_path_factory.mktemp("cap") / "pilot.duckdb"
    frames = synth.generate_frames(days=7, tenants=2, seed=3, sessions_per_hour=8).frames
    wh = Warehouse.open(path)
    for name in ("sessions", "turns"):
        cols = TABLES[name].column_names
        wh.con.register("_f", frames[name][cols])
        wh.execute(f"INSERT INTO {name} ({', '.join(cols)}, _load_id) SELECT {', '.join(cols)}, 0 FROM _f")
        wh.con.unregister("_f")
    wh.close()
    return path


@pytest.mark.slow
def test_the_command_names_the_binding_limit_and_plans_the_step(pilot_file, tmp_path):
    import json

    from click.testing import CliRunner

    from launchkit.cli import cli

    cfg = tmp_path / "launchkit.toml"
    cfg.write_text(
        "[ga]\nexpected_sessions_per_day = 2000\n"
        '[capacity.limits."openai/gpt-4o"]\nrpm = 3\n'  # the pilot's own busy minutes reach it: FAIL at 2000/day
        '[capacity.limits."anthropic/claude-3-5-sonnet"]\nrpm = 100000\n'
        '[capacity.limits."openai/o3"]\nrpm = 10\n'  # no such model in the pilot
    )
    res = CliRunner().invoke(cli, ["capacity", "--json", "--config", str(cfg), "--warehouse", str(pilot_file)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    verdicts = {(c["limit"], c["kind"]): c["verdict"] for c in out["limits"]}
    assert verdicts == {
        ("anthropic/claude-3-5-sonnet", "rpm"): "PASS",
        ("openai/gpt-4o", "rpm"): "FAIL",
        ("openai/o3", "rpm"): "INSUFFICIENT DATA",
    }
    assert out["verdict"] == "FAIL" and out["binding_limit"] == "openai/gpt-4o rpm"
    assert out["limits_without_traffic"] == ["openai/o3"]
    assert out["days_observed"] == 7 and out["target_sessions_per_day"] == 2000
    plan = out["expansion_plan"]
    assert plan["binding"] == "openai/gpt-4o rpm"
    assert plan["max_sessions_per_day"] < 2000
    # the text form says the same in words
    text = CliRunner().invoke(cli, ["capacity", "--config", str(cfg), "--warehouse", str(pilot_file)]).output
    assert "FAIL" in text and "openai/gpt-4o" in text and "binds first: openai/gpt-4o rpm" in text


def test_the_synthetic_provider_refuses_what_passes_its_limit_in_a_minute():
    """Four turns of model 0 in one minute and one in the next, a limit of 2 a minute: the third and fourth
    of the first minute fail with a rate-limit error and bill no output; model 1 has no limit."""
    from launchkit.synth.provider import rate_limit

    base = 1_000 * 60_000  # the start of a minute, in ms
    tu = {
        "start": np.array([base + 5, base + 1, base + 59_999, base + 30_000, base + 60_000, base + 2]),
        "model": np.array([0, 0, 0, 0, 0, 1]),
        "error": np.array([False, False, False, True, False, False]),
        "output_tokens": np.array([10, 20, 30, 0, 50, 60]),
    }
    rate_limit(tu, {0: 2})
    # model 0 in start order: base+1 (#1), base+5 (#2), base+30s (#3), base+59.999s (#4); base+60s is the next minute
    assert tu["rate_limited"].tolist() == [False, False, True, True, False, False]
    assert tu["error"].tolist() == [False, False, True, True, False, False]
    assert tu["output_tokens"].tolist() == [10, 20, 0, 0, 50, 60]


@pytest.mark.slow
def test_the_crunch_pilot_fits_but_ga_traffic_would_not():
    """The demo's pilot (healthy) fits the demo's tier at ga.expected_sessions_per_day; the capacity-crunch
    pilot (scheduled bursts) fits well enough for its criteria but fails the rate-limit check at GA, its
    binding limit named, while every data criterion passes."""
    from launchkit import synth
    from launchkit.analytics import criteria
    from launchkit.analytics.capacity import plan
    from launchkit.config import load_config
    from launchkit.contract import TABLES
    from launchkit.store.warehouse import Warehouse
    from launchkit.synth.parameters import DEMO_RATE_LIMITS, DEMO_SESSIONS_PER_HOUR, DEMO_START

    lines = []
    for key, limits in DEMO_RATE_LIMITS.items():
        lines += [f'[capacity.limits."{key}"]', *(f"{k} = {v}" for k, v in limits.items())]
    last = DEMO_START + timedelta(days=13)
    got = {}
    for scenario in ("healthy", "capacity-crunch"):
        frames = synth.generate_frames(
            days=14, seed=7, scenario=scenario, start=DEMO_START, sessions_per_hour=DEMO_SESSIONS_PER_HOUR
        ).frames
        wh = Warehouse.memory()
        for name in ("sessions", "turns", "tool_calls", "feedback", "incidents", "rollout"):
            cols = TABLES[name].column_names
            wh.con.register("_f", frames[name][cols])
            wh.execute(f"INSERT INTO {name} ({', '.join(cols)}, _load_id) SELECT {', '.join(cols)}, 0 FROM _f")
            wh.con.unregister("_f")
        cfg = load_config(env={}).with_overrides(**{"pilot.start": DEMO_START.isoformat()})
        cfg = Config(data={**cfg.data, **_toml_limits(lines)}, path=None, base_dir=cfg.base_dir)
        got[scenario] = (plan.report(wh, cfg, last, seed=0), criteria.evaluate(wh, last, cfg), frames["turns"])
        wh.close()
    healthy, crunch = got["healthy"][0], got["capacity-crunch"][0]
    assert healthy.verdict == "PASS", [c.reason for c in healthy.checks]
    assert crunch.verdict == "FAIL" and crunch.binding is not None
    assert crunch.binding.limit.kind == "rpm" and crunch.binding.verdict == "FAIL"
    # the crunch pilot's own bursts met the limit a few times: rate-limited turns it can see
    turns = got["capacity-crunch"][2]
    assert 0 < turns["error_type"].eq("rate_limit_exceeded").sum() < 0.005 * len(turns)
    assert got["healthy"][2]["error_type"].eq("rate_limit_exceeded").sum() == 0
    assert crunch.rate_limited["rate_limited"] > 0

    def verdicts(scenario: str) -> dict[str, str]:
        return {c["name"]: c["verdict"] for c in got[scenario][1].to_json()["criteria"] if c.get("applies", True)}

    # every data criterion says what the healthy pilot's says (unpriced here: cost ones lack data in both)
    assert verdicts("capacity-crunch") == verdicts("healthy")
    assert not {"FAIL", "MARGINAL"} & set(verdicts("capacity-crunch").values()), verdicts("capacity-crunch")


def _toml_limits(lines: list[str]) -> dict:
    import tomllib

    return tomllib.loads("\n".join(lines))


@pytest.fixture(scope="module")
def healthy_pilot(tmp_path_factory):
    """A healthy synthetic pilot (14 days, the default traffic) in a warehouse file."""
    from _tables import load_frames

    from launchkit import synth
    from launchkit.store.warehouse import Warehouse

    path = tmp_path_factory.mktemp("expand") / "pilot.duckdb"
    with Warehouse.open(path) as wh:
        load_frames(wh, synth.generate_frames(days=14, seed=11).frames)
    return path


@pytest.mark.slow
def test_an_expand_carries_the_expansion_plan_the_capacity_command_prints(healthy_pilot, tmp_path):
    import json

    from click.testing import CliRunner

    from launchkit.cli import cli

    cfg = tmp_path / "launchkit.toml"
    cfg.write_text(
        '[capacity.limits."openai/gpt-4o"]\nrpm = 40\n'  # the tight one: it binds first
        '[capacity.limits."anthropic/claude-3-5-sonnet"]\nrpm = 100000\n'
    )
    base = ["--config", str(cfg), "--warehouse", str(healthy_pilot)]
    day = "2026-03-15"
    res = CliRunner().invoke(cli, ["decide", "--date", day, "--json", "--no-store", *base])
    assert res.exit_code == 0, res.output
    dec = json.loads(res.output)
    assert dec["recommendation"] == "EXPAND", dec["reasons"]
    plan = dec["expansion_plan"]
    assert plan["verdict"] == "PASS" and plan["binding"] == "openai/gpt-4o rpm"
    assert plan["max_sessions_per_day"] > plan["current_sessions_per_day"] > 0
    # the reason says the step in words, with the plan's own numbers
    expand = next(r for r in dec["reasons"] if r["code"] == "ok")["message"]
    assert f"up to +{plan['step_tenants']} tenant" in expand
    assert f"{plan['max_sessions_per_day']:,.0f} sessions a day" in expand and "openai/gpt-4o rpm binds first" in expand
    # `launchkit capacity` as of the same day plans the same step
    cap = json.loads(CliRunner().invoke(cli, ["capacity", "--json", "--date", day, *base]).output)
    assert cap["expansion_plan"]["max_sessions_per_day"] == pytest.approx(plan["max_sessions_per_day"])
    # without limits there is nothing to plan against: no plan, the reason as before
    plain = json.loads(
        CliRunner()
        .invoke(
            cli,
            ["decide", "--date", day, "--json", "--no-store", "--config", "none", "--warehouse", str(healthy_pilot)],
        )
        .output
    )
    assert plain["expansion_plan"] is None
    assert next(r for r in plain["reasons"] if r["code"] == "ok")["message"] == (
        "no regression against the baseline and every critical criterion passes"
    )
