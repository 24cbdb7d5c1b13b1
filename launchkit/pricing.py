"""Cost from tokens: list prices from the genai-prices library (offline), negotiated overrides from config.

Loaded turns are never changed: `turns.cost_usd` stays what the telemetry reported. `refresh` writes
the `model_prices` table for every (model, UTC day) the turns use, and the `turns_priced` view
(queries/migrations/003_pricing) prices the turns that arrived without a cost:

    cost_usd = reported, else override price, else library price at the turn's day, from its tokens;
    NULL when the model is unknown or a token count is missing (unpriced, never 0).

An override can also replace a reported cost (`replace_reported = true`). Call `refresh` after each
ingest (and after changing [pricing] in launchkit.toml). docs/pricing.md explains the choice of
library and every rule.

Config (validated here, ConfigError naming the key):

    [pricing.overrides."gpt-4o"]
    input_per_mtok = 2.0        # USD per million input tokens (required)
    output_per_mtok = 8.0       # USD per million output tokens (required)
    vendor = "openai"           # optional: the vendor for reconciliation (default: the library's)
    replace_reported = false    # optional: also replace costs the telemetry reported
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Any

import duckdb
import pandas as pd

from launchkit import warehouse
from launchkit.config import Config
from launchkit.errors import ConfigError

LIBRARY = "genai-prices"
_OVERRIDE_KEYS = {"input_per_mtok", "output_per_mtok", "vendor", "replace_reported"}
_PRICING_KEYS = {"overrides"}
# Prices are looked up at noon UTC of the turn's day: date-based price changes apply per UTC day;
# the rare time-of-day (off-peak) prices are approximated by the noon price (docs/pricing.md).
_PRICE_TIME = time(12, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Override:
    """A negotiated price for one model, from [pricing.overrides."model"]."""

    model: str
    input_per_mtok: float
    output_per_mtok: float
    vendor: str | None = None
    replace_reported: bool = False


@dataclass(frozen=True)
class Tier:
    """Per-million-token prices that apply when a turn's input tokens exceed `above_input_tokens` (-1: always)."""

    above_input_tokens: int
    input_per_mtok: float
    output_per_mtok: float


@dataclass(frozen=True)
class LibraryPrice:
    """What genai-prices knows about a model on a day."""

    vendor: str
    library_model: str
    tiers: tuple[Tier, ...]  # base first (above_input_tokens = -1)


