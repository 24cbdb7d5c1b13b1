"""Cost from tokens: list prices from the genai-prices library (offline), negotiated overrides from config.

Loaded turns are never changed: `turns.cost_usd` stays what the telemetry reported. `refresh` writes
the `model_prices` table for every (model, UTC day) the turns use, and the `turns_priced` fragment
(queries/fragments/turns_priced.sql) prices the turns that arrived without a cost:

    cost_usd = reported, else override price, else library price at the turn's day, from its tokens;
    NULL when the model is unknown or a token count is missing (unpriced, never 0).

Tokens: input_tokens include the cache tokens; cache reads and cache writes are priced at their own
rates (genai-prices has them; an override may give them), the rest of the input at the input rate:

    cost = ((input - cache_read - cache_write) x input + cache_read x cache_read_rate
            + cache_write x cache_write_rate + output x output_rate) / 1e6

Prices are looked up by the model name as reported (turns.model_raw, else turns.model) with the
turn's provider as a hint (turns.provider, e.g. 'aws' resolves Bedrock ids such as
us.anthropic.claude-3-7-sonnet-20250219-v1:0; 'openai' resolves openai/o3), then by the one name
per model (turns.model) when the reported name is unknown.

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
    cache_read_per_mtok = 1.0   # optional: cache reads (default: the input price)
    cache_write_per_mtok = 2.5  # optional: cache writes (default: the input price)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any, TypedDict

import pandas as pd

from launchkit.config import Config
from launchkit.store.warehouse import QueryRunner, Warehouse

LIBRARY = "genai-prices"
# The version of launchkit's own pricing rules: part of the state digest, so a warehouse priced by
# older rules (before cache prices and provider hints) is re-priced by the next load job.
PRICING_RULES = 2
# Prices are looked up at noon UTC of the turn's day: date-based price changes apply per UTC day;
# the rare time-of-day (off-peak) prices are approximated by the noon price (docs/pricing.md).
_PRICE_TIME = time(12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Tier:
    """Per-million-token prices that apply when a turn's input tokens exceed `above_input_tokens` (-1: always)
    and are at most `up_to_input_tokens` (None: no upper bound). Cache prices None: the input price."""

    above_input_tokens: int
    input_per_mtok: float
    output_per_mtok: float
    cache_read_per_mtok: float | None = None
    cache_write_per_mtok: float | None = None
    up_to_input_tokens: int | None = None


@dataclass(frozen=True)
class LibraryPrice:
    """What genai-prices knows about a model on a day."""

    vendor: str
    library_model: str
    tiers: tuple[Tier, ...]  # base first (above_input_tokens = -1)


def _candidates(model: str, provider: str | None, name: str | None) -> list[tuple[str, str | None]]:
    """(model_ref, provider_id) lookups to try: as given with the provider hint, as given, 'vendor/model'
    (litellm style), a path's last part, then the one name per model (with the hint, then without)."""
    out: list[tuple[str, str | None]] = []
    if provider:
        out.append((model, provider))
    out.append((model, None))
    if "/" in model:
        prefix, _, rest = model.partition("/")
        out.append((rest, prefix))
        out.append((model.rsplit("/", 1)[1], provider))
        out.append((model.rsplit("/", 1)[1], None))
    if name and name != model:
        if provider:
            out.append((name, provider))
        out.append((name, None))
    return list(dict.fromkeys(out))


@lru_cache(maxsize=1)
def _provider_ids() -> frozenset[str]:
    from genai_prices import data_snapshot

    return frozenset(str(p.id) for p in data_snapshot.get_snapshot().providers)


@lru_cache(maxsize=4096)
def _find(model: str, provider: str | None = None, name: str | None = None) -> tuple[Any, Any] | None:
    from genai_prices import data_snapshot

    snap = data_snapshot.get_snapshot()
    known = _provider_ids()
    for ref, prov in _candidates(model.strip(), provider or None, name):
        if not ref or (prov is not None and prov not in known):
            continue
        try:
            return snap.find_provider_model(ref, None, prov, None)
        except LookupError:
            continue
    return None


def library_version() -> str:
    import genai_prices

    return str(genai_prices.__version__)


