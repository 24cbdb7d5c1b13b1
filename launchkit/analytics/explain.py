"""Reasons a person can act on: each HOLD / ROLLBACK reason about a metric leads with the culprit and the time.

For every metric that regressed (and every failing criterion's metric) the day's change is attributed to the
values of each dimension (launchkit.analytics.attribution); the most telling finding names the culprit. The
first bad hour comes from the culprit's hourly series (or the whole pilot's) over the LOOKBACK before the day's
end (launchkit.analytics.changepoint), placed on a timeline of releases, rollout changes and incidents; a release
or rollout change from the hour before the first bad hour's interval to its end is a candidate cause.

The lead sentence ("tool sql_query: 35.2 % of calls fail (was 1.8 %) since 2026-03-13 10:00 UTC (release
2026.03.3 shipped 00:00); 6 of 8 tenants affected") becomes the reason's message, so the decision record,
`launchkit decide` and the alert payload carry it; the test statistics move to the reason's `detail`.
A tenant is affected when its own value on the day is worse than its baseline's with p < decision.alpha
(two proportions; cost per session: by at least decision.min_effect_cost).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, TypedDict

from launchkit.analytics import attribution as attr
from launchkit.analytics import changepoint, records
from launchkit.analytics import metrics as m
from launchkit.analytics.metrics import bucket_params
from launchkit.analytics.reasons import Explanation, Reason
from launchkit.analytics.scope import DIMENSIONS as SCOPE_DIMENSIONS
from launchkit.analytics.scope import Scope
from launchkit.config import Config
from launchkit.jsonclean import clean
from launchkit.store.warehouse import QueryRunner
from launchkit.window import HOUR, Window, hour_edges, local

LOOKBACK = timedelta(days=14)
# criterion metric (catalogue) -> the compared metric it is attributed as
CRITERION_METRIC = {
    "tool_call_success_rate": "tool_call_success_rate",
    "turn_error_rate": "turn_error_rate",
    "latency_p95_ms": "latency_ms",
    "ttft_p95_ms": "ttft_ms",
    "cost_per_session": "cost_per_session",
    "csat": "csat",
    "thumbs_up_rate": "thumbs_up_rate",
    "judged_correct_rate": "judged_correct_rate",
    "hallucination_rate": "hallucination_rate",
}
# compared metric -> (hourly bad column, hourly sample column, series kind)
SERIES = {
    "tool_call_success_rate": ("calls_bad", "calls", "rate"),
    "turn_error_rate": ("turns_bad", "turns", "rate"),
    "latency_ms": ("latency_bad", "latency_n", "rate"),
    "ttft_ms": ("ttft_bad", "ttft_n", "rate"),
    "cost_per_session": ("amount", "sessions", "mean"),
    "csat": ("ratings_bad", "ratings", "rate"),
    "thumbs_up_rate": ("thumbs_bad", "thumbs", "rate"),
    "judged_correct_rate": ("judged_bad", "judged", "rate"),
    "hallucination_rate": ("hallucination_bad", "hallucination_n", "rate"),
}
_NOUN = {"tool": "tool", "release": "release", "tenant": "tenant", "cohort": "cohort", "model": "model"}

# the level at which a segment counts as affected in "N of M tenants affected" (descriptive, per segment;
# it was decision.alpha's 0.01 before the decision's tests were controlled over the pilot)
SEGMENT_ALPHA = 0.01


class _EventRequired(TypedDict):
    at: datetime
    kind: str  # release / rollout / incident
    what: str


class Event(_EventRequired, total=False):
    """A release shipped, a tenant enabled or disabled, or an incident opened or resolved (`timeline`)."""

    release: str
    tenant: str


class MetricExplained(TypedDict):
    """A metric's explanation (`explain`), strict JSON: the lead sentence and everything it rests on."""

    lead: str
    finding: attr.AttributionJson | None
    dimensions: list[attr.AttributionJson]
    first_bad_hour: dict[str, Any] | None  # changepoint.ChangePoint.to_json, strict JSON
    candidate_causes: list[dict[str, Any]]  # Events, strict JSON
    timeline: list[dict[str, Any]]
    tenants_affected: list[int] | None
    rule: str | None


# a row of the debrief's segments table (`where_table`); "first_bad_hour (UTC)" is no identifier
WhereRow = TypedDict(
    "WhereRow",
    {
        "metric": str | None,
        "by": str,
        "value": str,
        "culprit": bool,
        "before": float | None,
        "after": float | None,
        "n_baseline": int,
        "n_day": int,
        "share_of_change": float | None,
        "kind": str,
        "first_bad_hour (UTC)": str | None,
        "candidate_causes": str,
    },
)


