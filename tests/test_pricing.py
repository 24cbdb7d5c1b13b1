"""Cost from tokens: known answers at dates where a list price changed, unknown models, overrides, the view.

Known answers are worked out by hand from the vendors' published per-million-token prices:
  o3 (OpenAI): $10 in / $40 out until 2025-06-09, $2 / $8 from 2025-06-10 (the June 2025 price cut).
  mistral-small-latest: $0.10 / $0.30 until 2026-03-15, $0.15 / $0.60 from 2026-03-16.
  claude-sonnet-4-6: $3 / $15; until 2026-03-12 a prompt over 200k input tokens paid $6 / $22.50 for all
  its tokens, from 2026-03-13 the flat price applies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from launchkit.analytics import pricing
from launchkit.errors import ConfigError

TURN_SQL = (
    "INSERT INTO turns (turn_id, session_id, started_at, model, status, latency_ms, ttft_ms, input_tokens, "
    "output_tokens, cost_usd, _load_id) VALUES (?, 's1', ?, ?, 'ok', 1000, NULL, ?, ?, ?, 0)"
)


def add_turn(con, turn_id, at, model, tin, tout, cost=None):
    con.execute(TURN_SQL, [turn_id, at, model, tin, tout, cost])


def priced(con) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in con.execute("SELECT turn_id, cost_usd, reported_cost_usd, cost_source FROM turns_priced").fetchall()
    }


KNOWN = [
    # turn, time (UTC), model, input tokens, output tokens, expected USD
    ("o3-before", "2025-06-09T23:59:00Z", "o3", 1000, 500, (1000 * 10 + 500 * 40) / 1e6),  # 0.03
    ("o3-after", "2025-06-10T00:01:00Z", "o3", 1000, 500, (1000 * 2 + 500 * 8) / 1e6),  # 0.006
    ("ms-before", "2026-03-15T12:00:00Z", "mistral-small-latest", 1_000_000, 1_000_000, 0.10 + 0.30),
    ("ms-after", "2026-03-16T12:00:00Z", "mistral-small-latest", 1_000_000, 1_000_000, 0.15 + 0.60),
    ("ms-litellm-style", "2026-03-16T12:00:00Z", "mistral/mistral-small-latest", 1_000_000, 0, 0.15),
    ("sonnet-tier", "2026-03-12T10:00:00Z", "claude-sonnet-4-6", 300_000, 1000, 0.3 * 6 + 0.001 * 22.5),
    ("sonnet-small", "2026-03-12T10:00:00Z", "claude-sonnet-4-6", 100_000, 1000, 0.1 * 3 + 0.001 * 15),
    ("sonnet-flat", "2026-03-13T10:00:00Z", "claude-sonnet-4-6", 300_000, 1000, 0.3 * 3 + 0.001 * 15),
]


def test_known_prices_at_dates_where_the_price_changed(con, config):
    for turn_id, at, model, tin, tout, _ in KNOWN:
        add_turn(con, turn_id, at, model, tin, tout)
    done = pricing.refresh(con, config)
    assert done["unknown_models"] == [] and done["priced_by_library"] == 7
    got = priced(con)
    for turn_id, at, model, tin, tout, expected in KNOWN:
        cost, reported, source = got[turn_id]
        assert cost == pytest.approx(expected, rel=1e-12), turn_id
        assert (reported, source) == (None, "computed")
        # the Python oracle applies the same rule
        assert pricing.price_turn(model, datetime.fromisoformat(at), tin, tout) == pytest.approx(expected, rel=1e-12)


def test_unknown_model_is_unpriced_not_free(con, config):
    add_turn(con, "x", "2026-03-02T10:00:00Z", "acme-internal-llm-v2", 1000, 100)
    add_turn(con, "y", "2026-03-02T10:00:00Z", "gpt-4o", None, 100)  # known model, no input count
    add_turn(con, "z", "2026-03-02T10:00:00Z", "gpt-4o", 1000, 100, 0.5)
    pricing.refresh(con, config)
    got = priced(con)
    assert got["x"] == (None, None, None)
    assert got["y"] == (None, None, None)
    assert got["z"] == (0.5, 0.5, "reported")
    cov = pricing.coverage(con)
    assert (cov["turns"], cov["reported"], cov["computed"], cov["unpriced"]) == (3, 1, 0, 2)
    assert (cov["unpriced_unknown_model"], cov["unpriced_missing_tokens"]) == (1, 1)
    assert cov["unpriced_share"] == pytest.approx(2 / 3)
    assert cov["unpriced_models"] == [
        {"model": "acme-internal-llm-v2", "turns": 1, "reason": "unknown model"},
        {"model": "gpt-4o", "turns": 1, "reason": "missing token counts"},
    ]
    # the sum a metric shows leaves unpriced turns out (NULL), it does not count them as 0 cost
    assert con.execute("SELECT sum(cost_usd), count(cost_usd) FROM turns_priced").fetchall() == [(0.5, 1)]


def test_turns_loaded_after_the_last_refresh_are_reported_as_not_refreshed(con, config):
    add_turn(con, "a", "2026-03-02T10:00:00Z", "gpt-4o", 1000, 100)
    cov = pricing.coverage(con)
    assert (cov["unpriced"], cov["unpriced_not_refreshed"]) == (1, 1)
    pricing.refresh(con, config)
    assert pricing.coverage(con)["computed"] == 1


def test_overrides_apply_and_can_replace_reported_costs(con, config):
    cfg = config.with_overrides(
        **{
            "pricing.overrides": {
                "gpt-4o": {"input_per_mtok": 2.0, "output_per_mtok": 8.0},
                "acme-internal-llm-v2": {"input_per_mtok": 1.0, "output_per_mtok": 1.0, "vendor": "Acme"},
                "gpt-4o-mini": {"input_per_mtok": 0.1, "output_per_mtok": 0.4, "replace_reported": True},
            }
        }
    )
    add_turn(con, "a", "2026-03-02T10:00:00Z", "gpt-4o", 1000, 500)
    add_turn(con, "b", "2026-03-02T10:00:00Z", "gpt-4o", 1000, 500, 0.25)  # reported wins by default
    add_turn(con, "c", "2026-03-02T10:00:00Z", "acme-internal-llm-v2", 1_000_000, 1_000_000)
    add_turn(con, "d", "2026-03-02T10:00:00Z", "gpt-4o-mini", 1_000_000, 1_000_000, 9.99)
    pricing.refresh(con, cfg)
    got = priced(con)
    assert got["a"] == (pytest.approx((1000 * 2 + 500 * 8) / 1e6), None, "override")
    assert got["b"] == (0.25, 0.25, "reported")
    assert got["c"] == (pytest.approx(2.0), None, "override")
    assert got["d"] == (pytest.approx(0.5), 9.99, "override")
    assert pricing.vendor_for("acme-internal-llm-v2", cfg) == "acme"
    assert pricing.vendor_for("gpt-4o") == "openai"
    # loaded rows are never changed: turns still holds what the telemetry reported
    assert con.execute("SELECT turn_id, cost_usd FROM turns ORDER BY 1").fetchall() == [
        ("a", None),
        ("b", 0.25),
        ("c", None),
        ("d", 9.99),
    ]
    # refresh is idempotent
    before = con.execute(
        "SELECT model, day, above_input_tokens, source, input_per_mtok FROM model_prices ORDER BY ALL"
    ).fetchall()
    pricing.refresh(con, cfg)
    assert (
        con.execute(
            "SELECT model, day, above_input_tokens, source, input_per_mtok FROM model_prices ORDER BY ALL"
        ).fetchall()
        == before
    )


@pytest.mark.parametrize(
    "body, key",
    [
        ({"gpt-4o": {"input_per_mtok": 2.0}}, 'pricing.overrides."gpt-4o".output_per_mtok'),
        ({"gpt-4o": {"input_per_mtok": -1, "output_per_mtok": 1}}, 'pricing.overrides."gpt-4o".input_per_mtok'),
        ({"gpt-4o": {"input_per_mtok": "2", "output_per_mtok": 1}}, 'pricing.overrides."gpt-4o".input_per_mtok'),
        ({"gpt-4o": {"input_per_mtok": 1, "output_per_mtok": 1, "cached": 1}}, 'pricing.overrides."gpt-4o".cached'),
        (
            {"gpt-4o": {"input_per_mtok": 1, "output_per_mtok": 1, "replace_reported": "yes"}},
            'pricing.overrides."gpt-4o".replace_reported',
        ),
        ({"gpt-4o": 2.0}, 'pricing.overrides."gpt-4o"'),
    ],
)
def test_bad_overrides_name_the_key_when_the_config_is_built(config, body, key):
    with pytest.raises(ConfigError) as exc:
        config.with_overrides(**{"pricing.overrides": body})
    assert exc.value.key == key


def test_unknown_pricing_key_is_refused(config):
    with pytest.raises(ConfigError, match="pricing.rates"):
        config.with_overrides(**{"pricing.rates": {}})


def test_the_view_keeps_the_contract_columns(con):
    cols = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('turns_priced')").fetchall()]
    turns = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('turns')").fetchall() if r[0] != "_load_id"]
    assert cols == turns + [
        "reported_cost_usd",
        "cost_source",
        "price_model",
        "price_provider",
        "price_source",
        "vendor",
        "latency_flag",
    ]


def test_library_price_has_the_provider_as_vendor():
    lp = pricing.library_price("claude-sonnet-4-6", date(2026, 3, 12))
    assert lp is not None and lp.vendor == "anthropic"
    assert [(t.above_input_tokens, t.input_per_mtok, t.output_per_mtok) for t in lp.tiers] == [
        (-1, 3.0, 15.0),
        (200_000, 6.0, 22.5),
    ]
    assert pricing.library_price("acme-internal-llm-v2", date(2026, 3, 12)) is None
    assert pricing.price_turn("o3", datetime(2025, 6, 10, tzinfo=UTC), None, 5) is None
