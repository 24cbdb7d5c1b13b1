"""Run the report notebooks and publish them: executed notebook, HTML, JSON summary, index.

`run_report(kind, config)` executes notebooks/<kind>.ipynb with papermill (in this process,
kernel `python3`, parameters as ISO strings checked against the notebook's declared parameters,
a per-cell timeout), renders HTML with no code and no prompts (plotly.js embedded once, so charts
draw offline), and writes reports/<kind>/<stamp>.{ipynb,html,json} atomically (a temporary file
in the same folder, then os.replace), then rebuilds reports/index.html. docs/reports.md documents
the JSON summary.

Notebooks read the warehouse through a read-only snapshot (launchkit.snapshot), so a report, or
an analyst's open notebook, never keeps the hourly writer out. The helpers a notebook calls
(`open_context`, `header`, `summary`) live here too; papermill and nbconvert are imported only by
the functions that need them, so a notebook kernel does not pay for them.
"""

from __future__ import annotations

import functools
import html
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Mapping

from launchkit import __version__, snapshot, stats, warehouse
from launchkit.config import Config, load_config
from launchkit.errors import LaunchkitError, NotEnoughDataError

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
CELL_TIMEOUT_S = 300
SUMMARY_SCHEMA = "launchkit.report/1"
SUMMARY_TAG = "summary"
SUMMARY_MIME = "application/json"