def _metric_of(reason: Reason) -> str | None:
    if reason.get("code") == "regression":
        return reason.get("metric")
    if reason.get("code") == "criterion":
        return CRITERION_METRIC.get(str(reason.get("metric")))
    return None


def hourly(
    db: QueryRunner,
    end: datetime,
    tz: tzinfo,
    cuts: dict[str, float | None],
    scope: Scope | None,
    judged: attr.Judged,
) -> Any:
    """The hourly counts (attribution/hourly) over the LOOKBACK before `end`, of a scope or the whole pilot."""
    edges = hour_edges(end - LOOKBACK, end, tz)
    params = {
        **bucket_params(edges),
        **judged.params,
        "latency_cut": cuts.get("latency_ms"),
        "ttft_cut": cuts.get("ttft_ms"),
    }
    if scope is None:
        return db.frame("attribution/hourly", params)
    return db.frame("attribution/hourly_scoped", {**params, **scope.params})


def timeline(db: QueryRunner, window: Window, *, redact: bool = True) -> list[Event]:
    """Releases shipped, tenants enabled or disabled and incidents opened or resolved in a window, oldest first;
    incident titles redacted (launchkit.analytics.records) unless `redact` is False."""
    events: list[Event] = []
    for r in db.rows("releases/shipped", window.params):
        events.append({"at": r[1], "kind": "release", "what": f"release {r[0]} shipped", "release": r[0]})
    for r in db.rows("attribution/rollout_changes", window.params):
        events.append({"at": r[3], "kind": "rollout", "what": f"tenant {r[0]} {r[2]}", "tenant": r[0]})
    for inc in records.incidents(db, window, redact=redact).to_dict("records"):
        opened, resolved, name = inc["opened_at"], inc["resolved_at"], f"{inc['severity']}"
        if window.start <= opened < window.end:
            events.append({"at": opened, "kind": "incident", "what": f"{name} opened: {inc['title']}"})
        if resolved is not None and resolved == resolved and resolved < window.end:  # NaT != NaT
            events.append({"at": resolved, "kind": "incident", "what": f"{name} resolved: {inc['title']}"})
    return sorted(events, key=lambda e: e["at"])


def _first_bad_hour(
    db: QueryRunner,
    metric: str,
    day: Window,
    tz: tzinfo,
    cuts: dict[str, float | None],
    culprit: tuple[str, str] | None,
    reference: float | None,
    judged: attr.Judged,
    new: bool = False,
    cache: dict[Any, Any] | None = None,
) -> changepoint.ChangePoint | None:
    scope = Scope(*culprit) if culprit and culprit[0] in SCOPE_DIMENSIONS else None
    cache = {} if cache is None else cache
    key = None if scope is None else (scope.by, scope.value)
    if key not in cache:  # one query per scope, whichever metrics use it
        cache[key] = hourly(db, day.end, tz, cuts, scope, judged)
    df = cache[key]
    bad, n, kind = SERIES[metric]
    return changepoint.find(
        [b.to_pydatetime() for b in df["bucket"]],
        df[bad].astype(float).tolist(),
        df[n].astype(float).tolist(),
        kind=kind,
        reference=reference,
        new=new,
    )


def _fmt(metric: str, v: float | None) -> str:
    if v is None:
        return "n/a"
    if metric == "cost_per_session":
        return f"${v:.3f}"
    if attr.MEASURES[metric].good_share:  # said as its bad share: "12.0 % of tool calls fail"
        return f"{(1 - v) * 100:.1f} %"
    return f"{v * 100:.1f} %"


def _phrase(metric: str, cut: float | None) -> str:
    return {
        "tool_call_success_rate": "of tool calls fail",
        "turn_error_rate": "of turns fail",
        "latency_ms": f"of turns slower than {cut / 1000:.1f} s (the baseline's p95)" if cut else "of turns slow",
        "ttft_ms": f"of turns slower than {cut / 1000:.1f} s to first token (the baseline's p95)" if cut else "slow",
        "cost_per_session": "per session",
        "csat": "of ratings below 4",
        "thumbs_up_rate": "of thumbs down",
        "judged_correct_rate": "of answers judged incorrect (a model's judgement)",
        "hallucination_rate": "of answers judged hallucinated (a model's judgement)",
    }[metric]


def _affected(found: list[attr.Attribution], metric: str, alpha: float, min_cost: float) -> tuple[int, int] | None:
    tenants = next((a for a in found if a.by == "tenant"), None)
    if tenants is None:
        return None
    lower = attr.MEASURES[metric].better == "lower"
    active = [s for s in tenants.segments if s.n_day > 0 and s.value != "(unknown)"]

    def hit(s: attr.Segment) -> bool:
        if s.before is None or s.after is None:
            return False
        worse = s.after > s.before if lower else s.after < s.before
        if metric == "cost_per_session":
            return worse and s.before > 0 and s.after / s.before >= min_cost
        return worse and s.p_value is not None and s.p_value < alpha

    return sum(hit(s) for s in active), len(active)