def overrides(config: Config) -> dict[str, Override]:
    """The [pricing.overrides] of the config, validated; ConfigError names the offending key."""
    section = config.get("pricing") or {}
    if not isinstance(section, dict):
        raise ConfigError("pricing", "must be a table")
    unknown = set(section) - _PRICING_KEYS
    if unknown:
        raise ConfigError(f"pricing.{sorted(unknown)[0]}", "unknown key (known: overrides)")
    table = section.get("overrides") or {}
    if not isinstance(table, dict):
        raise ConfigError("pricing.overrides", "must be a table of models")
    out: dict[str, Override] = {}
    for model, body in table.items():
        where = f'pricing.overrides."{model}"'
        if not isinstance(body, dict):
            raise ConfigError(where, "must be a table with input_per_mtok and output_per_mtok")
        extra = set(body) - _OVERRIDE_KEYS
        if extra:
            raise ConfigError(f"{where}.{sorted(extra)[0]}", f"unknown key (known: {', '.join(sorted(_OVERRIDE_KEYS))})")
        prices = {}
        for key in ("input_per_mtok", "output_per_mtok"):
            if key not in body:
                raise ConfigError(f"{where}.{key}", "is required (USD per million tokens)")
            value = body[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
                raise ConfigError(f"{where}.{key}", f"must be a number >= 0, got {value!r}")
            prices[key] = float(value)
        vendor = body.get("vendor")
        if vendor is not None and (not isinstance(vendor, str) or not vendor.strip()):
            raise ConfigError(f"{where}.vendor", f"must be a vendor name, got {vendor!r}")
        replace = body.get("replace_reported", False)
        if not isinstance(replace, bool):
            raise ConfigError(f"{where}.replace_reported", f"must be true or false, got {replace!r}")
        out[model] = Override(model, prices["input_per_mtok"], prices["output_per_mtok"],
                              vendor.strip().lower() if vendor else None, replace)
    return out


def _candidates(model: str) -> list[tuple[str, str | None]]:
    """(model_ref, provider_id) lookups to try: as given, 'vendor/model' (litellm style), a path's last part."""
    out: list[tuple[str, str | None]] = [(model, None)]
    if "/" in model:
        prefix, _, rest = model.partition("/")
        out.append((rest, prefix))
        out.append((model.rsplit("/", 1)[1], None))
    return out


@lru_cache(maxsize=4096)
def _find(model: str) -> tuple[Any, Any] | None:
    from genai_prices import data_snapshot

    snap = data_snapshot.get_snapshot()
    for ref, provider in _candidates(model.strip()):
        if not ref:
            continue
        try:
            return snap.find_provider_model(ref, None, provider, None)
        except LookupError:
            continue
    return None


def library_version() -> str:
    import genai_prices

    return str(genai_prices.__version__)


def library_price(model: str, day: date) -> LibraryPrice | None:
    """The list price genai-prices has for `model` on UTC `day`, or None when it does not know the model."""
    found = _find(model)
    if found is None:
        return None
    from genai_prices import types

    provider, info = found
    price = info.get_prices(datetime.combine(day, _PRICE_TIME))
    inp, outp = getattr(price, "input_mtok", None), getattr(price, "output_mtok", None)
    if inp is None or outp is None:
        return None  # not priced per token (e.g. per page or per request)

    def base(v: Any) -> Decimal:
        return v.base if isinstance(v, types.TieredPrices) else v

    starts = sorted({t.start for v in (inp, outp) if isinstance(v, types.TieredPrices) for t in v.tiers})

    def at(v: Any, start: int) -> Decimal:
        if not isinstance(v, types.TieredPrices):
            return v
        chosen = v.base
        for t in v.tiers:  # sorted ascending
            if start >= t.start:
                chosen = t.price
        return chosen

    tiers = [Tier(-1, float(base(inp)), float(base(outp)))]
    tiers += [Tier(int(s), float(at(inp, s)), float(at(outp, s))) for s in starts]
    return LibraryPrice(vendor=str(provider.id).lower(), library_model=str(info.id), tiers=tuple(tiers))


def vendor_for(model: str, config: Config | None = None) -> str | None:
    """The vendor of a model: the override's vendor, else genai-prices' provider id (e.g. 'openai')."""
    if config is not None:
        ov = overrides(config).get(model)
        if ov is not None and ov.vendor:
            return ov.vendor
    found = _find(model)
    return None if found is None else str(found[0].id).lower()


def price_turn(model: str, when: datetime | date, input_tokens: int | None, output_tokens: int | None,
               config: Config | None = None) -> float | None:
    """Cost in USD of one turn from its tokens (override, else list price at its UTC day); None if unknown.

    The same rule the turns_priced view applies, for callers outside SQL and as a test oracle.
    """
    if input_tokens is None or output_tokens is None:
        return None
    ov = overrides(config).get(model) if config is not None else None
    if ov is not None:
        return (input_tokens * ov.input_per_mtok + output_tokens * ov.output_per_mtok) / 1e6
    day = when.astimezone(timezone.utc).date() if isinstance(when, datetime) else when
    lp = library_price(model, day)
    if lp is None:
        return None
    tier = lp.tiers[0]
    for t in lp.tiers:
        if input_tokens > t.above_input_tokens:
            tier = t
    return (input_tokens * tier.input_per_mtok + output_tokens * tier.output_per_mtok) / 1e6


def price_rows(pairs: list[tuple[str, date]], config: Config) -> pd.DataFrame:
    """model_prices rows for (model, day) pairs: override, else library tiers, else one 'unknown' row."""
    ovs = overrides(config)
    version = library_version()
    now = datetime.now(timezone.utc)
    rows: list[dict[str, Any]] = []
    for model, day in pairs:
        ov = ovs.get(model)
        lp = library_price(model, day)
        if ov is not None:
            rows.append(dict(model=model, day=day, above_input_tokens=-1, source="override",
                             vendor=ov.vendor or (lp.vendor if lp else None), input_per_mtok=ov.input_per_mtok,
                             output_per_mtok=ov.output_per_mtok, replace_reported=ov.replace_reported,
                             library_model=lp.library_model if lp else None, library_version=None,
                             refreshed_at=now))
        elif lp is not None:
            for t in lp.tiers:
                rows.append(dict(model=model, day=day, above_input_tokens=t.above_input_tokens, source="library",
                                 vendor=lp.vendor, input_per_mtok=t.input_per_mtok, output_per_mtok=t.output_per_mtok,
                                 replace_reported=False, library_model=lp.library_model, library_version=version,
                                 refreshed_at=now))
        else:
            rows.append(dict(model=model, day=day, above_input_tokens=-1, source="unknown", vendor=None,
                             input_per_mtok=None, output_per_mtok=None, replace_reported=False, library_model=None,
                             library_version=version, refreshed_at=now))
    columns = ["model", "day", "above_input_tokens", "source", "vendor", "input_per_mtok", "output_per_mtok",
               "replace_reported", "library_model", "library_version", "refreshed_at"]
    return pd.DataFrame(rows, columns=columns)


def refresh(con: duckdb.DuckDBPyConnection, config: Config) -> dict[str, Any]:
    """Rewrite model_prices for every (model, UTC day) in turns; one transaction. Returns what it did.

    Call it after each ingest and after a change to [pricing] (outside any open transaction).
    """
    ovs = overrides(config)  # validate before touching anything
    pairs = [(m, d) for m, d in warehouse.run(con, "pricing/model_days").fetchall()]
    df = price_rows(pairs, config)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM model_prices")
        if len(df):
            con.register("_lk_model_prices", df)
            try:
                con.execute(
                    "INSERT INTO model_prices (model, day, above_input_tokens, source, vendor, input_per_mtok, "
                    "output_per_mtok, replace_reported, library_model, library_version, refreshed_at) "
                    "SELECT model, CAST(day AS DATE), CAST(above_input_tokens AS BIGINT), source, vendor, "
                    "CAST(input_per_mtok AS DOUBLE), CAST(output_per_mtok AS DOUBLE), replace_reported, "
                    "library_model, library_version, refreshed_at FROM _lk_model_prices"
                )
            finally:
                con.unregister("_lk_model_prices")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    base = df[df["above_input_tokens"] == -1] if len(df) else df
    unknown = sorted(set(base.loc[base["source"] == "unknown", "model"])) if len(df) else []
    return {
        "pairs": len(pairs),
        "models": len({m for m, _ in pairs}),
        "priced_by_library": int((base["source"] == "library").sum()) if len(df) else 0,
        "priced_by_override": int((base["source"] == "override").sum()) if len(df) else 0,
        "unknown_models": unknown,
        "overrides": sorted(ovs),
        "library": f"{LIBRARY} {library_version()}",
    }


def coverage(con: duckdb.DuckDBPyConnection, start: datetime | None = None,
             end: datetime | None = None) -> dict[str, Any]:
    """Data-quality figure for cost: turns by cost source, unpriced turns and the models behind them.

    Window [start, end) on started_at; None means open. unpriced_share is None when there are no turns.
    """
    params = {"start": start, "end": end}
    row = warehouse.run(con, "pricing/coverage", params).fetchall()[0]
    turns, reported, override, computed, unpriced, unknown_model, no_tokens, not_refreshed = (int(v or 0) for v in row)
    models = warehouse.run(con, "pricing/unpriced_models", params).df()
    return {
        "turns": turns,
        "reported": reported,
        "override": override,
        "computed": computed,
        "unpriced": unpriced,
        "unpriced_share": (unpriced / turns) if turns else None,
        "unpriced_unknown_model": unknown_model,
        "unpriced_missing_tokens": no_tokens,
        "unpriced_not_refreshed": not_refreshed,
        "unpriced_models": [
            {"model": r.model, "turns": int(r.turns), "reason": r.reason} for r in models.itertuples(index=False)
        ],
    }
