"""The T-24h go/no-go: the playbook's checklist (kept by its owners) and the items the data decides.

GO only when every item is done (or n/a). The checklist is a TOML file of [[item]] tables; launchkit
ships the playbook's default (package data), and a team points [ga] checklist at its own copy.

The data decides the GA criteria per group, data quality, the day's recommendation and, when [ga]
freeze_from / freeze_to are set, the deployment freeze: a regular release shipped inside it blocks GA
(an emergency fix does not), with the offending releases as evidence.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

from launchkit.analytics.criteria import VERDICT_WORDS, group_words
from launchkit.analytics.quality import GATE_WORDS
from launchkit.catalogue import display_name
from launchkit.config import Config
from launchkit.config.capacity import LIMIT_KINDS
from launchkit.errors import InputFileError
from launchkit.jsonclean import clean
from launchkit.store.warehouse import QueryRunner
from launchkit.window import Window, clock

if TYPE_CHECKING:  # the decision is imported where it is made (assess)
    from launchkit.analytics.criteria import ReadinessJson
    from launchkit.analytics.decision import DecisionJson

DEFAULT_CHECKLIST = resources.files("launchkit.analytics") / "checklist.toml"
CHECKLIST_STATUSES = ("done", "pending", "blocked", "n/a")


class ChecklistItem(TypedDict):
    """A go/no-go item: a sign-off of the checklist's (source "checklist") or a check the data decides ("data")."""

    id: str
    phase: str  # precondition / go/no-go
    title: str
    owner: str
    status: str  # CHECKLIST_STATUSES
    evidence: str
    note: str
    source: str
    blocking: NotRequired[list[str]]  # a data item's criteria in the way (ids, for machines)


class Freeze(TypedDict):
    """The deployment freeze against the releases shipped in it (`freeze_check`), strict JSON."""

    configured: bool
    window: dict[str, str] | None  # start, end, first_day, last_day
    releases: list[dict[str, Any]]  # releases/shipped rows
    blocking: list[dict[str, Any]]
    releases_loaded: int | None
    status: str
    evidence: str


class OpenItem(TypedDict):
    id: str
    title: str
    owner: str
    status: str


class GoNoGo(TypedDict):
    """GO or NO-GO (`go_no_go`), the items still open and how many items there are."""

    decision: str
    open_items: list[OpenItem]
    items: int


class Assessment(TypedDict):
    """The GA verdict of a day (`assess`): what the GA report and `launchkit readiness` show."""

    as_of: date
    decision: DecisionJson
    readiness: ReadinessJson
    freeze: Freeze
    capacity: dict[str, Any] | None  # capacity.plan.report(...).to_json(), with [capacity.limits]
    checklist: list[ChecklistItem]
    go_no_go: GoNoGo
    headline: str