def _pooled(segs: list[attr.Segment], whole_before: float | None) -> tuple[float | None, float | None]:
    """The culprits' value on the day and before, pooled by their samples (before: the whole baseline's for a
    value without one)."""
    n1 = sum(s.n_day for s in segs if s.after is not None)
    after = sum(s.n_day * s.after for s in segs if s.after is not None) / n1 if n1 else None
    known = [s for s in segs if s.before is not None and s.n_baseline]
    n0 = sum(s.n_baseline for s in known)
    before = sum(s.n_baseline * (s.before or 0.0) for s in known) / n0 if n0 else whole_before
    return after, before


def lead(
    metric: str,
    a: attr.Attribution | None,
    cp: changepoint.ChangePoint | None,
    causes: Sequence[Event],
    affected: tuple[int, int] | None,
    cut: float | None,
    tz: tzinfo,
) -> str:
    """The reason's first sentence: the culprit, its value now and before, since when, a candidate cause."""
    phrase = _phrase(metric, cut)
    if a is not None and a.culprits:
        segs = [s for s in a.segments if s.value in a.culprits]
        who = " and ".join(f"{_NOUN.get(a.by, a.by)} {s.value}" for s in segs)
        after, was = _pooled(segs, a.before)
        text = f"{who}: {_fmt(metric, after)} {phrase} (was {_fmt(metric, was)})"
        s0 = segs[0]
        if a.finding == "stands out":
            text = f"{who}: {_fmt(metric, s0.after)} {phrase} (the rest: {_fmt(metric, a.before)})"
        if a.finding == "mix shift":
            text = f"more traffic to {who}, already worse: {_fmt(metric, s0.after)} {phrase} (whole: {_fmt(metric, a.before)})"
    else:
        text = f"{_fmt(metric, a.after if a else None)} {phrase} (was {_fmt(metric, a.before if a else None)})"
        text += "; no single segment explains it" if a is not None else ""
    if cp is not None:
        since = local(cp.at, tz).strftime("%m-%d %H:%M %Z")
        if cp.low != cp.high:  # the interval, when the data cannot tell the hour
            lo, hi = local(cp.low, tz), local(cp.high, tz)
            since = (
                f"{lo:%m-%d %H:%M}-{hi:%H:%M %Z}" if lo.date() == hi.date() else f"{lo:%m-%d %H:%M}-{hi:%m-%d %H:%M %Z}"
            )
        text += f", since {since}" if cp.method == "step" else f", since it appeared {since}"
    if causes:
        text += " (" + "; ".join(f"{c['what']} {local(c['at'], tz):%m-%d %H:%M}" for c in causes[:2]) + ")"
    if affected is not None and affected[1] and not (a is not None and a.culprits and a.by == "tenant"):
        text += f"; {affected[0]} of {affected[1]} tenants affected"
    return text


def explain(
    db: QueryRunner,
    config: Config,
    reasons: list[Reason],
    day: Window,
    baseline: Window,
    s_base: dict[str, Any],
) -> dict[str, MetricExplained]:
    """Lead each reason about a metric with its culprit and time (in place: message <- lead, detail <- the
    former message, explanation <- what it rests on); returns the explanations per metric, for the report."""
    metrics = sorted({m for r in reasons if (m := _metric_of(r)) is not None and m in attr.MEASURES})
    if not metrics:
        return {}
    tz, opts = config.report_zone, config.decision
    cuts = {"latency_ms": s_base.get("latency_p95"), "ttft_ms": s_base.get("ttft_p95")}
    judged = attr.Judged.of(config)
    found = attr.attribute(db, metrics, day, baseline, judged, cuts)
    events = timeline(db, Window(day.end - LOOKBACK, day.end))
    out: dict[str, MetricExplained] = {}
    series: dict[Any, Any] = {}
    for metric in metrics:
        a = attr.best(found[metric])
        whole = next((x for x in found[metric] if x.finding not in ("no data", "stands out")), None)
        culprit = (a.by, a.culprits[0]) if a is not None and len(a.culprits) == 1 else None
        good = attr.MEASURES[metric].good_share
        ref = None if whole is None or whole.before is None else (1 - whole.before if good else whole.before)
        new = a is not None and any(s.kind == "new" for s in a.segments if s.value in a.culprits)
        cp = _first_bad_hour(db, metric, day, tz, cuts, culprit, ref, judged, new, series)
        causes: list[Event] = []
        if cp is not None:
            lo, hi = cp.low - HOUR, cp.high + HOUR
            causes = [e for e in events if e["kind"] in ("release", "rollout") and lo <= e["at"] < hi]
        affected = _affected(found[metric], metric, SEGMENT_ALPHA, float(opts["min_effect_cost"]))
        shown = a or whole
        sentence = lead(metric, shown, cp, causes, affected, cuts.get(metric), tz)
        out[metric] = clean(
            {
                "lead": sentence,
                "finding": shown.to_json() if shown is not None else None,
                "dimensions": [x.to_json() for x in found[metric]],
                "first_bad_hour": cp.to_json() if cp else None,
                "candidate_causes": causes,
                "timeline": events,
                "tenants_affected": affected,
                "rule": attr.__doc__.split("\n\n")[0] if attr.__doc__ else None,
            }
        )
    for r in reasons:
        m = _metric_of(r)
        if m in out:
            x = out[m]
            if r.get("code") == "regression" or (x["finding"] is not None and x["finding"]["culprits"]):
                r["detail"] = r["message"]
                r["message"] = x["lead"]
            r["explanation"] = Explanation(
                finding=x["finding"],
                first_bad_hour=x["first_bad_hour"],
                candidate_causes=x["candidate_causes"],
                tenants_affected=x["tenants_affected"],
            )
    return out