def library_price(model: str, day: date, provider: str | None = None, name: str | None = None) -> LibraryPrice | None:
    """The list price genai-prices has for `model` (with an optional provider hint and the one name per
    model as a fallback) on UTC `day`, or None when it does not know the model."""
    found = _find(model, provider or None, name)
    if found is None:
        return None
    from genai_prices import types

    prov, info = found
    price = info.get_prices(datetime.combine(day, _PRICE_TIME))
    inp, outp = getattr(price, "input_mtok", None), getattr(price, "output_mtok", None)
    if inp is None or outp is None:
        return None  # not priced per token (e.g. per page or per request)
    cread, cwrite = getattr(price, "cache_read_mtok", None), getattr(price, "cache_write_mtok", None)
    priced = [v for v in (inp, outp, cread, cwrite) if v is not None]

    starts = sorted({t.start for v in priced if isinstance(v, types.TieredPrices) for t in v.tiers})

    def at(v: Any, start: int) -> float | None:
        if v is None:
            return None
        if not isinstance(v, types.TieredPrices):
            return float(v)
        chosen = v.base
        for t in v.tiers:  # sorted ascending
            if start >= t.start:
                chosen = t.price
        return float(chosen)

    bounds = [-1, *starts]
    tiers = []
    for i, above in enumerate(bounds):
        up_to = bounds[i + 1] if i + 1 < len(bounds) else None
        tiers.append(
            Tier(
                int(above),
                float(at(inp, above) or 0.0),
                float(at(outp, above) or 0.0),
                at(cread, above),
                at(cwrite, above),
                None if up_to is None else int(up_to),
            )
        )
    return LibraryPrice(vendor=str(prov.id).lower(), library_model=str(info.id), tiers=tuple(tiers))


def vendor_for(model: str, config: Config | None = None, provider: str | None = None) -> str | None:
    """The vendor of a model: the override's vendor, else genai-prices' provider id (e.g. 'openai')."""
    if config is not None:
        ov = config.pricing_overrides.get(model)
        if ov is not None and ov.vendor:
            return ov.vendor
    found = _find(model, provider or None, None)
    return None if found is None else str(found[0].id).lower()


def tier_cost(
    tier: Tier, input_tokens: int, output_tokens: int, cache_read_tokens: int | None, cache_write_tokens: int | None
) -> float:
    """USD of a call at a tier's prices; cache tokens are part of input_tokens, at their own rates."""
    cr, cw = cache_read_tokens or 0, cache_write_tokens or 0
    cr_rate = tier.cache_read_per_mtok if tier.cache_read_per_mtok is not None else tier.input_per_mtok
    cw_rate = tier.cache_write_per_mtok if tier.cache_write_per_mtok is not None else tier.input_per_mtok
    return (
        (input_tokens - cr - cw) * tier.input_per_mtok
        + cr * cr_rate
        + cw * cw_rate
        + output_tokens * tier.output_per_mtok
    ) / 1e6


def price_turn(
    model: str,
    when: datetime | date,
    input_tokens: int | None,
    output_tokens: int | None,
    config: Config | None = None,
    *,
    cache_read_tokens: int | None = None,
    cache_write_tokens: int | None = None,
    provider: str | None = None,
) -> float | None:
    """Cost in USD of one turn from its tokens (override, else list price at its UTC day); None if unknown.

    The same rule the turns_priced fragment applies, for callers outside SQL.
    """
    if input_tokens is None or output_tokens is None:
        return None
    ov = config.pricing_overrides.get(model) if config is not None else None
    if ov is not None:
        tier = Tier(-1, ov.input_per_mtok, ov.output_per_mtok, ov.cache_read_per_mtok, ov.cache_write_per_mtok)
        return tier_cost(tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)
    day = when.astimezone(UTC).date() if isinstance(when, datetime) else when
    lp = library_price(model, day, provider)
    if lp is None:
        return None
    tier = lp.tiers[0]
    for t in lp.tiers:
        if input_tokens > t.above_input_tokens:
            tier = t
    return tier_cost(tier, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens)


_PRICE_COLUMNS = [
    "model",
    "provider",
    "day",
    "above_input_tokens",
    "up_to_input_tokens",
    "source",
    "vendor",
    "input_per_mtok",
    "output_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "replace_reported",
    "library_model",
    "library_version",
]