def skip_slow_optional_imports() -> None:
    """Make this process skip `rfc3987_syntax`, which jsonschema (under nbformat) imports when it is
    installed and which compiles 39 grammars on import: about a second per `launchkit run`/`hourly`.

    It only adds jsonschema's 'iri' format checks, which notebook validation never uses. Called by
    the launchkit CLI's report commands (their own process), never on import of this module.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


class ReportError(LaunchkitError):
    """A report could not be produced (a notebook failed, a parameter is not declared...)."""


@dataclass(frozen=True)
class ReportKind:
    name: str
    notebook: str
    title: str
    grain: str  # "hour" or "day": what the report's --at / --date selects
    preload: tuple[str, ...] = ()  # modules the kernel imports while it starts (see start_kernel)


_COMMON = ("launchkit.reports", "launchkit.charts", "launchkit.metrics")
KINDS: dict[str, ReportKind] = {
    "hourly": ReportKind("hourly", "hourly.ipynb", "Hourly pilot report", "hour", _COMMON + ("launchkit.hourly",)),
    "cost": ReportKind("cost", "cost_burn.ipynb", "Cost and burn", "day",
                       _COMMON + ("launchkit.finance", "launchkit.criteria", "launchkit.reconcile", "launchkit.pricing")),
    "debrief": ReportKind("debrief", "debrief.ipynb", "End-of-day debrief", "day", _COMMON + ("launchkit.decision",)),
    "ga": ReportKind("ga", "ga_readiness.ipynb", "GA readiness and go/no-go", "day",
                     _COMMON + ("launchkit.decision", "launchkit.finance")),
}


@dataclass
class ReportResult:
    """What one report run wrote, and the summary it produced."""

    kind: str
    stamp: str
    html: Path
    ipynb: Path
    json: Path
    summary: dict[str, Any]
    pdf: Path | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def breaches(self) -> list[dict[str, Any]]:
        return [v for v in self.summary.get("verdicts", []) if v.get("status") == "breach"]


# ---------------------------------------------------------------------------------------------
# atomic files


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write a whole file or nothing (temporary file in the same folder, fsync, then os.replace)."""
    snapshot.atomic_write_bytes(path, data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---------------------------------------------------------------------------------------------
# time defaults


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def data_range(con: Any) -> tuple[datetime | None, datetime | None]:
    """First and last activity time in the warehouse (None, None when it is empty)."""
    rows = warehouse.run(con, "reports/data_range").fetchall()
    first, last = rows[0] if rows else (None, None)
    return first, last


def latest_complete_hour(con: Any, now: datetime | None = None) -> datetime:
    """Start of the latest hour that has data and has ended (by the clock): the default for --at."""
    _, last = data_range(con)
    if last is None:
        raise NotEnoughDataError("the warehouse has no sessions, turns or tool calls yet: nothing to report")
    now = (now or _utc_now()).astimezone(timezone.utc)
    hour = last.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    current = now.replace(minute=0, second=0, microsecond=0)
    return min(hour, current - timedelta(hours=1))


def latest_day(con: Any) -> date:
    """The latest UTC date that has data: the default for --date."""
    _, last = data_range(con)
    if last is None:
        raise NotEnoughDataError("the warehouse has no sessions, turns or tool calls yet: nothing to report")
    return last.astimezone(timezone.utc).date()


def parse_at(value: str | datetime) -> datetime:
    """An ISO time (naive = UTC) as an aware UTC datetime."""
    if isinstance(value, datetime):
        ts = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            ts = datetime.fromisoformat(text)
        except ValueError:
            raise ReportError(f"--at: not an ISO time: {value!r} (e.g. 2026-03-05T14:00Z)") from None
    return ts.replace(tzinfo=timezone.utc) if ts.tzinfo is None else ts.astimezone(timezone.utc)


def parse_date(value: str | date) -> date:
    if isinstance(value, datetime):
        return parse_at(value).date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ReportError(f"--date: not a date: {value!r} (e.g. 2026-03-05)") from None


def _iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def stamp_for(kind: str, at: datetime | None = None, day: date | None = None) -> str:
    """File name stem of a report: the hour (2026-03-05T14) or the day (2026-03-05) it covers."""
    if KINDS[kind].grain == "hour":
        assert at is not None
        return at.strftime("%Y-%m-%dT%H")
    assert day is not None
    return day.isoformat()


# ---------------------------------------------------------------------------------------------
# inside a notebook


@dataclass
class Context:
    """What a report notebook works with: the configuration and a read-only snapshot connection."""

    config: Config
    con: Any
    refreshed: snapshot.Refresh | None = None

    def hour(self, at: str | datetime | None, now: datetime | None = None) -> datetime:
        """The hour to report: `at` floored to the hour, or the latest complete hour with data."""
        if at in (None, ""):
            return latest_complete_hour(self.con, now)
        return parse_at(at).replace(minute=0, second=0, microsecond=0)

    def day(self, d: str | date | None) -> date:
        """The day to report: `d`, or the latest day with data."""
        if d in (None, ""):
            return latest_day(self.con)
        return parse_date(d)


def notebook_config(config_path: str | None = None, warehouse: str | None = None,
                    config_json: str | None = None) -> Config:
    """The configuration a notebook should use.

    `launchkit run` passes config_json (its exact effective configuration). Interactively (JupyterLab
    starts kernels in notebooks/), the defaults are: LAUNCHKIT_CONFIG, else a launchkit.toml in the
    current folder or its parent, else the defaults relative to the project folder, so the notebooks
    read the same warehouse as `launchkit demo` run from the project folder.
    """
    if config_json:
        data = json.loads(config_json)
        cfg = Config(data=data, path=Path(config_path) if config_path else None, base_dir=Path.cwd())
        if warehouse:
            cfg = cfg.with_overrides(**{"warehouse.path": str(Path(warehouse).resolve())})
        return cfg
    if config_path is None and not os.environ.get("LAUNCHKIT_CONFIG"):
        here = Path.cwd()
        for folder in (here, here.parent):
            if (folder / "launchkit.toml").is_file():
                config_path = str(folder / "launchkit.toml")
                break
    cfg = load_config(config_path, warehouse=warehouse)
    if cfg.path is None and Path.cwd().resolve() == NOTEBOOKS_DIR.resolve():
        cfg = Config(data=cfg.data, path=None, base_dir=PROJECT_DIR)
    return cfg


def open_context(config_path: str | None = None, warehouse: str | None = None,
                 config_json: str | None = None) -> Context:
    """Configuration plus a read-only connection to a current snapshot of the warehouse."""
    cfg = notebook_config(config_path, warehouse, config_json)
    if config_json and snapshot.snapshot_path(cfg.warehouse_path).is_file():
        r = None  # started by `launchkit run`, which has just refreshed the snapshot
    else:
        r = snapshot.refresh(cfg)
    con = snapshot.connect(cfg, refresh_first=False)
    return Context(config=cfg, con=con, refreshed=r)


def header(title: str, period: str, ctx: Context | None = None, extra: str | None = None) -> Any:
    """The report's title block: what, which period, from which data (escaped HTML)."""
    from launchkit import charts

    bits = [f'<p class="lk-muted" data-report-title="{charts.esc(title)}"><strong>{charts.esc(period)}</strong>'
            f" · generated {charts.esc(_iso(_utc_now()))} · launchkit {charts.esc(__version__)}</p>"]
    if ctx is not None and ctx.refreshed is not None and ctx.refreshed.note:
        bits.append(str(charts.note(ctx.refreshed.note, "warn", "Data may be stale").markup))
    if extra:
        bits.append(f"<p>{charts.esc(extra)}</p>")
    return charts.HTMLBlock(charts.STYLE_CSS + "".join(bits), f"{title}\n{period}")


def verdict_table(verdicts: list[dict[str, Any]]) -> Any:
    """Checks or criteria as an escaped table: value with interval and n, thresholds, status badge."""
    import pandas as pd

    from launchkit import charts

    rows = []
    for v in verdicts:
        unit = v.get("unit") or _unit_for(v.get("metric", ""))
        iv = v.get("interval") or {}
        interval = _interval_text(iv, unit)
        op = "≥" if v.get("direction") == "higher" else "≤"
        rows.append({
            "check": v.get("check") or v.get("name"),
            "value": charts.fmt(v.get("value"), unit),
            "95 % interval": interval,
            "n": charts.fmt(v.get("n")),
            "target": f"{op} {charts.fmt(v.get('pass'), unit)}" if v.get("pass") is not None else "—",
            "fail line": f"{'<' if op == '≥' else '>'} {charts.fmt(v.get('marginal'), unit)}" if v.get("marginal") is not None else "—",
            "status": v.get("status") or v.get("verdict") or "na",
            "note": v.get("note") or "",
        })
    return charts.table(pd.DataFrame(rows), status={"status": lambda s: _status_colour(s)}, empty="no checks")


_REC_STATUS = {"EXPAND": "ok", "HOLD": "watch", "ROLLBACK": "breach", "GO": "ok", "NO-GO": "breach"}


def recommendation(d: Mapping[str, Any]) -> Any:
    """A decision's recommendation as a coloured block with its reasons and the data still needed."""
    from launchkit import charts

    rec = str(d.get("recommendation"))
    reasons = [r.get("message", "") for r in d.get("reasons", [])]
    needed = [_needed_text(n) for n in d.get("data_needed", []) if isinstance(n, dict)]
    colour = charts.STATUS_COLOURS.get(_REC_STATUS.get(rec, "na"), charts.NEUTRAL)
    body = (f'<div class="lk-note" style="border-left-color:{colour}">'
            f'<div style="font-size:22px;font-weight:700">{charts.badge(rec, _REC_STATUS.get(rec, "na"))}</div>'
            f"<p>{'GA-ready by the criteria' if d.get('ga_ready') else 'Not GA-ready by the criteria'}; "
            f"data {'sufficient' if d.get('data_sufficient') else 'insufficient'} to compare the day with its baseline.</p>"
            f"<strong>Reasons</strong>{charts.bullets(reasons, 'no regression and every critical criterion passes').markup}")
    if needed:
        body += f"<strong>Data still needed</strong>{charts.bullets(needed).markup}"
    body += "</div>"
    text = f"{rec}\n" + "\n".join(f"- {r}" for r in reasons)
    return charts.HTMLBlock(body, text)


def _needed_text(n: Mapping[str, Any]) -> str:
    """One 'data still needed' entry (decision.data_needed) in words."""
    name = n.get("criterion") or n.get("metric")
    have = n.get("have", n.get("n"))
    where = "in its window" if n.get("criterion") else "on the day"
    text = f"{name}: {have if have is not None else 0} observations {where}, need {n.get('need')}"
    if n.get("days_to_pool"):
        text += f" (about {n['days_to_pool']} days pooled)"
    if n.get("n_to_detect_min_effect"):
        text += f"; {n['n_to_detect_min_effect']:,} to detect the minimum effect"
    return text


def comparison_table(comparisons: list[dict[str, Any]]) -> Any:
    """The day-vs-baseline comparisons as an escaped table."""
    import pandas as pd

    from launchkit import charts

    rows = []
    for c in comparisons:
        unit = _unit_for(c["metric"]) if c["metric"] not in ("latency_ms", "ttft_ms") else "ms"
        effect = c.get("effect")
        if effect is None:
            eff = "—"
        elif c.get("effect_name") == "difference":
            eff = f"{effect * 100:+.1f} points"
        else:
            eff = f"× {effect:.2f}"
        rows.append({
            "metric": c["metric"], "day": charts.fmt(c.get("day_value"), unit),
            "baseline": charts.fmt(c.get("baseline_value"), unit), "change": eff,
            "n (day / baseline)": f"{charts.fmt(c.get('n_day'))} / {charts.fmt(c.get('n_baseline'))}",
            "test": c.get("test") or "—",
            "p": "—" if c.get("p_value") is None else f"{c['p_value']:.3g}",
            "status": c.get("status"),
        })
    status = {"regressed": "breach", "improved": "ok", "no change": "na", "insufficient data": "watch",
              "untrusted data": "watch"}
    return charts.table(pd.DataFrame(rows), status={"status": lambda v: status.get(str(v), "na")}, empty="no comparisons")


def decision_verdicts(d: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Machine-readable verdicts of a decision: each comparison and each criterion (for the JSON summary)."""
    out = []
    for c in d.get("comparisons", []):
        st = {"regressed": "breach", "improved": "ok", "no change": "ok"}.get(c.get("status"), "na")
        out.append({"check": f"vs_baseline:{c['metric']}", "metric": c["metric"], "value": c.get("day_value"),
                    "baseline": c.get("baseline_value"), "p_value": c.get("p_value"), "verdict": c.get("status"),
                    "status": st})
    for r in d.get("criteria", {}).get("criteria", []):
        out.append(criterion_verdict(r))
    return out


def criterion_verdict(r: Mapping[str, Any]) -> dict[str, Any]:
    """A criteria result (Readiness.to_json()['criteria'][i]) as a verdict row."""
    st = {"PASS": "ok", "FAIL": "breach", "MARGINAL": "watch"}.get(r.get("verdict"), "na")
    return {"check": f"criterion:{r['name']}", "name": r["name"], "metric": r["metric"], "group": r.get("group"),
            "criticality": r.get("criticality"), "direction": r.get("direction"), "value": r.get("value"),
            "interval": r.get("interval"), "n": r.get("n"), "pass": r.get("pass"), "marginal": r.get("marginal"),
            "verdict": r.get("verdict"), "status": st, "held_since": r.get("held_since"), "note": r.get("note")}


def go_no_go_block(gng: Mapping[str, Any], d: Mapping[str, Any]) -> Any:
    """GO / NO-GO with what is open, and the day's EXPAND / HOLD / ROLLBACK beside it."""
    from launchkit import charts

    g = str(gng["decision"])
    colour = charts.STATUS_COLOURS.get(_REC_STATUS.get(g, "na"), charts.NEUTRAL)
    crit = d.get("criteria", {})
    open_items = [f"{i['title']} ({i['owner']}): {i['status']}" for i in gng.get("open_items", [])]
    blockers = [f"{b['criterion']}: {b['verdict']}" for b in crit.get("blockers", [])]
    rec = str(d.get("recommendation"))
    body = (f'<div class="lk-note" style="border-left-color:{colour}">'
            f'<div style="font-size:22px;font-weight:700">{charts.badge(g, _REC_STATUS.get(g, "na"))} for GA</div>'
            f"<p>Criteria: {'GA-ready' if crit.get('ready') else 'not GA-ready'} "
            f"({charts.esc(str(crit.get('verdict_counts', {}).get('PASS', 0)))} of "
            f"{charts.esc(str(len(crit.get('criteria', []))))} pass). Today's recommendation: "
            f"{charts.badge(rec, _REC_STATUS.get(rec, 'na'))}</p>"
            f"<strong>Criteria blocking GA</strong>{charts.bullets(blockers, 'none').markup}"
            f"<strong>Open go/no-go items</strong>{charts.bullets(open_items, 'none').markup}</div>")
    return charts.HTMLBlock(body, f"{g}\n" + "\n".join(blockers + open_items))


def scorecard(results: list[dict[str, Any]]) -> Any:
    """The GA criteria with their evidence: value, interval, sample, window, thresholds, verdict, held since."""
    import pandas as pd

    from launchkit import charts

    rows = []
    for r in results:
        unit = _unit_for(r["metric"])
        iv = r.get("interval") or {}
        op = "≥" if r.get("direction") == "higher" else "≤"
        w = r.get("window") or {}
        rows.append({
            "group": r.get("group"), "criterion": r["name"], "criticality": r.get("criticality"),
            "value": charts.fmt(r.get("value"), unit),
            "95 % interval": _interval_text(iv, unit) + (f" ({iv.get('method')})" if iv and iv.get("method") else ""),
            "n / needed": f"{charts.fmt(r.get('n'))} / {charts.fmt(r.get('min_sample'))}",
            "window": _window_text(w),
            "target": f"{op} {charts.fmt(r.get('pass'), unit)}" if r.get("pass") is not None else "—",
            "fail line": (f"{'<' if op == '≥' else '>'} {charts.fmt(r.get('marginal'), unit)}"
                          if r.get("marginal") is not None else "—"),
            "verdict": r.get("verdict"),
            "held since": r.get("held_since") or "—",
            "note": r.get("note") or "",
        })
    return charts.table(pd.DataFrame(rows), status={"verdict": _status_colour}, empty="no criteria configured")


def _window_text(w: Mapping[str, Any]) -> str:
    try:
        start = parse_at(str(w["start"])).date()
        last = parse_at(str(w["end"])).date() - timedelta(days=1)
    except (KeyError, ReportError):
        return "—"
    n = w.get("days", (last - start).days + 1)
    return f"{n} day{'' if n == 1 else 's'}, {start.isoformat()} to {last.isoformat()}"


def held_days(readiness: Mapping[str, Any], since: str | date | None = None) -> Any:
    """Per criterion, the consecutive passing days up to the as-of day (0 when it does not pass),
    counted from `since` at the earliest (the pilot's first day: days before it had no data)."""
    import pandas as pd

    as_of = parse_date(str(readiness["as_of"]))
    floor = parse_date(str(since)) if since else None
    rows = []
    for r in readiness.get("criteria", []):
        since_r = r.get("held_since")
        start = parse_date(str(since_r)) if since_r else None
        if start is not None and floor is not None:
            start = max(start, floor)
        days = (as_of - start).days + 1 if start and r.get("verdict") == "PASS" else 0
        since = start.isoformat() if start else None
        rows.append({"criterion": r["name"], "verdict": r.get("verdict"), "held_since": since, "days_held": days})
    return pd.DataFrame(rows, columns=["criterion", "verdict", "held_since", "days_held"])


def _interval_text(iv: Mapping[str, Any] | None, unit: str) -> str:
    """'low to high' with units; an open end (too few observations to bound it) says so."""
    from launchkit import charts

    if not iv:
        return "—"
    low, high = iv.get("low"), iv.get("high")
    if low is None and high is None:
        return "—"
    lo = "unbounded" if low is None else charts.fmt(low, unit)
    hi = "unbounded" if high is None else charts.fmt(high, unit)
    if lo.endswith("unbounded") and hi == "unbounded":
        return "unbounded (too few observations)"
    return f"{lo} to {hi}"


def _status_colour(s: Any) -> str:
    t = str(s).strip().lower()
    return {"pass": "ok", "fail": "breach", "marginal": "watch", "insufficient data": "na",
            "untrusted data": "watch"}.get(t, t)


def _unit_for(metric: str) -> str:
    if metric.endswith("_ms"):
        return "ms"
    if metric.endswith("_rate") or metric in ("csat",):
        return "%"
    if metric in ("cost_per_session", "projected_spend_usd") or metric.endswith("_usd"):
        return "$"
    if metric.endswith("_pct"):
        return "% of bill"
    return ""


def quality_table(dq: Mapping[str, Any]) -> Any:
    """The data-quality gates as an escaped table (value, counts, threshold, ok)."""
    import pandas as pd

    from launchkit import charts

    rows = [
        {"gate": name, "coverage": g.get("value"), "numerator": g.get("numerator"),
         "denominator": g.get("denominator"), "threshold": g.get("threshold"),
         "status": "ok" if g.get("ok") else ("breach" if g.get("ok") is False else "na")}
        for name, g in (dq.get("gates") or {}).items()
    ]
    extra = []
    if dq.get("gap_hours"):
        extra.append(f"hours expected to have data but without any: {', '.join(map(str, dq['gap_hours']))}")
    if dq.get("rejected_rows"):
        extra.append(f"{dq['rejected_rows']} input rows rejected in this period (launchkit status shows why)")
    tbl = charts.table(pd.DataFrame(rows), units={"coverage": "%", "threshold": "%"}, status={"status": "auto"},
                       empty="no data-quality gates")
    if not extra:
        return tbl
    return charts.HTMLBlock(tbl.markup + charts.bullets(extra).markup, tbl.text + "\n" + "\n".join(extra))


# ---------------------------------------------------------------------------------------------
# data the notebooks show that the analytics core does not shape (feedback, incidents, checklist)


def feedback(con: Any, window: Any) -> Any:
    """Feedback submitted in the window (DataFrame: submitted_at, tenant_id, rating, thumbs, comment)."""
    return warehouse.run(con, "reports/feedback", window.params).df()


def incidents(con: Any, window: Any) -> Any:
    """Incidents open at some time in the window, with their timeline (DataFrame)."""
    return warehouse.run(con, "reports/incidents", window.params).df()


_STOPWORDS = frozenset("""
a an and are as at be but by can could did do does for from had has have i in is it its it's me my
no not of on or our so that the their them then there these they this to too up us was we were what
when which who will with would you your just very really also been being than into out over only
""".split())


def themes(comments: Any, *, top: int = 10, min_mentions: int = 2) -> Any:
    """Recurring themes in free-text comments: words and two-word phrases by how many comments use them.

    Deliberately simple and explainable (no model): lowercase words without stop words; a phrase
    is kept over its words when it is as frequent. Columns: theme, comments, share, example.
    """
    import re
    from collections import Counter

    import pandas as pd

    texts = [str(c) for c in comments if isinstance(c, str) and c.strip()]
    if not texts:
        return pd.DataFrame(columns=["theme", "comments", "share", "example"])
    doc_terms: list[set[str]] = []
    for t in texts:
        words = [w for w in re.findall(r"[a-z0-9_']+", t.lower()) if w not in _STOPWORDS and len(w) > 1]
        terms = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}
        doc_terms.append(terms)
    counts = Counter(term for terms in doc_terms for term in terms)
    phrases = {t: n for t, n in counts.items() if " " in t and n >= min_mentions}
    covered = {w for p, n in phrases.items() for w in p.split() if counts[w] <= n}
    ranked = sorted(((t, n) for t, n in counts.items() if n >= min_mentions and t not in covered),
                    key=lambda x: (-x[1], -len(x[0].split()), x[0]))[:top]
    rows = []
    for term, n in ranked:
        example = next(t for t, terms in zip(texts, doc_terms) if term in terms)
        rows.append({"theme": term, "comments": n, "share": n / len(texts), "example": example})
    return pd.DataFrame(rows, columns=["theme", "comments", "share", "example"])


CHECKLIST_FILE = PROJECT_DIR / "checklist.toml"
CHECKLIST_STATUSES = ("done", "pending", "blocked", "n/a")


def load_checklist(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The go/no-go checklist (checklist.toml): [[item]] tables with id, phase, title, owner, status,
    evidence. Errors name the file, item and key."""
    import tomllib

    p = Path(path) if path else CHECKLIST_FILE
    if not p.is_file():
        raise ReportError(f"no checklist at {p}")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ReportError(f"{p}: not valid TOML: {exc}") from None
    items = data.get("item")
    if not isinstance(items, list) or not items:
        raise ReportError(f"{p}: needs [[item]] tables")
    out = []
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        where = f"{p}: item {i}"
        if not isinstance(item, dict):
            raise ReportError(f"{where}: must be a table")
        for key in ("id", "phase", "title", "owner", "status"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise ReportError(f"{where}: '{key}' is required (text)")
        unknown = set(item) - {"id", "phase", "title", "owner", "status", "evidence", "note"}
        if unknown:
            raise ReportError(f"{where}: unknown key '{sorted(unknown)[0]}'")
        if item["status"] not in CHECKLIST_STATUSES:
            raise ReportError(f"{where}: status must be one of {', '.join(CHECKLIST_STATUSES)}, got {item['status']!r}")
        if item["phase"] not in ("precondition", "go/no-go"):
            raise ReportError(f"{where}: phase must be 'precondition' or 'go/no-go', got {item['phase']!r}")
        if item["id"] in seen:
            raise ReportError(f"{where}: duplicate id {item['id']!r}")
        seen.add(item["id"])
        out.append({"id": item["id"], "phase": item["phase"], "title": item["title"], "owner": item["owner"],
                    "status": item["status"], "evidence": item.get("evidence", ""), "note": item.get("note", ""),
                    "source": "checklist"})
    return out


def data_checks(dec: Any) -> list[dict[str, Any]]:
    """The go/no-go items the data decides, from a decision.Decision (its readiness and day)."""
    d = dec.to_json() if hasattr(dec, "to_json") else dict(dec)
    crit = d.get("criteria", {})
    by_group: dict[str, list[dict[str, Any]]] = {}
    for c in crit.get("criteria", []):
        if c.get("criticality") == "report-only" or not c.get("applies", True):
            continue
        by_group.setdefault(str(c.get("group")), []).append(c)
    out = []
    for group, cs in sorted(by_group.items()):
        bad = [c for c in cs if (c.get("criticality") == "critical" and c.get("verdict") != "PASS") or c.get("verdict") == "FAIL"]
        out.append({
            "id": f"data-{group}", "phase": "go/no-go", "title": f"GA criteria: {group}",
            "owner": "launchkit (data)", "status": "blocked" if bad else "done",
            "evidence": f"{len(cs) - len(bad)}/{len(cs)} criteria clear"
                        + (": " + "; ".join(f"{c['name']} {c['verdict']}" for c in bad) if bad else ""),
            "note": "", "source": "data",
        })
    dq = d.get("data_quality", {})
    out.append({"id": "data-quality", "phase": "go/no-go", "title": "Telemetry complete enough to trust",
                "owner": "launchkit (data)", "status": "done" if dq.get("ok", True) else "blocked",
                "evidence": "all data-quality gates pass" if dq.get("ok", True)
                else "failed gates: " + ", ".join(dq.get("failed", [])), "note": "", "source": "data"})
    rec = d.get("recommendation")
    out.append({"id": "data-decision", "phase": "go/no-go", "title": "Day's recommendation is EXPAND",
                "owner": "launchkit (data)", "status": "done" if rec == "EXPAND" else "blocked",
                "evidence": f"recommendation {rec} for {d.get('day')}", "note": "", "source": "data"})
    return out


def go_no_go(items: list[dict[str, Any]]) -> dict[str, Any]:
    """GO only when every item is done (or n/a); otherwise NO-GO with the open items."""
    open_items = [i for i in items if i["status"] not in ("done", "n/a")]
    return {"decision": "GO" if not open_items else "NO-GO",
            "open_items": [{"id": i["id"], "title": i["title"], "owner": i["owner"], "status": i["status"]}
                           for i in open_items],
            "items": len(items)}


def checklist_table(items: list[dict[str, Any]]) -> Any:
    """The checklist as an escaped table; evidence shown as a link only for http(s) URLs."""
    from launchkit import charts

    if not items:
        return charts.HTMLBlock('<p class="lk-muted">no items</p>', "no items")
    rows = []
    for i in items:
        ev = str(i.get("evidence") or "")
        if ev.lower().startswith(("https://", "http://")):
            ev_html = f'<a href="{charts.esc(ev)}" rel="noopener noreferrer">{charts.esc(ev)}</a>'
        else:
            ev_html = charts.esc(ev)
        rows.append(
            f"<tr><td>{charts.esc(i['phase'])}</td><td>{charts.esc(i['title'])}</td><td>{charts.esc(i['owner'])}</td>"
            f"<td>{charts.badge(i['status'], {'done': 'ok', 'n/a': 'na', 'pending': 'watch'}.get(i['status'], 'breach'))}</td>"
            f"<td>{ev_html}</td><td>{charts.esc(i.get('note', ''))}</td></tr>"
        )
    head = "<tr><th>phase</th><th>item</th><th>owner</th><th>status</th><th>evidence</th><th>note</th></tr>"
    text = "\n".join(f"[{i['status']}] {i['title']} ({i['owner']})" for i in items)
    return charts.HTMLBlock(f'<table class="lk-table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>', text)


class _Summary:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        keys = ", ".join(self.data)
        return {SUMMARY_MIME: self.data, "text/plain": f"report summary ({keys})"}


def summary(data: Mapping[str, Any]) -> Any:
    """Display the report's machine-readable summary (the runner collects it from the cell tagged
    `summary`; JupyterLab shows it as a JSON tree). Values are made strict-JSON (NaN -> null)."""
    from launchkit import charts

    clean = charts.json_safe(dict(data))
    json.dumps(clean, allow_nan=False)  # fail here, in the notebook, rather than in the runner
    return _Summary(clean)


# ---------------------------------------------------------------------------------------------
# running


def _notebook_path(kind: str) -> Path:
    return NOTEBOOKS_DIR / KINDS[kind].notebook


def declared_parameters(path: Path) -> dict[str, Any]:
    import papermill

    return dict(papermill.inspect_notebook(str(path)))


def check_parameters(path: Path, params: Mapping[str, Any]) -> None:
    """Refuse parameters the notebook does not declare in its `parameters` cell."""
    declared = declared_parameters(path)
    if not declared:
        raise ReportError(f"{path.name} has no cell tagged 'parameters'")
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ReportError(
            f"{path.name} does not declare parameter(s) {', '.join(unknown)} (declares {', '.join(sorted(declared))})"
        )


def _config_json(config: Config) -> str:
    data = json.loads(json.dumps(config.data, default=str))
    data["warehouse"]["path"] = str(config.warehouse_path)
    data["reports"]["dir"] = str(config.reports_dir)
    data["hourly"]["inbox"] = str(config.inbox_dir)
    return json.dumps(data, sort_keys=True)


class Kernel:
    """A python3 kernel started ahead of its notebook (see start_kernel); shut it down when done."""

    def __init__(self, km: Any, runtime_dir: str) -> None:
        self.km = km
        self.runtime_dir = runtime_dir
        self._stopping: threading.Thread | None = None

    def shutdown_soon(self) -> None:
        """Stop the kernel in the background (its notebook has run) while the report is rendered."""
        if self._stopping is None:
            self._stopping = threading.Thread(target=self._stop, daemon=True)
            self._stopping.start()

    def shutdown(self) -> None:
        """Stop the kernel and wait until it is gone."""
        if self._stopping is not None:
            self._stopping.join(timeout=30)
            return
        self._stop()

    def _stop(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a kernel that is already gone is fine
            pass
        import shutil

        shutil.rmtree(self.runtime_dir, ignore_errors=True)


def start_kernel(kind: str, cwd: Path | None = None) -> Kernel:
    """Start the `python3` kernel for a report now, importing the notebook's modules as it starts.

    The kernel starts in the background (a separate process), so the caller can load files,
    publish the snapshot and import papermill meanwhile; the notebook then runs on a warm kernel.
    It talks over IPC sockets in the user's private runtime folder: no TCP port on the machine for
    another user to reach (and no warning about one in cron mail).
    """
    from jupyter_core.utils import run_sync

    modules = KINDS[kind].preload if kind in KINDS else _COMMON
    # A private folder (mode 0700) per kernel for its connection file and IPC sockets: short paths
    # (socket paths are limited to ~100 bytes) and no clash between kernels started side by side.
    runtime = tempfile.mkdtemp(prefix="lk-kernel-")
    km = _ipc_kernel_manager()(kernel_name="python3", connection_file=os.path.join(runtime, "kernel.json"))
    km.ip = os.path.join(runtime, "ipc")
    args = [f"--IPKernelApp.exec_lines={['import ' + m for m in modules]!r}"] if modules else []
    try:
        run_sync(km.start_kernel)(cwd=str(cwd or NOTEBOOKS_DIR), extra_arguments=args)
    except Exception as exc:
        import shutil

        shutil.rmtree(runtime, ignore_errors=True)
        raise ReportError(f"could not start the python3 kernel: {exc} (run: make install)") from None
    return Kernel(km, runtime)


def _ipc_kernel_manager() -> type:
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

    return IPCKernelManager


def _execute(nb_path: Path, params: dict[str, Any], out_dir: Path, stamp: str, cell_timeout: float,
             kernel: Kernel) -> Any:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{stamp}.", suffix=".running.ipynb", dir=out_dir)
    os.close(fd)
    threading.Thread(target=_warm_exporter, daemon=True).start()  # while the kernel computes
    try:
        nb = papermill.execute_notebook(
            str(nb_path), tmp, parameters=params, kernel_name="python3", language="python",
            progress_bar=sys.stderr.isatty(), log_output=False, request_save_on_cell_execute=False,
            cwd=str(nb_path.parent), execution_timeout=cell_timeout, start_timeout=120, km=kernel.km,
        )
    except PapermillExecutionError as exc:
        failed = out_dir / f"{stamp}.failed.ipynb"
        if Path(tmp).stat().st_size:
            os.replace(tmp, failed)
        evalue = str(exc.evalue).splitlines()[0] if exc.evalue else ""
        raise ReportError(
            f"{nb_path.name} failed in cell [{exc.exec_count}] of the executed notebook: {exc.ename}: {evalue} "
            f"(kept as {failed})"
        ) from None
    except Exception as exc:  # kernel died, timeout, ...
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReportError(f"{nb_path.name} could not be executed: {type(exc).__name__}: {msg}") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return nb


def _extract_summary(nb: Any) -> dict[str, Any]:
    for cell in nb.cells:
        if SUMMARY_TAG in cell.get("metadata", {}).get("tags", []):
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if SUMMARY_MIME in data:
                    value = data[SUMMARY_MIME]
                    return json.loads(value) if isinstance(value, str) else dict(value)
    raise ReportError("the notebook did not display a summary (a cell tagged 'summary' calling reports.summary)")


def run_report(kind: str, config: Config, at: str | datetime | None = None, date: str | date | None = None,
               pdf: bool = False, *, now: datetime | None = None, cell_timeout: float = CELL_TIMEOUT_S,
               notebook: Path | None = None, update_index: bool = True, kernel: Kernel | None = None) -> ReportResult:
    """Execute one report notebook and publish its HTML, executed notebook and JSON summary.

    hourly takes `at` (the hour containing it; default: the latest complete hour with data); the
    daily reports take `date` (or the date of `at`; default: the latest day with data). `kernel`:
    one started earlier with start_kernel(kind) (it is shut down here either way).
    """
    if kind not in KINDS:
        if kernel is not None:
            kernel.shutdown()
        raise ReportError(f"unknown report '{kind}' (one of {', '.join(KINDS)})")
    started = time.monotonic()
    nb_path = notebook or _notebook_path(kind)
    if not nb_path.is_file():
        if kernel is not None:
            kernel.shutdown()
        raise ReportError(f"no notebook {nb_path}")
    kernel = kernel or start_kernel(kind, nb_path.parent)
    try:
        return _run_report(kind, config, at, date, pdf, now, cell_timeout, nb_path, update_index, kernel, started)
    finally:
        kernel.shutdown()


def _run_report(kind: str, config: Config, at: str | datetime | None, date: str | date | None, pdf: bool,
                now: datetime | None, cell_timeout: float, nb_path: Path, update_index: bool, kernel: Kernel,
                started: float) -> ReportResult:
    spec = KINDS[kind]
    refreshed = snapshot.refresh(config)
    notes = [refreshed.note] if refreshed.note else []
    params: dict[str, Any] = {"config_json": _config_json(config)}
    if spec.grain == "hour":
        if at not in (None, ""):
            hour = parse_at(at).replace(minute=0, second=0, microsecond=0)
        else:
            con = snapshot.connect(config, refresh_first=False)
            try:
                hour = latest_complete_hour(con, now)
            finally:
                con.close()
        stamp = stamp_for(kind, at=hour)
        params["at"] = _iso(hour)
        period = {"start": _iso(hour), "end": _iso(hour + timedelta(hours=1))}
    else:
        if date not in (None, ""):
            day = parse_date(date)
        elif at not in (None, ""):
            day = parse_at(at).date()
        else:
            con = snapshot.connect(config, refresh_first=False)
            try:
                day = latest_day(con)
            finally:
                con.close()
        stamp = stamp_for(kind, day=day)
        params["date"] = day.isoformat()
        start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        period = {"start": _iso(start), "end": _iso(start + timedelta(days=1))}
    check_parameters(nb_path, params)
    out_dir = config.reports_dir / kind
    nb = _execute(nb_path, params, out_dir, stamp, cell_timeout, kernel)
    kernel.shutdown_soon()
    found = _extract_summary(nb)
    title = str(found.pop("title", spec.title))
    nb.metadata["title"] = title
    paths = {"html": out_dir / f"{stamp}.html", "ipynb": out_dir / f"{stamp}.ipynb", "json": out_dir / f"{stamp}.json"}
    pdf_path = out_dir / f"{stamp}.pdf" if pdf else None
    envelope: dict[str, Any] = {
        "schema": SUMMARY_SCHEMA,
        "kind": kind,
        "title": title,
        "stamp": stamp,
        "period": period,
        "parameters": {k: v for k, v in params.items() if k != "config_json"},
        "generated_at": _iso(_utc_now().replace(microsecond=0)),
        "launchkit_version": __version__,
        "config_digest": config.digest(),
        "notebook": f"notebooks/{nb_path.name}",
        "files": {k: p.name for k, p in paths.items()} | ({"pdf": pdf_path.name} if pdf_path else {}),
        "snapshot": {"current": refreshed.current, "note": refreshed.note},
    }
    envelope.update(stats.clean(found))  # strict JSON, floats to 12 digits: identical when re-run
    envelope.setdefault("verdicts", [])
    envelope.setdefault("recommendation", None)
    body = render_html(nb)
    import nbformat

    write_atomic(paths["ipynb"], nbformat.writes(nb))
    write_atomic(paths["html"], body)
    if pdf_path is not None:
        from launchkit import browser

        browser.print_pdf(paths["html"], pdf_path)
    else:
        (out_dir / f"{stamp}.pdf").unlink(missing_ok=True)  # a PDF of an earlier run would not match
    write_atomic(paths["json"], json.dumps(envelope, indent=2, allow_nan=False, default=str) + "\n")
    failed = out_dir / f"{stamp}.failed.ipynb"
    failed.unlink(missing_ok=True)
    if update_index:
        write_index(config.reports_dir, envelope)
    return ReportResult(kind=kind, stamp=stamp, html=paths["html"], ipynb=paths["ipynb"], json=paths["json"],
                        summary=envelope, pdf=pdf_path, seconds=time.monotonic() - started, notes=notes)


def run_all(config: Config, *, pdf: bool = False, now: datetime | None = None) -> list[Path]:
    """Every report for the latest data (the hourly one for the latest complete hour); then the index.

    Returns the HTML files written, the index last.
    """
    snapshot.refresh(config)
    con = snapshot.connect(config, refresh_first=False)
    try:
        hour = latest_complete_hour(con, now)
        day = latest_day(con)
    finally:
        con.close()
    out: list[Path] = []
    kinds = list(KINDS)
    kernels = {kinds[0]: start_kernel(kinds[0])}
    try:
        for i, kind in enumerate(kinds):
            if i + 1 < len(kinds):  # the next report's kernel starts while this one runs
                kernels[kinds[i + 1]] = start_kernel(kinds[i + 1])
            k = kernels.pop(kind)
            if KINDS[kind].grain == "hour":
                r = run_report(kind, config, at=hour, pdf=pdf, update_index=False, kernel=k)
            else:
                r = run_report(kind, config, date=day, pdf=pdf, update_index=False, kernel=k)
            out.append(r.html)
    finally:
        for k in kernels.values():
            k.shutdown()
    out.append(write_index(config.reports_dir))
    return out


# ---------------------------------------------------------------------------------------------
# HTML

_HEAD_JS = """<script>
(function () {
  var errors = [];
  function record(msg) {
    errors.push(String(msg));
    document.documentElement.setAttribute("data-script-errors", String(errors.length));
    document.documentElement.setAttribute("data-script-error-messages", JSON.stringify(errors));
  }
  window.addEventListener("error", function (e) { record(e && e.message ? e.message : "script error"); });
  window.addEventListener("unhandledrejection", function (e) { record("unhandled rejection: " + (e && e.reason)); });
  document.documentElement.setAttribute("data-script-errors", "0");
  window.addEventListener("load", function () {
    var divs = document.querySelectorAll(".plotly-graph-div");
    var drawn = 0;
    divs.forEach(function (d) { if (d.querySelector(".main-svg")) { drawn += 1; } });
    document.documentElement.setAttribute("data-charts", String(divs.length));
    document.documentElement.setAttribute("data-charts-drawn", String(drawn));
  });
})();
</script>"""

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
{{ resources.launchkit_head_js }}
{%- if resources.launchkit_plotly_js -%}
<script type="text/javascript">{{ resources.launchkit_plotly_js }}</script>
{%- endif -%}
{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}
<style type="text/css">
body.jp-Notebook { max-width: 1180px; margin: 0 auto; padding: 12px 24px; }
.jp-OutputArea-output { overflow-x: auto; }
.jp-RenderedHTMLCommon h1 { margin-top: 0.4em; }
</style>
{{ resources.launchkit_css }}
{% endblock extra_css %}
"""

_PLOTLY_MIME = "application/vnd.plotly.v1+json"


@functools.lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


_EXPORTER: Any = None
_EXPORTER_LOCK = threading.Lock()


def _exporter() -> Any:
    """One HTMLExporter per process: its templates are compiled on first use, then reused."""
    global _EXPORTER
    with _EXPORTER_LOCK:
        if _EXPORTER is None:
            import jinja2
            from nbconvert import HTMLExporter
            from nbconvert.preprocessors import TagRemovePreprocessor

            exporter = HTMLExporter(
                template_name="lab",
                template_file="launchkit_report.html.j2",
                extra_loaders=[jinja2.DictLoader({"launchkit_report.html.j2": _TEMPLATE})],
                exclude_input=True,
                exclude_input_prompt=True,
                exclude_output_prompt=True,
                embed_images=True,
            )
            remove = TagRemovePreprocessor(
                remove_cell_tags={SUMMARY_TAG, "parameters", "injected-parameters", "remove-cell"},
                remove_input_tags={"remove-input"})
            remove.enabled = True
            exporter.register_preprocessor(remove, enabled=True)
            _EXPORTER = exporter
        return _EXPORTER


def _warm_exporter() -> None:
    """Compile the HTML templates (about a second) while a kernel computes."""
    try:
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell("warm-up")]
        _exporter().from_notebook_node(nb, resources={"launchkit_head_js": "", "launchkit_plotly_js": "",
                                                       "launchkit_css": ""})
        _plotly_js()
    except Exception:  # noqa: BLE001 - only a warm-up; the real render reports problems
        pass


