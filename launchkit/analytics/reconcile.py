"""Finance reconciliation: what the turns cost (turns_priced) against what the vendors billed (vendor_costs).

Per vendor and UTC day, over days in [start, end) (None: open). A turn's vendor is the one
model_prices records for its model (genai-prices' provider id, e.g. 'openai', 'anthropic', 'google',
or the vendor of a [pricing.overrides] entry), which the load job keeps current.
Vendor names are compared lowercased and trimmed. The query is queries/finance/reconciliation.sql.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypedDict

import pandas as pd

from launchkit.config import Config
from launchkit.store.warehouse import QueryRunner

COLUMNS = ["vendor", "day", "computed_usd", "billed_usd", "diff_usd", "diff_pct", "within_tolerance", "unpriced_turns"]


def reconcile(db: QueryRunner, start: date | None, end: date | None, config: Config) -> pd.DataFrame:
    """One row per (vendor, day): computed_usd, billed_usd, diff_usd (computed - billed), diff_pct (of the
    bill), within_tolerance, unpriced_turns. A side without data is NULL, and so are its diff and verdict;
    unpriced turns make computed_usd a lower bound (count in unpriced_turns)."""
    df = db.frame("finance/reconciliation", {"start": start, "end": end, "tolerance_pct": config.tolerance_pct})
    df = df[COLUMNS]
    df["day"] = pd.to_datetime(df["day"]).dt.date
    df["within_tolerance"] = df["within_tolerance"].astype("boolean")
    df["unpriced_turns"] = df["unpriced_turns"].astype("int64")
    return df.reset_index(drop=True)


def _f(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


class Summary(TypedDict):
    """The reconciliation's headline figures (`summary`); None where there is nothing to compare."""

    start: date | None
    end: date | None
    tolerance_pct: float
    vendor_days: int
    vendor_days_compared: int
    computed_usd: float | None
    billed_usd: float | None
    diff_usd: float | None
    diff_pct: float | None
    within_tolerance: bool | None
    vendor_days_out_of_tolerance: int
    days_out_of_tolerance: list[date]
    vendor_days_without_bill: int
    computed_usd_without_bill: float | None
    vendor_days_without_turns: int
    billed_usd_without_turns: float | None
    unpriced_turns: int
    computed_usd_without_vendor: float | None


def summary(db: QueryRunner, start: date | None, end: date | None, config: Config) -> Summary:
    """Headline figures: totals, the overall difference over vendor-days billed and computed, and the days
    out of tolerance. Values are None when there is nothing to compare (never a made-up 0)."""
    tol = config.tolerance_pct
    df = reconcile(db, start, end, config)
    both = df[df["computed_usd"].notna() & df["billed_usd"].notna()]
    computed = _f(both["computed_usd"].sum(min_count=1)) if len(both) else None
    billed = _f(both["billed_usd"].sum(min_count=1)) if len(both) else None
    diff = computed - billed if computed is not None and billed is not None else None
    diff_pct = 100.0 * diff / billed if diff is not None and billed else None
    out_rows = df[df["within_tolerance"].fillna(True) == False]  # noqa: E712 (nullable boolean)
    unbilled = df[df["computed_usd"].notna() & df["billed_usd"].isna()]
    unmatched_bills = df[df["billed_usd"].notna() & df["computed_usd"].isna()]
    return {
        "start": start,
        "end": end,
        "tolerance_pct": tol,
        "vendor_days": int(len(df)),
        "vendor_days_compared": int(len(both)),
        "computed_usd": computed,
        "billed_usd": billed,
        "diff_usd": diff,
        "diff_pct": diff_pct,
        "within_tolerance": None if diff_pct is None else abs(diff_pct) <= tol,
        "vendor_days_out_of_tolerance": int(len(out_rows)),
        "days_out_of_tolerance": sorted({d for d in out_rows["day"]}),
        "vendor_days_without_bill": int(len(unbilled)),
        "computed_usd_without_bill": _f(unbilled["computed_usd"].sum(min_count=1)) if len(unbilled) else None,
        "vendor_days_without_turns": int(len(unmatched_bills)),
        "billed_usd_without_turns": _f(unmatched_bills["billed_usd"].sum(min_count=1))
        if len(unmatched_bills)
        else None,
        "unpriced_turns": int(df["unpriced_turns"].sum(min_count=1)) if len(df) else 0,
        "computed_usd_without_vendor": _f(df.loc[df["vendor"].isna(), "computed_usd"].sum(min_count=1))
        if df["vendor"].isna().any()
        else None,
    }