def load_checklist(path: str | Path | None = None) -> list[ChecklistItem]:
    """The go/no-go checklist: [[item]] tables with id, phase, title, owner, status, evidence.

    `path` (a file of the team's, e.g. [ga] checklist), else the playbook's default that ships with
    launchkit. Errors name the file, item and key.
    """
    if path:
        p = Path(path)
        if not p.is_file():
            raise InputFileError(str(p), "no such checklist file")
        try:
            text = p.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(str(p), f"cannot read it as UTF-8 text ({type(exc).__name__})") from None
        name = str(p)
    else:
        text = DEFAULT_CHECKLIST.read_text(encoding="utf-8")
        name = "checklist.toml (launchkit's default)"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(name, f"not valid TOML: {exc}") from None
    items = data.get("item")
    if not isinstance(items, list) or not items:
        raise InputFileError(name, "needs [[item]] tables")
    out: list[ChecklistItem] = []
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        where = f"item {i}"
        if not isinstance(item, dict):
            raise InputFileError(name, f"{where}: must be a table")
        for key in ("id", "phase", "title", "owner", "status"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise InputFileError(name, f"{where}: '{key}' is required (text)")
        unknown = set(item) - {"id", "phase", "title", "owner", "status", "evidence", "note"}
        if unknown:
            raise InputFileError(name, f"{where}: unknown key '{sorted(unknown)[0]}'")
        if item["status"] not in CHECKLIST_STATUSES:
            raise InputFileError(
                name, f"{where}: status must be one of {', '.join(CHECKLIST_STATUSES)}, got {item['status']!r}"
            )
        if item["phase"] not in ("precondition", "go/no-go"):
            raise InputFileError(name, f"{where}: phase must be 'precondition' or 'go/no-go', got {item['phase']!r}")
        if item["id"] in seen:
            raise InputFileError(name, f"{where}: duplicate id {item['id']!r}")
        seen.add(item["id"])
        out.append(
            {
                "id": item["id"],
                "phase": item["phase"],
                "title": item["title"],
                "owner": item["owner"],
                "status": item["status"],
                "evidence": item.get("evidence", ""),
                "note": item.get("note", ""),
                "source": "checklist",
            }
        )
    return out


FREEZE_ID = "data-freeze"


def freeze_check(db: QueryRunner, config: Config) -> Freeze:
    """The deployment freeze ([ga] freeze_from to freeze_to, whole days of the report zone) against the releases table.

    {"configured", "window" {start, end}, "releases" (shipped inside it), "blocking" (the regular ones),
    "releases_loaded", "status", "evidence"}. status: "n/a" without a freeze; "blocked" when a regular
    release shipped inside it; "pending" when no release was loaded at all (nothing to judge the freeze
    by: missing is not "none shipped"); else "done".
    """
    days = config.freeze
    if days is None:
        return {
            "configured": False,
            "window": None,
            "releases": [],
            "blocking": [],
            "releases_loaded": None,
            "status": "n/a",
            "evidence": "no deployment freeze dates set (docs/configuration.md)",
        }
    tz = config.report_zone
    w = Window.days(days[0], days[1], tz)
    shipped = [dict(r) for r in db.frame("releases/shipped", w.params).to_dict("records")]
    loaded = int(db.one("releases/count")["releases_loaded"] or 0)
    blocking = [r for r in shipped if r["kind"] != "emergency"]
    span = f"{days[0].isoformat()} to {days[1].isoformat()}"
    if blocking:
        status = "blocked"
        evidence = f"{len(blocking)} regular release(s) shipped in the freeze {span}: " + "; ".join(
            f"{r['release']} at {_when(r['shipped_at'], tz)}" for r in blocking
        )
    elif not loaded:
        status = "pending"
        evidence = f"no releases loaded (releases_*.csv): cannot tell whether the freeze {span} held"
    else:
        status = "done"
        evidence = f"no regular release shipped in the freeze {span}"
    emergency = [r for r in shipped if r["kind"] == "emergency"]
    if emergency:
        evidence += "; emergency fixes allowed: " + ", ".join(
            f"{r['release']} at {_when(r['shipped_at'], tz)}" for r in emergency
        )
    return clean(
        {
            "configured": True,
            "window": {**w.to_json(), "first_day": days[0], "last_day": days[1]},
            "releases": shipped,
            "blocking": blocking,
            "releases_loaded": loaded,
            "status": status,
            "evidence": evidence,
        }
    )


def _when(ts: Any, tz: tzinfo) -> str:
    return clock(ts, tz) if isinstance(ts, datetime) else str(ts)


def freeze_item(fz: Mapping[str, Any]) -> ChecklistItem:
    """The freeze check (`freeze_check`) as a go/no-go item."""
    w = fz.get("window") or {}
    title = (
        f"Deployment freeze held: no regular release from {w['first_day']} to {w['last_day']}"
        if fz.get("configured")
        else "Deployment freeze held (no freeze configured)"
    )
    return {
        "id": FREEZE_ID,
        "phase": "go/no-go",
        "title": title,
        "owner": "launchkit (data)",
        "status": fz["status"],
        "evidence": fz["evidence"],
        "note": "",
        "source": "data",
    }


CAPACITY_ID = "data-capacity"
_CAPACITY_STATUS = {
    "PASS": "done",
    "MARGINAL": "pending",
    "INSUFFICIENT DATA": "pending",
    "FAIL": "blocked",
    "n/a": "n/a",
}


def capacity_item(cap: Mapping[str, Any]) -> ChecklistItem:
    """The rate-limit check (launchkit.analytics.capacity.plan.report(...).to_json()) as a go/no-go item,
    beside the checklist's manual capacity-quota line: PASS done, MARGINAL or INSUFFICIENT DATA pending,
    FAIL blocked, n/a without any [capacity.limits]; the evidence names the binding limit."""
    verdict = str(cap.get("verdict"))
    target = cap.get("target_sessions_per_day")
    limits = cap.get("limits") or []
    if not limits:  # nothing to judge by: the checklist's manual capacity-quota item stands alone
        verdict = "n/a"
        evidence = "no provider rate limits set: the checklist's rate-limit sign-off stands alone (docs/capacity.md)"
    else:
        binding = next((c for c in limits if f"{c['limit']} {c['kind']}" == cap.get("binding_limit")), None)
        worst = binding or max(limits, key=lambda c: c["verdict"] == verdict)
        kind = f"{LIMIT_KINDS.get(worst['kind'], worst['kind']).replace('_', ' ')} per minute"
        reason = str(worst["reason"]).replace(f"{worst['limit']} {worst['kind']} ", f"{worst['limit']} {kind} ", 1)
        evidence = f"{VERDICT_WORDS.get(verdict, verdict)} at {target:,.0f} sessions/day; binding: {reason}"
    return {
        "id": CAPACITY_ID,
        "phase": "go/no-go",
        "title": "Rate limits fit GA traffic",
        "owner": "launchkit (data)",
        "status": _CAPACITY_STATUS.get(verdict, "pending"),
        "evidence": evidence,
        "note": "",
        "source": "data",
    }


def data_checks(
    dec: Any, freeze: Mapping[str, Any] | None = None, capacity: Mapping[str, Any] | None = None
) -> list[ChecklistItem]:
    """The go/no-go items the data decides, from a decision.Decision (its readiness and day), and the
    deployment freeze (`freeze_check`) and the rate-limit check (`capacity_item`) when given."""
    d = dec.to_json() if hasattr(dec, "to_json") else dict(dec)
    crit = d.get("criteria", {})
    by_group: dict[str, list[dict[str, Any]]] = {}
    for c in crit.get("criteria", []):
        if c.get("criticality") == "report-only" or not c.get("applies", True):
            continue
        by_group.setdefault(str(c.get("group")), []).append(c)
    out: list[ChecklistItem] = []
    for group, cs in sorted(by_group.items()):
        bad = [
            c
            for c in cs
            if (c.get("criticality") == "critical" and c.get("verdict") != "PASS") or c.get("verdict") == "FAIL"
        ]
        out.append(
            {
                "id": f"data-{group}",
                "phase": "go/no-go",
                "title": f"GA criteria: {group_words(group)}",
                "owner": "launchkit (data)",
                "status": "blocked" if bad else "done",
                "evidence": f"{len(cs) - len(bad)}/{len(cs)} criteria clear"
                + (
                    ": "
                    + "; ".join(
                        f"{display_name(c['metric'])} {VERDICT_WORDS.get(c['verdict'], c['verdict'])}" for c in bad
                    )
                    if bad
                    else ""
                ),
                "note": "",
                "source": "data",
                "blocking": [c["name"] for c in bad],  # the criteria by id, for machines (the evidence names them)
            }
        )
    dq = d.get("data_quality", {})
    out.append(
        {
            "id": "data-quality",
            "phase": "go/no-go",
            "title": "Telemetry complete enough to trust",
            "owner": "launchkit (data)",
            "status": "done" if dq.get("ok", True) else "blocked",
            "evidence": "all data-quality gates pass"
            if dq.get("ok", True)
            else "too little of: " + ", ".join(GATE_WORDS.get(g, g) for g in dq.get("failed", [])),
            "note": "",
            "source": "data",
        }
    )
    rec = d.get("recommendation")
    out.append(
        {
            "id": "data-decision",
            "phase": "go/no-go",
            "title": "Day's recommendation is EXPAND",
            "owner": "launchkit (data)",
            "status": "done" if rec == "EXPAND" else "blocked",
            "evidence": f"recommendation {rec} for {d.get('day')}",
            "note": "",
            "source": "data",
        }
    )
    if freeze is not None:
        out.append(freeze_item(freeze))
    if capacity is not None:
        out.append(capacity_item(capacity))
    return out


def go_no_go(items: Sequence[ChecklistItem]) -> GoNoGo:
    """GO only when every item is done (or n/a); otherwise NO-GO with the open items."""
    open_items = [i for i in items if i["status"] not in ("done", "n/a")]
    return {
        "decision": "GO" if not open_items else "NO-GO",
        "open_items": [
            {"id": i["id"], "title": i["title"], "owner": i["owner"], "status": i["status"]} for i in open_items
        ],
        "items": len(items),
    }


def assess(db: QueryRunner, day: date, config: Config, checklist: str | Path | None = None) -> Assessment:
    """The GA report's verdict for a day, in one place for the report and `launchkit readiness`: the
    day's decision (with the criteria evaluated as of it), the deployment freeze, the checklist with the
    items the data decides, the go/no-go, and the headline that says both in the same words."""
    from launchkit.analytics import decision
    from launchkit.analytics.capacity import plan as capacity_plan

    dec = decision.decide(db, day, config, store=False, history_days=config.settings.criteria.history_days)
    d = dec.to_json()
    freeze = freeze_check(db, config)
    cap = capacity_plan.report(db, config, day).to_json() if config.capacity.limits else None
    items = load_checklist(checklist or config.checklist_path) + data_checks(d, freeze=freeze, capacity=cap or {})
    gng = go_no_go(items)
    return {
        "as_of": day,
        "decision": d,
        "readiness": d["criteria"],
        "freeze": freeze,
        "capacity": cap,
        "checklist": items,
        "go_no_go": gng,
        "headline": headline(d["criteria"], gng, items, d["recommendation"]),
    }


def criteria_words(readiness: Mapping[str, Any]) -> str:
    """'data criteria: 10/10 pass' or 'data criteria: 8/10 pass, 2 in the way (Cost per session fails, ...)':
    the criteria that apply, by their display names, as `launchkit readiness` and the GA report both say it."""
    applied = [c for c in readiness.get("criteria", []) if c.get("applies", True)]
    passed = sum(1 for c in applied if c.get("verdict") == "PASS")
    text = f"data criteria: {passed}/{len(applied)} pass"
    blockers = readiness.get("blockers") or []
    metric = {c.get("name"): c.get("metric") for c in readiness.get("criteria", [])}
    if blockers:
        text += (
            f", {len(blockers)} in the way ("
            + ", ".join(
                f"{display_name(str(metric.get(b['criterion']) or b['criterion']))} "
                f"{VERDICT_WORDS.get(b['verdict'], b['verdict'])}"
                for b in blockers
            )
            + ")"
        )
    return text


def headline(readiness: Mapping[str, Any], gng: Mapping[str, Any], items: Sequence[ChecklistItem], today: Any) -> str:
    """'NO-GO: 11 sign-offs pending; data criteria: 10/10 pass; today EXPAND' (GO: every item done)."""
    ids = {i["id"] for i in gng.get("open_items", [])}
    signoffs = [i for i in items if i["id"] in ids and i.get("source") != "data"]
    data_open = [i for i in items if i["id"] in ids and i.get("source") == "data"]
    parts = [str(gng["decision"])]
    if signoffs:
        n = len(signoffs)
        parts[0] += f": {n} sign-off{'s' if n != 1 else ''} pending"
    if data_open:
        n = len(data_open)
        parts.append(f"{n} data check{'s' if n != 1 else ''} open")
    parts.append(criteria_words(readiness))
    return "; ".join(parts) + (f"; today {today}" if today else "")
