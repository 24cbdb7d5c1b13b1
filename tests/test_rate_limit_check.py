"""The hourly report's rate-limit check: the share of an hour's turns a provider refused for rate limits,
per provider and model, counted by hand on a tiny table, and on the capacity-crunch synthetic pilot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from _tables import insert

from launchkit.analytics import checks
from launchkit.config import load_config
from launchkit.config.capacity import parse
from launchkit.errors import ConfigError
from launchkit.window import Window

HOUR = datetime(2026, 3, 4, 10, tzinfo=UTC)


def _turns(n: int, provider: str, model: str, first: int, errors: dict[int, str]) -> list[dict]:
    """n turns spread over the hour; turn k (0-based) failed with errors[k] when listed."""
    return [
        {
            "turn_id": f"{model}-{first + k}",
            "session_id": "s1",
            "started_at": HOUR + timedelta(seconds=89 * k),
            "model": model,
            "provider": provider,
            "status": "error" if k in errors else "ok",
            "error_type": errors.get(k),
        }
        for k in range(n)
    ]


@pytest.fixture
def tiny(con):
    insert(con, "sessions", [{"session_id": "s1", "tenant_id": "A", "started_at": HOUR}])
    rows = (
        # 40 turns of gpt-4o: 3 refused for rate limits (three spellings), 2 failed otherwise (not counted)
        _turns(
            40,
            "openai",
            "gpt-4o",
            0,
            {3: "429", 9: "rate_limit_exceeded", 17: "RateLimitError", 20: "timeout", 21: "APIConnectionError"},
        )
        # 40 of claude: 20 refused (Anthropic's rate_limit_error)
        + _turns(40, "anthropic", "claude-sonnet-4", 0, {k: "rate_limit_error" for k in range(0, 40, 2)})
        # 5 of gemini, none refused: too few to say the hour was good
        + _turns(5, "google", "gemini-2.0-flash", 0, {})
    )
    rows.append(  # refused, but in the next hour: not this hour's
        {**rows[0], "turn_id": "late", "started_at": HOUR + timedelta(hours=1), "status": "error", "error_type": "429"}
    )
    insert(con, "turns", rows)
    return con


def test_three_of_forty_refused_is_a_watch_with_its_interval_and_sample(tiny, config):
    got: dict[str, Any] = {r["check"]: r for r in checks.rate_limits(tiny, Window.hour(HOUR, tz=UTC), config)}
    assert list(got) == [
        "rate_limited:anthropic/claude-sonnet-4",
        "rate_limited:google/gemini-2.0-flash",
        "rate_limited:openai/gpt-4o",
    ]
    gpt = got["rate_limited:openai/gpt-4o"]
    # 3/40 = 0.075; Wilson 95 % by hand: centre (0.075 + 1.96²/80) / (1 + 1.96²/40) = 0.11224,
    # half-width 1.96·sqrt(0.075·0.925/40 + 1.96²/6400) / 1.09604 = 0.08641
    assert gpt["value"] == 0.075 and gpt["n"] == 40
    assert gpt["interval"]["low"] == pytest.approx(0.02583, abs=1e-4)
    assert gpt["interval"]["high"] == pytest.approx(0.19865, abs=1e-4)
    assert (gpt["pass"], gpt["marginal"], gpt["min_sample"]) == (0.01, 0.05, 20)  # the defaults
    # above the pass share, not surely above the fail share: watch, not a page
    assert gpt["status"] == "watch" and gpt["verdict"] == "INSUFFICIENT DATA"
    assert gpt["note"] == "openai/gpt-4o: 3 of 40 turns refused for rate limits"
    claude = got["rate_limited:anthropic/claude-sonnet-4"]
    # 20/40: Wilson centre 0.5, half-width 1.96·sqrt(0.25/40 + 1.96²/6400) / 1.09604 = 0.14801, so the
    # low end 0.35199 > 0.05: surely above the fail share
    assert claude["value"] == 0.5 and claude["interval"]["low"] == pytest.approx(0.35199, abs=1e-4)
    assert claude["status"] == "breach" and claude["verdict"] == "FAIL"
    gemini = got["rate_limited:google/gemini-2.0-flash"]
    assert gemini["value"] == 0.0 and gemini["n"] == 5 and gemini["status"] == checks.LOW_SAMPLE
    assert gemini["note"].startswith("low sample: 5 of 20 needed")


def test_the_hourly_checks_carry_it_before_the_blindness_checks(tiny, config):
    names = [r["check"] for r in checks.checks(tiny, Window.hour(HOUR, tz=UTC), config)]
    assert names[-5:] == [
        "rate_limited:anthropic/claude-sonnet-4",
        "rate_limited:google/gemini-2.0-flash",
        "rate_limited:openai/gpt-4o",
        "data_arrived",
        "data_fresh",
    ]


def test_an_hour_without_turns_has_no_share(tiny, config):
    assert checks.rate_limits(tiny, Window.hour(HOUR - timedelta(hours=5), tz=UTC), config) == []


def test_the_thresholds_come_from_config(tiny, config):
    strict = config.with_overrides(
        **{"capacity.rate_limited_pass": 0.0, "capacity.rate_limited_fail": 0.02, "capacity.rate_limited_min_sample": 3}
    )
    got: dict[str, Any] = {r["check"]: r for r in checks.rate_limits(tiny, Window.hour(HOUR, tz=UTC), strict)}
    assert got["rate_limited:openai/gpt-4o"]["status"] == "breach"  # low 0.0258 > 0.02
    assert got["rate_limited:google/gemini-2.0-flash"]["status"] == "ok"  # 5 >= 3 turns, none refused


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"rate_limited_pass": 0.05, "rate_limited_fail": 0.01}, "must be at least capacity.rate_limited_pass"),
        ({"rate_limited_pass": -0.1}, "must be >= 0"),
        ({"rate_limited_fail": 1.5}, "must be <= 1"),
        ({"rate_limited_min_sample": 0}, "must be a whole number >= 1"),
        ({"rate_limited_pass": "1%"}, "must be a number"),
    ],
)
def test_the_thresholds_are_validated_at_load(section, message):
    with pytest.raises(ConfigError, match=message):
        parse({"capacity": section})
    defaults = parse({})
    assert (defaults.rate_limited_pass, defaults.rate_limited_fail, defaults.rate_limited_min_sample) == (
        0.01,
        0.05,
        20,
    )


def _synthetic(scenario: str, days: int):
    from launchkit import synth
    from launchkit.contract import TABLES
    from launchkit.store.warehouse import Warehouse
    from launchkit.synth.parameters import DEMO_SESSIONS_PER_HOUR, DEMO_START

    frames = synth.generate_frames(
        days=days, seed=7, scenario=scenario, start=DEMO_START, sessions_per_hour=DEMO_SESSIONS_PER_HOUR
    ).frames
    wh = Warehouse.memory()
    for name in ("sessions", "turns"):
        cols = TABLES[name].column_names
        wh.con.register("_f", frames[name][cols])
        wh.execute(f"INSERT INTO {name} ({', '.join(cols)}, _load_id) SELECT {', '.join(cols)}, 0 FROM _f")
        wh.con.unregister("_f")
    return wh, frames["turns"]


def test_the_crunch_pilots_refused_turns_show_in_their_hour_and_the_healthy_pilots_none():
    """The capacity-crunch pilot's bursts meet the provider's per-minute limit: the hour with the most
    refused turns (found with pandas) shows them, per model, as the pandas count; the healthy pilot's
    same hour refuses none."""
    config = load_config(env={})
    wh, turns = _synthetic("capacity-crunch", 3)
    refused = turns[turns["error_type"].eq("rate_limit_exceeded")]
    assert len(refused), "the crunch pilot refuses some turns"
    hour = refused["started_at"].dt.floor("h").value_counts().idxmax().to_pydatetime()
    in_hour = turns[turns["started_at"].dt.floor("h") == hour]
    oracle = in_hour.groupby(["provider", "model"]).agg(
        turns=("turn_id", "size"), refused=("error_type", lambda s: int(s.eq("rate_limit_exceeded").sum()))
    )
    got: dict[str, Any] = {r["check"]: r for r in checks.rate_limits(wh, Window.hour(hour, tz=UTC), config)}
    assert sorted(got) == sorted(f"rate_limited:{p}/{m}" for p, m in oracle.index)
    for (p, m), row in oracle.iterrows():
        r = got[f"rate_limited:{p}/{m}"]
        assert r["n"] == row["turns"] and r["value"] == pytest.approx(row["refused"] / row["turns"])
    worst = max(got.values(), key=lambda r: r["value"])
    assert worst["status"] in ("watch", "breach"), worst
    wh.close()
    wh, turns = _synthetic("healthy", 3)
    assert not turns["error_type"].eq("rate_limit_exceeded").any()
    healthy = checks.rate_limits(wh, Window.hour(hour, tz=UTC), config)
    assert healthy and all(r["value"] == 0 and r["status"] in ("ok", checks.LOW_SAMPLE) for r in healthy)
    wh.close()


def test_the_hourly_table_names_each_model_s_rate_limit_check():
    from launchkit.reports.page import widgets

    rows = [
        {"check": "rate_limited:openai/gpt-4o", "metric": "rate_limited_share", "unit": "%", "status": "ok", "n": 40},
        {"check": "tool_success", "metric": "tool_call_success_rate", "unit": "%", "status": "ok", "n": 40},
    ]
    text = widgets.verdict_table(rows).text
    assert "Turns refused for rate limits: openai/gpt-4o" in text and "Tool-call success" in text
