"""Everything `launchkit metrics --json` says of a window: the metrics, their data quality and, as of the
window's last day (in the report zone), the finance burn, in one strict-JSON object."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, NotRequired, TypedDict

from launchkit.analytics import finance, quality
from launchkit.analytics.finance import Burn
from launchkit.analytics.metrics import Metrics, from_summary, incidents, summary
from launchkit.analytics.quality import DataQuality
from launchkit.catalogue import FIGURE_METRIC
from launchkit.config import Config
from launchkit.jsonclean import clean
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, local_day


class Overview(TypedDict):
    """What compute returns, strict JSON: the window (Window.to_json), its metrics, their data quality
    (quality.assess) and, when asked for, the finance burn as of the window's last day."""

    window: dict[str, str]
    metrics: Metrics
    data_quality: DataQuality
    finance: NotRequired[Burn]


def compute(db: QueryRunner, window: Window, config: Config, *, include_finance: bool = True) -> Overview:
    """All metrics for a window, in the strict-JSON shape of `launchkit metrics --json`.

    {"window": {...}, "metrics": {...}, "data_quality": {...}}; with include_finance a "finance" key
    (burn as of the window's last day) is added.
    """
    s = summary(db, window)
    metrics = from_summary(s)
    metrics["incidents"] = incidents(db, window)
    dq = quality.assess(db, window, config)
    # figures whose coverage gates failed: shown, but a verdict on them would be UNTRUSTED DATA
    metrics["untrusted"] = {k: g for k, m in FIGURE_METRIC.items() if (g := quality.failed_gates_for(m, dq))}
    out: dict[str, Any] = {"window": window.to_json(), "metrics": metrics, "data_quality": dq}
    if include_finance:
        last_day = local_day(window.end - timedelta(microseconds=1), config.report_zone)
        out["finance"] = finance.burn(db, config, last_day)
    return clean(out)
