"""Commands that compute: metrics for a window, the day's decision, GA readiness."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import click

from launchkit.cli.options import config_options, day_option, emit_json, engine_option, json_option, window_options
from launchkit.config import Config
from launchkit.visible import printable, visible_value
from launchkit.window import Window


def _open(config: Config, *, write: bool = False) -> Any:
    """The configured engine's runner (launchkit.store.engines); a lake ([engine.tables]) is priced first."""
    from launchkit.jobs.load import prepare_lake
    from launchkit.store.engines import open_runner

    prepare_lake(config)
    return open_runner(config, write=write)


# The columns `metrics --by` prints (every breakdown has some of them); --json has them all.
BREAKDOWN_COLUMNS = (
    ("active_sessions", "sessions", ""),
    ("turns", "turns", ""),
    ("turn_error_rate", "turn errors", "%"),
    ("tool_calls", "tool calls", ""),
    ("errors", "errors", ""),
    ("timeouts", "timeouts", ""),
    ("tool_call_success_rate", "tool success", "%"),
    ("duration_p50", "p50 duration", "ms"),
    ("duration_p95", "p95 duration", "ms"),
    ("latency_p95", "p95 latency", "ms"),
    ("ttft_p95", "p95 TTFT", "ms"),
    ("total_cost_usd", "cost", "$"),
    ("cost_per_session", "per session", "$"),
    ("csat", "CSAT", "%"),
)


def _print_metrics(out: dict[str, Any], table: Any, by: str | None) -> None:
    """The window's metrics as lines of label and value (with units), then the breakdown as a table."""
    from launchkit.cli.table import Column, text_table
    from launchkit.reports.text import fmt

    m = out["metrics"]
    click.echo(f"window {out['window']['start']} .. {out['window']['end']}")
    lat, ttft, fb = m["latency_ms"], m["ttft_ms"], m["feedback"]
    rows = [
        ("active sessions", fmt(m.get("active_sessions"))),
        ("new sessions", fmt(m.get("new_sessions"))),
        ("tool-call success", fmt(m.get("tool_call_success_rate"), "%")),
        ("turn error rate", fmt(m.get("turn_error_rate"), "%", 2)),
        ("latency p50/p95/p99", " / ".join(fmt(lat.get(k), "ms", 0) for k in ("p50", "p95", "p99"))),
        ("TTFT p50/p95", " / ".join(fmt(ttft.get(k), "ms", 0) for k in ("p50", "p95"))),
        ("total cost", fmt(m.get("total_cost_usd"), "$")),
        ("cost per session", fmt(m.get("cost_per_session"), "$")),
        ("feedback responses", fmt(fb.get("responses"))),
        ("CSAT", fmt(fb.get("csat"), "%")),
        ("thumbs-up rate", fmt(fb.get("thumbs_up_rate"), "%")),
    ]
    for label, value in rows:
        click.echo(f"  {label:<22}{value}")
    if table is not None and by:
        click.echo("")
        digits = {"ms": 0}
        cols = [Column(by, by)] + [Column(c, h, u, digits.get(u)) for c, h, u in BREAKDOWN_COLUMNS]
        shown = table.map(visible_value)  # acme<U+200B>, never a hidden twin
        click.echo(text_table(shown, cols) if len(table) else f"no {by} has data in the window")


@click.command()
@window_options
@click.option(
    "--by",
    type=click.Choice(["tenant", "cohort", "release", "model", "tool"]),
    default=None,
    help="Also print a breakdown by this dimension.",
)
@json_option
@config_options
@engine_option
def metrics(window: Window, by: str | None, as_json: bool, config: Config) -> None:
    """Print the window's metrics: sessions, tool success, errors, latency, cost, feedback, data quality.

    Rates print as percentages (fractions 0-1 in --json), money in USD, latencies in ms; --by adds a
    table of the breakdown's main columns (--json has every column). Missing is "—" (null in JSON),
    never 0.

    \b
    Example:
        launchkit metrics --hour 2026-03-18T14:00Z --json
        launchkit metrics --from 2026-03-12 --to 2026-03-18 --by tool
    """
    from launchkit.analytics import metrics as metrics_mod
    from launchkit.analytics import overview

    with _open(config) as wh:
        out: dict[str, Any] = dict(overview.compute(wh, window, config))
        table = metrics_mod.breakdown(wh, window, by) if by else None
    if by and table is not None:
        out["breakdown"] = {"by": by, "rows": json.loads(table.to_json(orient="records", date_format="iso"))}
    if as_json:
        emit_json(out)
        return
    _print_metrics(out, table, by)


