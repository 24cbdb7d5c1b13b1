"""Commands that compute: metrics for a window, the day's decision, GA readiness."""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

import click

from launchkit.cli.options import check_day, check_time, config_options, emit_json, engine_option, json_option
from launchkit.config import Config
from launchkit.errors import LaunchkitError
from launchkit.window import Window


def _window(hour: str | None, day: str | None, start: str | None, end: str | None, tz: tzinfo) -> Window:
    """The window the flags ask for: a clock hour, a calendar day or a range, in the report zone."""
    chosen = [x for x in (hour, day, start or end) if x]
    if len(chosen) != 1:
        raise LaunchkitError("give exactly one of --hour, --date, or --from with --to")
    if hour:
        return Window.hour(hour, tz=tz)
    if day:
        return Window.day(day, tz=tz)
    if not (start and end):
        raise LaunchkitError("--from and --to go together")
    return Window.range(start, end, tz)


def _open(config: Config, *, write: bool = False) -> Any:
    """The configured engine's runner (launchkit.store.engines); a lake ([engine.tables]) is priced first."""
    from launchkit.jobs.load import prepare_lake
    from launchkit.store.engines import open_runner

    prepare_lake(config)
    return open_runner(config, write=write)


def _fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "no data"
    if isinstance(v, float):
        return f"{v:,.4g}{unit}"
    return f"{v}{unit}"


@click.command()
@click.option(
    "--hour",
    type=str,
    default=None,
    callback=check_time,
    help="One clock hour, e.g. 2026-03-02T10:00Z (without an offset: [reports] timezone's clock).",
)
@click.option(
    "--date", "day", type=str, default=None, callback=check_day, help="One day ([reports] timezone), e.g. 2026-03-02."
)
@click.option(
    "--from", "start", type=str, default=None, callback=check_time, help="Range start (a date is the whole day)."
)
@click.option("--to", "end", type=str, default=None, callback=check_time, help="Range end (a date is included whole).")
@click.option(
    "--by",
    type=click.Choice(["tenant", "cohort", "release", "model", "tool"]),
    default=None,
    help="Also print a breakdown by this dimension.",
)
@json_option
@config_options
@engine_option
def metrics(
    hour: str | None, day: str | None, start: str | None, end: str | None, by: str | None, as_json: bool, config: Config
) -> None:
    """Print the window's metrics: sessions, tool success, errors, latency, cost, feedback, data quality.

    Rates are fractions 0-1; "no data" (null in JSON) is never shown as 0.

    \b
    Example:
        launchkit metrics --hour 2026-03-02T10:00Z --json
        launchkit metrics --from 2026-03-02 --to 2026-03-08 --by tool
    """
    from launchkit.analytics import metrics as metrics_mod
    from launchkit.analytics import overview

    window = _window(hour, day, start, end, config.report_zone)
    with _open(config) as wh:
        out = overview.compute(wh, window, config)
        table = metrics_mod.breakdown(wh, window, by) if by else None
    if by and table is not None:
        out["breakdown"] = {"by": by, "rows": json.loads(table.to_json(orient="records", date_format="iso"))}
    if as_json:
        emit_json(out)
        return
    m = out["metrics"]
    click.echo(f"window {out['window']['start']} .. {out['window']['end']}")
    rows = [
        ("active sessions", _fmt(m.get("active_sessions"))),
        ("new sessions", _fmt(m.get("new_sessions"))),
        ("tool-call success", _fmt(m.get("tool_call_success_rate"))),
        ("turn error rate", _fmt(m.get("turn_error_rate"))),
        ("latency p50/p95/p99 ms", " / ".join(_fmt(m["latency_ms"].get(k)) for k in ("p50", "p95", "p99"))),
        ("ttft p50/p95 ms", " / ".join(_fmt(m["ttft_ms"].get(k)) for k in ("p50", "p95"))),
        ("total cost", _fmt(m.get("total_cost_usd"), " USD")),
        ("cost per session", _fmt(m.get("cost_per_session"), " USD")),
        ("feedback responses", _fmt(m["feedback"].get("responses"))),
        ("CSAT", _fmt(m["feedback"].get("csat"))),
        ("thumbs-up rate", _fmt(m["feedback"].get("thumbs_up_rate"))),
    ]
    for label, value in rows:
        click.echo(f"  {label:<24}{value}")
    if table is not None:
        click.echo(table.to_string(index=False))


@click.command()
@click.option(
    "--date",
    "day",
    type=str,
    required=True,
    callback=check_day,
    help="The day to decide on ([reports] timezone), e.g. 2026-03-10.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the decision record as one JSON object.")
@click.option("--no-store", is_flag=True, help="Do not record the decision in the warehouse.")
@config_options
@engine_option
def decide(day: str, as_json: bool, no_store: bool, config: Config) -> None:
    """Recommend EXPAND, HOLD or ROLLBACK for a day, with its reasons, and record the decision.

    \b
    Example:
        launchkit decide --date 2026-03-10 --json
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
        click.echo(f"  - {reason.get('message', reason) if isinstance(reason, dict) else reason}")
        if isinstance(reason, dict) and reason.get("detail"):  # the statistics behind a reason led by its culprit
            click.echo(f"      {reason['detail']}")


def _evidence(c: dict[str, Any]) -> str:
    """A verdict's evidence on one line: value, interval with its level, sample size, pass line."""
    from launchkit.catalogue import unit
    from launchkit.reports.page.text import fmt

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
@click.option(
    "--date",
    "day",
    type=str,
    required=True,
    callback=check_day,
    help="Evaluate the criteria as of this day ([reports] timezone).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the readiness summary as one JSON object.")
@config_options
@engine_option
def readiness(day: str, as_json: bool, config: Config) -> None:
    """Check the GA success criteria as of a day: verdict per criterion, blockers, GA readiness.

    \b
    Example:
        launchkit readiness --date 2026-03-15 --json
    """
    from launchkit.analytics import criteria

    with _open(config) as wh:
        r = criteria.evaluate(wh, day, config)
    out = r.to_json()
    if as_json:
        emit_json(out)
        return
    click.echo(f"GA ready: {'yes' if out.get('ready') else 'no'}")
    for c in out.get("criteria", []):
        click.echo(f"  {c.get('verdict', '?'):<18} {c.get('name', '?'):<22} {_evidence(c)}".rstrip())
    for b in out.get("blockers", []):
        note = f" ({b['note']})" if b.get("note") else ""
        click.echo(f"  blocker: {b['criterion']} is {b['verdict']}{note}")
