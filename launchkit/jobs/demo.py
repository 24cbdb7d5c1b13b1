"""`launchkit demo`: a synthetic pilot generated, loaded and reported, with a config a new user can open.

The demo's pilot is busier than `launchkit synth`'s default (launchkit.synth.parameters.DEMO_*), so its
busiest hours reach the criteria's minimum samples, and it ends on a weekday. Its budget comes from
a launchkit.toml the demo writes beside the warehouse when no config is found (`config_for`): the
file says where the number came from, and later commands in that folder use the same budget.

A warehouse that holds only an earlier demo pilot with other parameters (another scenario, seed or
start) is replaced before loading (`replace_other_pilot`): the pilots share their keys, so loading
one over the other would mix them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchkit.config import Config, load_config
from launchkit.config.file import CONFIG_FILE
from launchkit.errors import LaunchkitError
from launchkit.reports.kinds import KINDS
from launchkit.store import atomic
from launchkit.store.snapshot import snapshot_path
from launchkit.store.warehouse import Warehouse
from launchkit.synth.frames import SynthPilot
from launchkit.synth.parameters import DEMO_RATE_LIMITS

CONFIG_MARK = "# Written by `launchkit demo`"
PILOT_DAYS = 30  # the pilot period the demo's config declares, from the pilot's first day
HEADROOM = 1.5  # budget over the first week's daily spend
FIRST_DAYS = 7
# ground_truth.json fields that make two demo pilots the same pilot
_SAME_PILOT = ("scenario", "seed", "days", "tenants", "start", "sessions_per_hour")


@dataclass(frozen=True)
class Budget:
    """The demo's budget and how it was derived (the config file says so in a comment)."""

    total_usd: float
    per_day_usd: float  # mean spend per day over the first days
    first_days: int
    pilot_start: dt.date
    pilot_end: dt.date

    @property
    def why(self) -> str:
        return (
            f"${self.per_day_usd:,.0f} a day over the pilot's first {self.first_days} days, x {PILOT_DAYS} days, "
            f"+ {round((HEADROOM - 1) * 100)} % headroom, rounded up"
        )


def budget_for(pilot: SynthPilot, pilot_days: int = PILOT_DAYS, first_days: int = FIRST_DAYS) -> Budget:
    """A budget a team could have set after its pilot's first week: the vendors' mean daily bill over
    the first `first_days` days (only days before the pilot's reference day, where a scenario's
    problem starts), over `pilot_days` days, with 50 % headroom, rounded up to two significant
    digits. Every scenario of a seed thus gets the same budget, and a cost overrun shows as a
    forecast over it."""
    bills = pilot.frames["vendor_costs"]
    per_day = bills.groupby(bills["usage_date"].astype(str))["amount_usd"].sum().sort_index()
    ref = pilot.ground_truth.get("reference_day")
    before = per_day[per_day.index < ref] if ref else per_day
    first = (before if len(before) else per_day).iloc[:first_days]
    daily = float(first.mean()) if len(first) else 0.0
    start = dt.date.fromisoformat(str(pilot.ground_truth["start"]))
    raw = daily * pilot_days * HEADROOM
    total = 0.0
    if raw > 0:
        step = 10.0 ** (math.floor(math.log10(raw)) - 1)
        total = math.ceil(raw / step) * step
    return Budget(round(total, 2), daily, len(first), start, start + dt.timedelta(days=pilot_days - 1))


def is_demo_config(path: Path) -> bool:
    """The file exists and still starts with the line the demo writes (nobody has claimed it)."""
    try:
        with path.open(encoding="utf-8") as f:
            return f.readline().startswith(CONFIG_MARK)
    except OSError:
        return False


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def config_text(config: Config, pilot: SynthPilot, budget: Budget, folder: Path) -> str:
    """The demo's launchkit.toml: the pilot period and budget (with where they came from), and the
    warehouse and reports folder when they are not the defaults beside the file."""
    gt = pilot.ground_truth
    lines = [
        f"{CONFIG_MARK} for its synthetic pilot ({gt['scenario']}, seed {gt['seed']}, {gt['start']} to {gt['end']}).",
        "# The demo rewrites this file while the line above is unchanged: edit or delete that line to keep",
        "# your changes. Every key is described in docs/configuration.md.",
        "",
    ]
    wh = _relative(config.warehouse_path, folder)
    if wh != "launchkit.duckdb":
        lines += ["[warehouse]", f"path = {_toml_string(wh)}", ""]
    rep = _relative(config.reports_dir, folder)
    if rep != "reports":
        lines += ["[reports]", f"dir = {_toml_string(rep)}", ""]
    lines += [
        "[pilot]",
        f'start = "{budget.pilot_start.isoformat()}"  # the synthetic pilot\'s first day',
        f'end = "{budget.pilot_end.isoformat()}"  # a {PILOT_DAYS}-day pilot: the cost report forecasts spend to this day',
        "",
        "[budget]",
        f"# {budget.why}",
        f"total_usd = {budget.total_usd:.1f}",
        f"cost_per_session_usd = {config.cost_per_session_usd}  # the target cost per session (the default)",
        "",
        "# The providers' per-minute limits the GA report checks GA traffic against (docs/capacity.md):",
        "# a made-up tier for the synthetic pilot's models; put your accounts' real limits here.",
    ]
    for key, limits in DEMO_RATE_LIMITS.items():
        lines += [f"[capacity.limits.{_toml_string(key)}]", *(f"{k} = {v}" for k, v in limits.items()), ""]
    return "\n".join(lines)