def price_rows(pairs: list[tuple[str, str, str | None, date]], config: Config) -> pd.DataFrame:
    """model_prices rows for (model as reported, provider, one name per model, day): an override (for the
    reported name, else the one name), else the library's tiers, else one 'unknown' row."""
    ovs = config.pricing_overrides
    version = library_version()
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for model, provider, name, day in pairs:
        ov = ovs.get(model) or (ovs.get(name) if name else None)
        lp = library_price(model, day, provider or None, name)
        base = dict(model=model, provider=provider or "", day=day, replace_reported=False, refreshed_at=now)
        if ov is not None:
            rows.append(
                dict(
                    base,
                    above_input_tokens=-1,
                    up_to_input_tokens=None,
                    source="override",
                    vendor=ov.vendor or (lp.vendor if lp else None),
                    input_per_mtok=ov.input_per_mtok,
                    output_per_mtok=ov.output_per_mtok,
                    cache_read_per_mtok=ov.cache_read_per_mtok,
                    cache_write_per_mtok=ov.cache_write_per_mtok,
                    replace_reported=ov.replace_reported,
                    library_model=lp.library_model if lp else None,
                    library_version=None,
                )
            )
        elif lp is not None:
            for t in lp.tiers:
                rows.append(
                    dict(
                        base,
                        above_input_tokens=t.above_input_tokens,
                        up_to_input_tokens=t.up_to_input_tokens,
                        source="library",
                        vendor=lp.vendor,
                        input_per_mtok=t.input_per_mtok,
                        output_per_mtok=t.output_per_mtok,
                        cache_read_per_mtok=t.cache_read_per_mtok,
                        cache_write_per_mtok=t.cache_write_per_mtok,
                        library_model=lp.library_model,
                        library_version=version,
                    )
                )
        else:
            rows.append(
                dict(
                    base,
                    above_input_tokens=-1,
                    up_to_input_tokens=None,
                    source="unknown",
                    vendor=None,
                    input_per_mtok=None,
                    output_per_mtok=None,
                    cache_read_per_mtok=None,
                    cache_write_per_mtok=None,
                    library_model=None,
                    library_version=version,
                )
            )
    return pd.DataFrame(rows, columns=[*_PRICE_COLUMNS, "refreshed_at"])


def state_digest(config: Config) -> str:
    """What prices are computed from: the library's version and the configured overrides, as a digest."""
    blob = json.dumps(
        {
            "rules": PRICING_RULES,
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


class Refreshed(TypedDict):
    """What `refresh` did: the (model, day) pairs and models priced, by library or override, the unknown
    models, the overrides and the pricing library's version."""

    pairs: int
    models: int
    priced_by_library: int
    priced_by_override: int
    unknown_models: list[str]
    overrides: list[str]
    library: str


class UnpricedModel(TypedDict):
    model: str
    turns: int
    reason: str


class Coverage(TypedDict):
    """Turns by cost source, the unpriced ones by why, and the models behind them (`coverage`)."""

    turns: int
    reported: int
    override: int
    computed: int
    unpriced: int
    unpriced_share: float | None
    unpriced_unknown_model: int
    unpriced_missing_tokens: int
    unpriced_not_refreshed: int
    unpriced_models: list[UnpricedModel]


def refresh(wh: Warehouse, config: Config, turns: QueryRunner | None = None) -> Refreshed:
    """Rewrite model_prices for every (model, UTC day) in turns; one transaction. Returns what it did.

    `turns` reads the turns when they live elsewhere than the warehouse (a lake: launchkit.store.engines).
    Call it outside any open transaction (the load job does, when needs_refresh says so).
    """
    ovs = config.pricing_overrides
    pairs = [(m, p, n, d) for m, p, n, d in (turns or wh).rows("pricing/model_days")]
    df = price_rows(pairs, config)
    columns = {c: [None if pd.isna(v) else v for v in df[c].tolist()] for c in _PRICE_COLUMNS}
    with wh.transaction():
        wh.write("pricing/clear_prices")
        if len(df):
            wh.write("pricing/insert_prices", columns)
        wh.write("pricing/set_state", {"digest": state_digest(config)})
    base = df[df["above_input_tokens"] == -1] if len(df) else df
    unknown = sorted(set(base.loc[base["source"] == "unknown", "model"])) if len(df) else []
    return {
        "pairs": len(pairs),
        "models": len({(m, p) for m, p, _, _ in pairs}),
        "priced_by_library": int((base["source"] == "library").sum()) if len(df) else 0,
        "priced_by_override": int((base["source"] == "override").sum()) if len(df) else 0,
        "unknown_models": unknown,
        "overrides": sorted(ovs),
        "library": f"{LIBRARY} {library_version()}",
    }


def coverage(db: QueryRunner, start: datetime | None = None, end: datetime | None = None) -> Coverage:
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
            UnpricedModel(model=r.model, turns=int(r.turns), reason=r.reason) for r in models.itertuples(index=False)
        ],
    }
