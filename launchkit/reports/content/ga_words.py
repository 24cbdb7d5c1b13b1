"""The GA report in its readers' words: the opening paragraph, the scorecard, the statistical detail and
the verdict histories, built from the same go/no-go and criteria results the tables show.

Labels are the catalogue's display names (never a criterion id, a config key or a method name); the
methods are named in plain words in the statistical detail, which a glossary explains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta, tzinfo
from typing import Any

from launchkit.analytics import criteria as crit
from launchkit.analytics.criteria import VERDICT_WORDS, group_words
from launchkit.analytics.headlines import STATE_WORDS, criterion_state, window_words
from launchkit.analytics.retrospective import VERDICT_CODES
from launchkit.catalogue import display_name, plain
from launchkit.catalogue import unit as unit_of
from launchkit.errors import TimeValueError
from launchkit.reports.text import fmt, plural
from launchkit.window import local_day, parse_instant

_CRITICALITY = {"critical": "must pass", "normal": "should pass", "report-only": "for information"}

# interval methods (launchkit.stats) in plain words
METHODS = {
    "wilson": "score interval for a share",
    "clopper-pearson": "exact interval for a share",
    "order-statistic": "interval from the ranked observations",
    "bootstrap": "resampled interval",
    "student-t": "interval for an average",
    "t prediction": "prediction interval from the daily spend",
    "exact count": "an exact count (no sampling)",
    "exact": "exact (no sampling)",
}

GLOSSARY = (
    ("95 % interval", "The range the true value lies in with 95 % confidence, given how much data there is. "
     "A criterion passes only when the whole range is on the right side of its target."),
    ("Target", "The value a criterion must reach to pass."),
    ("Fail line", "Beyond this value the criterion fails; between the target and the fail line it is marginal."),
    ("Marginal", "Close to the target: neither clearly passing nor failing. It does not block GA unless the "
     "criterion must pass."),
    ("Not enough data", "Too few observations in the window to tell (fewer than the sample needed, or a range "
     "too wide)."),
    ("Data not trusted", "The telemetry behind the value is incomplete (a data-quality gate failed)."),
    ("Window", "The days a verdict looks at: usually the last 7 days up to the report's day."),
    ("Sample", "How many observations (tool calls, answers, ratings, days) the value rests on."),
    ("Score interval, exact interval", "Ways to put a range on a share (a success rate, CSAT)."),
    ("Interval from the ranked observations", "A range for a percentile such as the 95th percentile response time."),
    ("Prediction interval", "The range the pilot's total spend is expected to land in, from the daily spend."),
)  # fmt: skip


@dataclass(frozen=True)
class ScoreRow:
    """One criterion in the scorecard, every cell in words (the state colours the verdict)."""

    criterion: str  # the catalogue's display name
    area: str  # Stability, Satisfaction, Cost
    importance: str  # must pass, should pass, for information
    value: str
    target: str
    fail_line: str
    sample: str  # "6,025 (500 needed)"
    window: str  # "last 7 days, to 2026-03-15"
    verdict: str  # pass, marginal, fail, not enough data, data not trusted, not evaluated
    state: str  # headlines.STATES
    passing_since: str
    meaning: str  # the catalogue's plain line


@dataclass(frozen=True)
class History:
    """A criterion's verdict on each day of the pilot, as states (the strip of coloured days)."""

    criterion: str  # display name
    first_day: date
    states: tuple[str, ...]  # one per day from first_day: headlines.STATES
    passed_on: date | None  # the day it passed and then held to the report's day
    days_to_pass: int | None

    def days(self) -> list[tuple[date, str]]:
        return [(self.first_day + timedelta(days=k), s) for k, s in enumerate(self.states)]


def criterion_name(c: Mapping[str, Any]) -> str:
    """A criterion's display name: its metric's, in the catalogue."""
    return display_name(str(c.get("metric") or c.get("name") or c.get("criterion")))


def blocker_line(b: Mapping[str, Any], criteria: Sequence[Mapping[str, Any]]) -> str:
    """A readiness blocker in words: 'Thumbs up (must pass): marginal, <note>'."""
    c = next((c for c in criteria if c.get("name") == b.get("criterion")), {"metric": b.get("criterion")})
    verdict = VERDICT_WORDS.get(str(b.get("verdict")), str(b.get("verdict")))
    importance = _CRITICALITY.get(str(b.get("criticality")), str(b.get("criticality")))
    return f"{criterion_name(c)} ({importance}): {verdict}" + (f", {b['note']}" if b.get("note") else "")


def _last_day(w: Mapping[str, Any] | None, tz: tzinfo) -> date | None:
    try:
        end = parse_instant(str((w or {})["end"]), "window", UTC)
    except (KeyError, TimeValueError):
        return None
    return local_day(end - timedelta(microseconds=1), tz)


def window_text(w: Mapping[str, Any] | None, tz: tzinfo) -> str:
    """'last 7 days, to 2026-03-15' or 'the day, 2026-03-15' (one line; whole days of the report zone)."""
    last = _last_day(w, tz)
    words = window_words((w or {}).get("days"))
    if last is None:
        return words
    return f"{words}, {'' if words == 'the day' else 'to '}{last.isoformat()}"


def _target(c: Mapping[str, Any], key: str) -> str:
    if c.get(key) is None:
        return "—"
    higher = c.get("direction") == "higher"
    op = ("≥" if higher else "≤") if key == "pass" else ("<" if higher else ">")
    return f"{op} {fmt(c[key], unit_of(str(c.get('metric'))))}"


