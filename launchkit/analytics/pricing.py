"""Cost from tokens: list prices from the genai-prices library (offline), negotiated overrides from config.

Loaded turns are never changed: `turns.cost_usd` stays what the telemetry reported. `refresh` writes
the `model_prices` table for every (model, UTC day) the turns use, and the `turns_priced` fragment
(queries/fragments/turns_priced.sql) prices the turns that arrived without a cost:

    cost_usd = reported, else override price, else library price at the turn's day, from its tokens;
    NULL when the model is unknown or a token count is missing (unpriced, never 0).

An override can also replace a reported cost (`replace_reported = true`). The load job
(launchkit.jobs.load) calls `refresh` when `needs_refresh` says so: a (model, day) without a price,
or prices computed from another library version or other overrides. docs/pricing.md explains the
choice of library and every rule.

Config (launchkit.config.pricing validates it):

    [pricing.overrides."gpt-4o"]
    input_per_mtok = 2.0        # USD per million input tokens (required)
    output_per_mtok = 8.0       # USD per million output tokens (required)
    vendor = "openai"           # optional: the vendor for reconciliation (default: the library's)
    replace_reported = false    # optional: also replace costs the telemetry reported
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pandas as pd

from launchkit.config import Config
from launchkit.store.runner import QueryRunner, Warehouse

LIBRARY = "genai-prices"
# Prices are looked up at noon UTC of the turn's day: date-based price changes apply per UTC day;
# the rare time-of-day (off-peak) prices are approximated by the noon price (docs/pricing.md).
_PRICE_TIME = time(12, 0, tzinfo=UTC)


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
        ov = config.pricing_overrides.get(model)
        if ov is not None and ov.vendor:
            return ov.vendor
    found = _find(model)
    return None if found is None else str(found[0].id).lower()


def price_turn(
    model: str, when: datetime | date, input_tokens: int | None, output_tokens: int | None, config: Config | None = None
) -> float | None:
    """Cost in USD of one turn from its tokens (override, else list price at its UTC day); None if unknown.

    The same rule the turns_priced view applies, for callers outside SQL and as a test oracle.
    """
    if input_tokens is None or output_tokens is None:
        return None
    ov = config.pricing_overrides.get(model) if config is not None else None
    if ov is not None:
        return (input_tokens * ov.input_per_mtok + output_tokens * ov.output_per_mtok) / 1e6
    day = when.astimezone(UTC).date() if isinstance(when, datetime) else when
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
    ovs = config.pricing_overrides
    version = library_version()
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for model, day in pairs:
        ov = ovs.get(model)
        lp = library_price(model, day)
        if ov is not None:
            rows.append(
                dict(
                    model=model,
                    day=day,
                    above_input_tokens=-1,
                    source="override",
                    vendor=ov.vendor or (lp.vendor if lp else None),
                    input_per_mtok=ov.input_per_mtok,
                    output_per_mtok=ov.output_per_mtok,
                    replace_reported=ov.replace_reported,
                    library_model=lp.library_model if lp else None,
                    library_version=None,
                    refreshed_at=now,
                )
            )
        elif lp is not None:
            for t in lp.tiers:
                rows.append(
                    dict(
                        model=model,
                        day=day,
                        above_input_tokens=t.above_input_tokens,
                        source="library",
                        vendor=lp.vendor,
                        input_per_mtok=t.input_per_mtok,
                        output_per_mtok=t.output_per_mtok,
                        replace_reported=False,
                        library_model=lp.library_model,
                        library_version=version,
                        refreshed_at=now,
                    )
                )
        else:
            rows.append(
                dict(
                    model=model,
                    day=day,
                    above_input_tokens=-1,
                    source="unknown",
                    vendor=None,
                    input_per_mtok=None,
                    output_per_mtok=None,
                    replace_reported=False,
                    library_model=None,
                    library_version=version,
                    refreshed_at=now,
                )
            )
    columns = [
        "model",
        "day",
        "above_input_tokens",
        "source",
        "vendor",
        "input_per_mtok",
        "output_per_mtok",
        "replace_reported",
        "library_model",
        "library_version",
        "refreshed_at",
    ]
    return pd.DataFrame(rows, columns=columns)


def state_digest(config: Config) -> str:
    """What prices are computed from: the library's version and the configured overrides, as a digest."""
    blob = json.dumps(
        {
            "library": library_version(),
            "overrides": {m: asdict(o) for m, o in sorted(config.pricing_overrides.items())},
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def needs_refresh(db: QueryRunner, config: Config) -> bool:
    """Whether some (model, day) of the turns has no price yet, or prices came from another library or overrides."""
    if db.one("pricing/missing_pairs")["missing"]:
        return True
    return db.one("pricing/state")["digest"] != state_digest(config)


def refresh(wh: Warehouse, config: Config) -> dict[str, Any]:
    """Rewrite model_prices for every (model, UTC day) in turns; one transaction. Returns what it did.

    Call it outside any open transaction (the load job does, when needs_refresh says so).
    """
    ovs = config.pricing_overrides
    pairs = [(m, d) for m, d in wh.rows("pricing/model_days")]
    df = price_rows(pairs, config)
    columns = {
        c: [None if pd.isna(v) else v for v in df[c].tolist()]
        for c in (
            "model",
            "day",
            "above_input_tokens",
            "source",
            "vendor",
            "input_per_mtok",
            "output_per_mtok",
            "replace_reported",
            "library_model",
            "library_version",
        )
    }
    wh.execute("BEGIN TRANSACTION")
    try:
        wh.write("pricing/clear_prices")
        if len(df):
            wh.write("pricing/insert_prices", columns)
        wh.write("pricing/set_state", {"digest": state_digest(config)})
        wh.execute("COMMIT")
    except BaseException:
        wh.execute("ROLLBACK")
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


def coverage(db: QueryRunner, start: datetime | None = None, end: datetime | None = None) -> dict[str, Any]:
    """Data-quality figure for cost: turns by cost source, unpriced turns and the models behind them.

    Window [start, end) on started_at; None means open. unpriced_share is None when there are no turns.
    """
    params = {"start": start, "end": end}
    row = db.rows("pricing/coverage", params)[0]
    turns, reported, override, computed, unpriced, unknown_model, no_tokens, not_refreshed = (int(v or 0) for v in row)
    models = db.frame("pricing/unpriced_models", params)
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
