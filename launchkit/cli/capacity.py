"""`launchkit capacity`: will the traffic of GA (or of the next step) fit the providers' rate limits."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from launchkit.cli.options import config_options, day_option, emit_json, engine_option, json_option
from launchkit.config import Config
from launchkit.errors import LaunchkitError


def _tenants(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """`+K` (or K): tenants added to the pilot."""
    if value is None:
        return None
    text = value.strip().removeprefix("+")
    if not text.isdigit() or int(text) < 1:
        raise click.BadParameter(f"must be +K with K a whole number >= 1, got {value!r}")
    return int(text)


def _line(check: dict[str, Any]) -> str:
    p99 = check.get("projected_p99_minute") or {}
    est = p99.get("estimate")
    shown = f"p99 minute {est:,.0f} ({p99['low']:,.0f}-{p99['high']:,.0f})" if est is not None else "not projected"
    room = check.get("headroom")
    room_text = f", headroom {room:.0%}" if room is not None else ""
    return (
        f"  {check['verdict']:<17} {check['limit']:<32} {check['kind']:<4} {check['per_minute']:>13,.0f}/min  "
        f"{shown}{room_text}"
    )


@click.command()
@day_option("As of this day (a day of [reports] timezone). Default: the latest day with data.")
@click.option("--sessions-per-day", type=click.FloatRange(min=0, min_open=True), default=None, help="Target traffic.")
@click.option("--tenants", type=str, default=None, callback=_tenants, help="Target: the pilot plus K tenants (+K).")
@json_option
@config_options
@engine_option
def capacity(
    day: date | None, sessions_per_day: float | None, tenants: int | None, as_json: bool, config: Config
) -> None:
    """Project the pilot's per-minute load to a target traffic against [capacity.limits], and plan the next step.

    The target is ga.expected_sessions_per_day unless --sessions-per-day or --tenants +K says otherwise.
    Exit status 0 whatever the verdict (the GA report and the debrief carry it).

    \b
    Example:
        launchkit capacity --tenants +4 --json
    """
    from launchkit.analytics.capacity import plan
    from launchkit.analytics.span import latest_day_with_data
    from launchkit.cli.analysis import _open

    if sessions_per_day is not None and tenants is not None:
        raise LaunchkitError("give --sessions-per-day or --tenants, not both")
    with _open(config) as wh:
        as_of = day or latest_day_with_data(wh, config.report_zone)
        load = plan.load_to(wh, config, as_of)
        target = sessions_per_day
        if tenants is not None:
            target = plan.tenants_step(load, tenants)
            if target is None:
                raise LaunchkitError("no pilot traffic to size a tenant step from")
        rep = plan.report(wh, config, as_of, target, load=load)
        step = plan.expansion_plan(wh, config, as_of, load=load)
    out = {**rep.to_json(), "expansion_plan": step}
    if as_json:
        emit_json(out)
        return
    pilot = out.get("pilot_sessions_per_day")
    click.echo(
        f"capacity as of {as_of}: {out['verdict']} at {out['target_sessions_per_day']:,.0f} sessions/day "
        f"(pilot {pilot:,.0f}/day over {out['days_observed']} days)"
        if pilot
        else f"capacity: {out['verdict']} (no pilot traffic)"
    )
    if not out["limits"]:
        click.echo("  no [capacity.limits] configured: nothing to check (docs/capacity.md)")
    for check in out["limits"]:
        click.echo(_line(check))
    rl = out["rate_limited"]
    if rl.get("rate_limited"):
        click.echo(f"  rate-limited turns in the pilot: {rl['rate_limited']:,} of {rl['turns']:,} ({rl['share']:.2%})")
    if step.get("max_sessions_per_day") is not None:
        tenants_text = f" (+{step['step_tenants']} tenants)" if step.get("step_tenants") is not None else ""
        click.echo(
            f"  next step: up to {step['max_sessions_per_day']:,.0f} sessions/day{tenants_text}; binds first: {step['binding']}"
        )
    else:
        click.echo(f"  next step: {step.get('reason') or step.get('verdict')}")