def score_row(c: Mapping[str, Any], tz: tzinfo) -> ScoreRow:
    """A criterion result (CriterionResult.to_json()) as a scorecard row."""
    state = criterion_state(c)
    need = c.get("min_sample")
    return ScoreRow(
        criterion=criterion_name(c),
        area=group_words(str(c.get("group") or "")),
        importance=_CRITICALITY.get(str(c.get("criticality")), str(c.get("criticality"))),
        value=fmt(c.get("value"), unit_of(str(c.get("metric")))),
        target=_target(c, "pass"),
        fail_line=_target(c, "marginal"),
        sample=fmt(c.get("n")) + (f" ({fmt(need)} needed)" if need else ""),
        window=window_text(c.get("window"), tz),
        verdict=STATE_WORDS[state],
        state=state,
        passing_since=str(c.get("held_since") or "—") if c.get("verdict") == crit.PASS else "—",
        meaning=plain(str(c.get("metric"))),
    )


def statistics_row(c: Mapping[str, Any], tz: tzinfo) -> dict[str, str]:
    """How a criterion's verdict was reached: the interval's method in words, its bounds and level, the sample."""
    iv = c.get("interval") or {}
    u = unit_of(str(c.get("metric")))
    lo, hi = iv.get("low"), iv.get("high")
    if lo is None and hi is None:
        interval = "—" if not iv else "unbounded (too few observations)"
    else:
        interval = f"{'unbounded' if lo is None else fmt(lo, u)} to {'unbounded' if hi is None else fmt(hi, u)}"
    method = str(iv.get("method") or "")
    return {
        "criterion": criterion_name(c),
        "estimate": fmt(c.get("value"), u),
        "interval": interval,
        "confidence": fmt(iv.get("level"), "%", 0) if iv.get("level") is not None else "—",
        "method": METHODS.get(method, method) or "—",
        "sample": fmt(c.get("n")),
        "window": window_text(c.get("window"), tz),
    }


_CODE_STATE = {
    code: {crit.PASS: "ok", crit.MARGINAL: "watch", crit.FAIL: "breach", crit.UNTRUSTED: "untrusted"}.get(
        v, "low-sample"
    )
    for v, code in VERDICT_CODES.items()
}


def histories(rows: Sequence[Mapping[str, Any]], first: date) -> list[History]:
    """The retrospective's criteria histories (retrospective.criteria_history, in its order, the ones that
    apply) as days of states, the first on `first`."""
    out = []
    for r in rows:
        if not r.get("applies", True):
            continue
        passed = r.get("passed_on")
        out.append(
            History(
                criterion=criterion_name(r),
                first_day=first,
                states=tuple(_CODE_STATE.get(ch, "low-sample") for ch in str(r.get("timeline") or "")),
                passed_on=passed if isinstance(passed, date) or passed is None else date.fromisoformat(str(passed)),
                days_to_pass=r.get("days_to_pass"),
            )
        )
    return out


def _criteria_clause(readiness: Mapping[str, Any]) -> str:
    applied = [c for c in readiness.get("criteria", []) if c.get("applies", True)]
    passing = [c for c in applied if c.get("verdict") == crit.PASS]
    if applied and len(passing) == len(applied):
        return f"all {plural(len(applied), 'data criterion', 'data criteria')} pass"
    others = "; ".join(f"{criterion_name(c)} {VERDICT_WORDS.get(str(c.get('verdict')), c.get('verdict'))}"
                       for c in applied if c.get("verdict") != crit.PASS)  # fmt: skip
    return f"{len(passing)} of {plural(len(applied), 'data criterion', 'data criteria')} pass ({others})"


def _slowest_clause(history: Sequence[Mapping[str, Any]]) -> str:
    applied = [r for r in history if r.get("applies", True)]
    pending = [criterion_name(r) for r in applied if r.get("passed_on") is None]
    passed = [r for r in applied if r.get("passed_on") is not None]  # slowest first (criteria_history's order)
    parts = []
    if passed:
        s = passed[0]
        parts.append(
            f"the slowest to pass was {criterion_name(s)}, on day {s['days_to_pass']} of the pilot ({s['passed_on']})"
        )
    if pending:
        parts.append(f"not yet passed and held: {', '.join(pending)}")
    return "; ".join(parts)


def opening(
    readiness: Mapping[str, Any],
    gng: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    history: Sequence[Mapping[str, Any]],
) -> str:
    """'NO-GO: 11 sign-offs pending; all 10 data criteria pass; the slowest to pass was Tool-call success,
    on day 6 of the pilot (2026-03-10).' From the go/no-go and criteria the tables below show."""
    open_ids = {i["id"] for i in gng.get("open_items", [])}
    signoffs = [i for i in items if i["id"] in open_ids and i.get("source") != "data"]
    data_open = [i for i in items if i["id"] in open_ids and i.get("source") == "data"]
    first = str(gng["decision"])
    if signoffs:
        first += f": {plural(len(signoffs), 'sign-off')} pending"
    parts = [first]
    if data_open:
        parts.append(
            f"{plural(len(data_open), 'check')} the data decides open ("
            + ", ".join(str(i["title"]) for i in data_open)
            + ")"
        )
    parts.append(_criteria_clause(readiness))
    slowest = _slowest_clause(history)
    if slowest:
        parts.append(slowest)
    return "; ".join(parts) + "."