def render_html(nb: Any) -> str:
    """The executed notebook as HTML without code or prompts; plotly.js included once when needed."""
    import copy

    from launchkit import charts

    nb = copy.deepcopy(nb)
    has_plotly = False
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue  # warnings belong in the executed notebook, not in the report
            data = out.get("data", {})
            if _PLOTLY_MIME in data:
                has_plotly = True
                data.pop(_PLOTLY_MIME)  # keep the text/html div, drawn by the page's plotly.js
            kept.append(out)
        cell["outputs"] = kept
    resources = {
        "launchkit_head_js": _HEAD_JS,
        "launchkit_plotly_js": _plotly_js() if has_plotly else "",
        "launchkit_css": charts.STYLE_CSS,
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body


# ---------------------------------------------------------------------------------------------
# index


INDEX_SCHEMA = "launchkit.index/1"


def _entry(s: Mapping[str, Any], folder: str) -> dict[str, Any]:
    """What the index keeps of a report's JSON summary."""
    rec = s.get("recommendation")
    return {
        "kind": s.get("kind", folder), "dir": folder, "stamp": s.get("stamp", ""), "title": s.get("title", folder),
        "headline": s.get("headline", ""), "period": s.get("period", {}), "files": s.get("files", {}),
        "generated_at": s.get("generated_at", ""),
        "recommendation": rec.get("action") if isinstance(rec, dict) else rec,
        "breaches": sum(1 for v in s.get("verdicts", []) if isinstance(v, dict) and v.get("status") == "breach"),
    }


def _read_summaries(reports_dir: Path) -> list[dict[str, Any]]:
    """Index entries of every report summary on disk (a full scan)."""
    out = []
    for kind in KINDS:
        folder = reports_dir / kind
        if not folder.is_dir():
            continue
        for p in folder.glob("*.json"):
            if p.name.startswith("."):
                continue
            try:
                s = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if s.get("schema") != SUMMARY_SCHEMA:
                continue
            out.append(_entry(s, kind))
    return out


def _index_key(s: dict[str, Any]) -> tuple[str, str, str]:
    return (str(s.get("period", {}).get("end", "")), str(s.get("period", {}).get("start", "")), str(s.get("kind", "")))


def write_index(reports_dir: Path, summary: Mapping[str, Any] | None = None) -> Path:
    """reports/index.html (and index.json): every report, newest period first, with links (all escaped).

    With `summary` (a report just written) the index is updated from index.json instead of reading
    every report's JSON again, so an hourly run's cost does not grow with the number of reports;
    without it, or when index.json is missing or unreadable, the index is rebuilt from the files.
    """
    from filelock import FileLock

    reports_dir.mkdir(parents=True, exist_ok=True)
    store = reports_dir / "index.json"
    with FileLock(str(reports_dir / ".index.lock"), timeout=60):
        entries: list[dict[str, Any]] | None = None
        if summary is not None:
            try:
                data = json.loads(store.read_text(encoding="utf-8"))
                if data.get("schema") == INDEX_SCHEMA:
                    entries = list(data["reports"])
            except (OSError, ValueError, KeyError):
                entries = None
        if entries is None:
            entries = _read_summaries(reports_dir)
        if summary is not None:
            new = _entry(summary, str(summary["kind"]))
            entries = [x for x in entries if (x["dir"], x["stamp"]) != (new["dir"], new["stamp"])] + [new]
        entries = [x for x in entries if (reports_dir / x["dir"] / x["files"].get("html", "")).is_file()
                   and x["files"].get("html")]
        items = sorted(entries, key=_index_key, reverse=True)
        e = html.escape
        rows = []
        for s in items:
            d = s["dir"]
            files = s.get("files", {})
            links = " · ".join(
                f'<a href="{e(d)}/{e(files[k])}">{k}</a>' for k in ("html", "ipynb", "json", "pdf")
                if files.get(k) and (k in ("html", "ipynb", "json") or (reports_dir / d / files[k]).exists())
            )
            main = f'<a href="{e(d)}/{e(files.get("html", ""))}">{e(str(s.get("title", d)))}</a>'
            rows.append(
                f"<tr><td>{e(str(s.get('kind', d)))}</td><td>{e(str(s.get('stamp', '')))}</td><td>{main}</td>"
                f"<td>{e(str(s.get('headline', '')))}</td><td>{e(str(s.get('recommendation') or ''))}</td>"
                f"<td class=\"num\">{int(s.get('breaches') or 0)}</td><td>{links}</td>"
                f"<td>{e(str(s.get('generated_at', '')))}</td></tr>"
            )
        latest: dict[str, dict[str, Any]] = {}
        for s in items:
            latest.setdefault(s["dir"], s)
        cards = "".join(
            f'<li><a href="{e(k)}/{e(s.get("files", {}).get("html", ""))}">{e(str(s.get("title", k)))}</a>'
            f" <span class=\"muted\">{e(str(s.get('stamp', '')))}</span></li>"
            for k, s in latest.items()
        )
        write_atomic(store, json.dumps({"schema": INDEX_SCHEMA, "reports": items}, indent=1, default=str) + "\n")
        page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>launchkit reports</title>
<style>
body{{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1180px;margin:0 auto;padding:16px 24px;color:#1f2328}}
table{{border-collapse:collapse;font-size:14px;width:100%}} th,td{{border-bottom:1px solid #d0d7de;padding:5px 8px;text-align:left;vertical-align:top}}
th{{background:#f6f8fa}} td.num{{text-align:right}} .muted{{color:#57606a}}
</style></head>
<body>
<h1>launchkit reports</h1>
<p class="muted">{len(items)} reports · index written {e(_iso(_utc_now().replace(microsecond=0)))} · launchkit {e(__version__)}</p>
<h2>Latest of each kind</h2>
<ul>{cards or '<li class="muted">no reports yet</li>'}</ul>
<h2>All reports, newest first</h2>
<table>
<thead><tr><th>kind</th><th>period</th><th>report</th><th>headline</th><th>recommendation</th><th>breaches</th><th>files</th><th>generated (UTC)</th></tr></thead>
<tbody>
{''.join(rows)}
</tbody></table>
</body></html>
"""
        return write_atomic(reports_dir / "index.html", page)