def config_for(config: Config, pilot: SynthPilot) -> tuple[Config, str]:
    """The configuration the demo runs with, and one line saying where its budget comes from.

    No config found: the demo writes launchkit.toml beside the warehouse (or rewrites the one it
    wrote before) and loads it. A config of the user's is used as it is (the line says when it sets
    no budget). A launchkit.toml beside the warehouse that is not the demo's and was not found from
    here is left alone; the budget is then passed to the reports without a file.
    """
    budget = budget_for(pilot)
    folder = config.warehouse_path.parent
    target = folder / CONFIG_FILE
    ours = is_demo_config(target)
    found = config.path.resolve() if config.path is not None else None
    if found is not None and not (ours and found == target.resolve()):
        if config.budget_total_usd is None:
            return config, (
                f"budget: not set in {config.path} (budget.total_usd), so the cost report's budget tiles read —; "
                f"this pilot's first week suggests {budget.total_usd:,.0f}"
            )
        return config, f"budget: ${config.budget_total_usd:,.0f} from {config.path}"
    overrides: dict[str, Any] = {
        "pilot.start": budget.pilot_start.isoformat(),
        "pilot.end": budget.pilot_end.isoformat(),
        "budget.total_usd": budget.total_usd,
    }
    if target.exists() and not ours:
        return config.with_overrides(**overrides), (
            f"budget: ${budget.total_usd:,.0f} ({budget.why}), passed to the reports: {target} is not the demo's"
        )
    atomic.write_text(target, config_text(config, pilot, budget, folder))
    loaded = load_config(target, warehouse=str(config.warehouse_path), reports_dir=str(config.reports_dir))
    return loaded, f"budget: ${budget.total_usd:,.0f} ({budget.why}), in {target}"


def previous_pilot(data_dir: Path) -> dict[str, Any] | None:
    """The ground truth of the synthetic pilot already in `data_dir`, if any."""
    try:
        gt = json.loads((data_dir / "ground_truth.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return gt if isinstance(gt, dict) else None


def same_pilot(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in _SAME_PILOT)


def replace_other_pilot(config: Config, data_dir: Path, pilot: SynthPilot) -> str | None:
    """Remove the warehouse (and its snapshot and reports) when it holds only an earlier demo pilot
    that differs from `pilot`; say so. A warehouse that also holds other files' data is refused."""
    wh = config.warehouse_path
    before = previous_pilot(data_dir)
    if before is None or not wh.exists() or same_pilot(before, pilot.ground_truth):
        return None
    home = data_dir.resolve()
    with Warehouse.open(wh, read_only=True, wait_s=config.lock_timeout_s) as w:
        paths = [str(p) for p, _ in w.rows("reports/loaded_paths")]
    other = [p for p in paths if not Path(p).resolve().is_relative_to(home)]
    if other:
        raise LaunchkitError(
            f"{wh} holds data loaded from elsewhere ({other[0]}{' and more' if len(other) > 1 else ''}) besides "
            f"an earlier demo pilot: run the demo in an empty folder or with --warehouse"
        )
    snap = snapshot_path(wh)
    for p in (wh, wh.with_name(wh.name + ".wal"), snap, snap.with_name(snap.name + ".json")):
        p.unlink(missing_ok=True)
    removed = 0
    for kind in KINDS:
        for p in (config.reports_dir / kind).glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*"):
            if p.is_file() and p.suffix in (".html", ".ipynb", ".json", ".pdf"):
                p.unlink()
                removed += 1
    return (
        f"replaced the earlier demo pilot ({before.get('scenario')}, seed {before.get('seed')}, from "
        f"{before.get('start')}): a new warehouse {wh}" + (f", its {removed} report files removed" if removed else "")
    )