def where_table(reasons: Sequence[Reason], top: int = 3) -> list[WhereRow]:
    """The rows the debrief shows under its reasons: per explained metric (once), its top segments with their
    before / after values, samples, share of the change and kind, and the first bad hour with its interval."""
    rows: list[WhereRow] = []
    seen: set[str] = set()
    for r in reasons:
        ex, metric = r.get("explanation"), r.get("metric")
        f = ex["finding"] if ex else None
        if ex is None or f is None or metric in seen:
            continue
        seen.add(str(metric))
        cp = ex.get("first_bad_hour") or {}
        interval = cp.get("interval") or [None, None]
        for s in f["segments"][:top]:
            rows.append(
                {
                    "metric": metric,
                    "by": f["by"],
                    "value": s["value"],
                    "culprit": s["value"] in f["culprits"],
                    "before": s["before"],
                    "after": s["after"],
                    "n_baseline": s["n_baseline"],
                    "n_day": s["n_day"],
                    "share_of_change": s["share_of_change"],
                    "kind": s["kind"],
                    "first_bad_hour (UTC)": _span(interval[0], interval[1]),
                    "candidate_causes": "; ".join(c["what"] for c in ex.get("candidate_causes") or []),
                }
            )
    return rows


def _span(lo: Any, hi: Any) -> str | None:
    """An interval of ISO instants as 'MM-DD HH:MM' or 'MM-DD HH:MM to MM-DD HH:MM' (UTC)."""
    if lo is None:
        return None
    a, b = str(lo)[5:16].replace("T", " "), str(hi)[5:16].replace("T", " ")
    return a if a == b else f"{a} to {b}"


HOUR_BASELINE = timedelta(hours=24)


def hour_leads(db: QueryRunner, window: Window, rows: Sequence[Mapping[str, Any]], config: Config) -> dict[str, str]:
    """The lead sentence of each breached hourly check (check name -> sentence), as the debrief's reasons lead:
    the culprit with its value this hour and before, or "no single segment explains it". The hour is
    attributed against the HOUR_BASELINE before it (a whole day: every hour of the day's traffic mix); a
    problem older than that still names the segment that stands out in the hour. No first bad hour here: the
    alert says since when the check has breached."""
    metrics = {
        str(r["check"]): CRITERION_METRIC[str(r["metric"])]
        for r in rows
        if r.get("status") == "breach" and CRITERION_METRIC.get(str(r.get("metric"))) in attr.MEASURES
    }
    if not metrics:
        return {}
    baseline = Window(window.start - HOUR_BASELINE, window.start)
    s_base = m.summary(db, baseline)
    cuts = {"latency_ms": s_base.get("latency_p95"), "ttft_ms": s_base.get("ttft_p95")}
    found = attr.attribute(db, sorted(set(metrics.values())), window, baseline, attr.Judged.of(config), cuts)
    out = {}
    for check, metric in metrics.items():
        a = attr.best(found[metric])
        shown = a or next((x for x in found[metric] if x.finding not in ("no data", "stands out")), None)
        affected = _affected(found[metric], metric, SEGMENT_ALPHA, float(config.decision["min_effect_cost"]))
        out[check] = lead(metric, shown, None, [], affected, cuts.get(metric), config.report_zone)
    return out