@click.command()
@day_option("The day to decide on ([reports] timezone), e.g. 2026-03-10.", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the decision record as one JSON object.")
@click.option("--no-store", is_flag=True, help="Do not record the decision in the warehouse.")
@config_options
@engine_option
def decide(day: date, as_json: bool, no_store: bool, config: Config) -> None:
    """Recommend EXPAND, HOLD or ROLLBACK for a day, with its reasons, and record the decision.

    \b
    Example:
        launchkit decide --date 2026-03-18 --json
    """
    from launchkit.analytics import decision

    with _open(config, write=not no_store) as wh:
        d = decision.decide(wh, day, config, store=not no_store)
    out = d.to_json()
    if as_json:
        emit_json(out)
        return
    click.echo(f"{out.get('day', day)}: {out['recommendation']}")
    for reason in out.get("reasons", []):
        # a reason names tenants, tools, releases as stored: shown with their hidden characters visible
        click.echo(f"  - {printable(reason.get('message', reason) if isinstance(reason, dict) else reason)}")
        if isinstance(reason, dict) and reason.get("detail"):  # the statistics behind a reason led by its culprit
            click.echo(f"      {printable(reason['detail'])}")


def _evidence(c: Mapping[str, Any]) -> str:
    """A verdict's evidence on one line: value, interval with its level, sample size, pass line."""
    from launchkit.catalogue import unit
    from launchkit.reports.text import fmt

    if c.get("value") is None and not c.get("n"):
        return ""
    u = unit(str(c.get("metric", "")))
    parts = [fmt(c.get("value"), u)]
    iv = c.get("interval") or {}
    if iv.get("low") is not None and iv.get("low") == iv.get("high"):
        parts.append("(exact)")
    elif iv.get("low") is not None and iv.get("high") is not None:
        parts.append(
            f"[{fmt(iv['low'], u)}, {fmt(iv['high'], u)}] {float(iv.get('level', 0.95)):.0%} {iv.get('method', '')}".rstrip()
        )
    if c.get("n") is not None:
        parts.append(f"n={fmt(c['n'])}" + (f" (min {fmt(c['min_sample'])})" if c.get("min_sample") else ""))
    if c.get("pass") is not None:
        sign = "≤" if c.get("direction") == "lower" else "≥"
        parts.append(f"pass {sign} {fmt(c['pass'], u)}")
    return "  ".join(parts)


@click.command()
@day_option("Evaluate the criteria as of this day ([reports] timezone).", required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the readiness summary as one JSON object.")
@config_options
@engine_option
def readiness(day: date, as_json: bool, config: Config) -> None:
    """Check GA readiness as of a day: the go/no-go (the checklist's sign-offs and the items the data
    decides, as the GA report says it), then each GA criterion's verdict with its evidence.

    --json: the criteria's readiness (`ready`: by the data alone) with `go_no_go` and `headline`, the
    GA report's own.

    \b
    Example:
        launchkit readiness --date 2026-03-18 --json
    """
    from launchkit.analytics import gonogo
    from launchkit.window import parse_day

    with _open(config) as wh:
        a = gonogo.assess(wh, parse_day(day, "--date"), config)
    out = a["readiness"]
    if as_json:
        emit_json(out | {"go_no_go": a["go_no_go"], "headline": a["headline"]})
        return
    click.echo(f"{out['as_of']}: {a['headline']}")
    click.echo(f"{gonogo.criteria_words(out)} ({'GA-ready' if out.get('ready') else 'not GA-ready'} by the data)")
    for c in out.get("criteria", []):
        click.echo(f"  {c.get('verdict', '?'):<18} {c.get('name', '?'):<22} {_evidence(c)}".rstrip())
    for b in out.get("blockers", []):
        note = f" ({b['note']})" if b.get("note") else ""
        click.echo(f"  blocker: {b['criterion']} is {b['verdict']}{note}")
    gng = a["go_no_go"]
    if gng["open_items"]:
        click.echo(f"go/no-go: {gng['decision']}, open items:")
        for i in gng["open_items"]:
            click.echo(f"  {i['status']:<8} {i['id']}: {i['title']} ({i['owner']})")
