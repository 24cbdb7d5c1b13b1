"""The index and the hourly alerts say what the reports' tiles say (issue 19, one verdict source).

On synthetic pilots (a healthy one and three with a problem), for a quiet, a busy and a late hour of the
last day: the index entry of each hourly and cost report carries the worst state of its summary's tiles,
named by that tile and said in the reports' words; an alert raised on the hour names exactly the checks
in breach, each red on the hour's tiles, and a breach cleared in a later hour is ok or watch there.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from _tables import load_frames

from launchkit import synth
from launchkit.analytics import pricing
from launchkit.config import load_config
from launchkit.jobs.alerts import payload
from launchkit.jobs.alerts.decide import HourChecks, Outcome, State, decide
from launchkit.jobs.demo import budget_for
from launchkit.jsonclean import clean
from launchkit.reports.content import cost, hourly
from launchkit.reports.run.index import write_index
from launchkit.store.warehouse import Warehouse
from launchkit.window import Window

# worst first, and each state in the hourly and cost reports' words, as docs/reports.md states them
WORST_FIRST = ("breach", "watch", "untrusted", "no-data", "low-sample", "ok", "na")
WORDS = {"breach": "breach", "watch": "watch", "untrusted": "data not trusted", "no-data": "no data",
         "low-sample": "low sample", "ok": "ok", "na": "na"}  # fmt: skip
SCENARIOS = ("healthy", "tool-outage", "tenant-outage", "cost-overrun")
HOURS = (2, 10, 21)


def worst(tiles: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first tile in the worst state (by hand: a loop, not launchkit's ranking)."""
    out = None
    for t in tiles:
        if out is None or WORST_FIRST.index(t["state"]) < WORST_FIRST.index(out["state"]):
            out = t
    return out


@pytest.fixture(scope="module", params=SCENARIOS)
def pilot(request) -> Any:
    """(scenario, the hourly summaries of HOURS on the last day, the last day's cost summary)."""
    p = synth.generate_frames(scenario=request.param, days=4, tenants=3)
    b = budget_for(p)
    cfg = load_config(env={}).with_overrides(
        **{"budget.total_usd": b.total_usd, "pilot.start": str(b.pilot_start), "pilot.end": str(b.pilot_end)}
    )
    con = Warehouse.memory()
    try:
        load_frames(con, p.frames)
        pricing.refresh(con, cfg)
        last = date.fromisoformat(p.ground_truth["end"])
        hours = {}
        for h in HOURS:
            at = datetime(last.year, last.month, last.day, h, tzinfo=UTC)
            hours[at] = clean(hourly.build(con, Window.hour(at, tz=UTC), cfg, tz=UTC, hours=1).summary())
        c = clean(cost.build(con, last, cfg, tz=UTC).summary())
    finally:
        con.close()
    return request.param, hours, c


def _on_disk(folder: Path, s: dict[str, Any], kind: str, stamp: str) -> dict[str, Any]:
    """The summary as a report run writes it beside its HTML (the index keeps reports whose HTML exists)."""
    s = {**s, "kind": kind, "stamp": stamp, "files": {"html": f"{stamp}.html"}, "period": {"end": stamp}}
    (folder / kind).mkdir(parents=True, exist_ok=True)
    (folder / kind / f"{stamp}.html").write_text("<html></html>", encoding="utf-8")
    return s


def test_each_index_entry_carries_the_worst_tile_of_its_summary(pilot, tmp_path):
    name, hours, c = pilot
    written = {("cost", "day"): _on_disk(tmp_path, c, "cost", "day")}
    for at, s in hours.items():
        written[("hourly", f"{at:%H}")] = _on_disk(tmp_path, s, "hourly", f"{at:%H}")
    for s in written.values():
        write_index(tmp_path, s)
    entries = {(e["dir"], e["stamp"]): e for e in json.loads((tmp_path / "index.json").read_text())["reports"]}
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert set(entries) == set(written)
    for key, s in written.items():
        e, t = entries[key], worst(s["tiles"])
        assert t is not None, (name, key)
        assert e["state"] == t["state"] and e["state_words"] == WORDS[t["state"]], (name, key, e, t)
        if t["state"] == "na":
            assert e["state_from"] is None
        else:
            assert e["state_from"] == {"key": t["key"], "label": t["label"], "source": t["source"]}, (name, key)
            assert f">{WORDS[t['state']]}</span> {t['label']}</td>" in page, (name, key)
        if key[0] == "hourly" and any(v["status"] == "breach" for v in s["verdicts"]):
            assert e["state"] == "breach", (name, key)  # an hour whose checks breach is never shown calmer


def _breached(hour: datetime, s: dict[str, Any]) -> set[str]:
    """The checks an alert raised on the hour alone names (a fresh alert state: every breach opens)."""
    run = Outcome((HourChecks(hour, tuple(s["verdicts"])),), hour + timedelta(hours=1), "run", hour=hour)
    events = [e for e in decide(State(), run).events if e.kind == "breach"]
    return {c["check"] for e in events for c in payload.build(e, site="test")["checks"]}


def _tile_states(s: dict[str, Any]) -> dict[str, set[str]]:
    """Per check, the states of the tiles that show it: a tile shows its source check and every other
    check of the same metric (two criteria on one metric share one tile)."""
    metric = {v["check"]: v["metric"] for v in s["verdicts"]}
    out: dict[str, set[str]] = {}
    for t in s["tiles"]:
        src = (t["source"] or "").removeprefix("check:")
        for check, m in metric.items():
            if check == src or (src in metric and m == metric[src] and check != "data_arrived"):
                out.setdefault(check, set()).add(t["state"])
    return out


def test_an_alert_names_exactly_the_checks_red_on_the_hours_tiles(pilot):
    name, hours, _ = pilot
    state = State()
    for hour, s in hours.items():
        alerted = _breached(hour, s)
        assert alerted == {v["check"] for v in s["verdicts"] if v["status"] == "breach"}, (name, hour)
        shown = _tile_states(s)
        for check in alerted:
            assert shown.get(check) == {"breach"}, (name, hour, check, shown.get(check))
        red = {t["source"].removeprefix("check:") for t in s["tiles"] if t["state"] == "breach"}
        assert red <= alerted, (name, hour)
        # over the hours in order, a breach that clears reads ok or watch on the tiles of the hour it clears in
        d = decide(state, Outcome((HourChecks(hour, tuple(s["verdicts"])),), hour + timedelta(hours=1), "r", hour=hour))
        state = d.state
        for b, _when in d.cleared:
            assert shown.get(b.check, {"ok"}) <= {"ok", "watch"}, (name, hour, b.check)
