"""Values are parsed once, at the edge: the CLI's shared options read a time or a day on the configured
zone ([reports] timezone) after the config is loaded and pass `date` / `datetime` / `Window` values; the
library below takes typed values only and the zone as an argument (no UTC default), so mypy catches a
string or a forgotten zone."""

from __future__ import annotations

import ast
import functools
import json
from datetime import date, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import launchkit
from launchkit import exits
from launchkit.cli import cli
from launchkit.cli.options import LaunchkitGroup, at_option, config_options, day_option, no_redact_option
from launchkit.store.warehouse import Warehouse

NEW_YORK_TOML = '[reports]\ntimezone = "America/New_York"\n'


@pytest.fixture
def ny_config(tmp_path: Path) -> Path:
    path = tmp_path / "launchkit.toml"
    path.write_text(NEW_YORK_TOML + "redact = false\n")
    return path


@click.group(cls=LaunchkitGroup)
def _probe_group() -> None:
    """A group with one command that prints what the shared options passed it."""


@_probe_group.command("probe")
@at_option("a time")
@day_option("a day")
@no_redact_option("keep personal data")
@config_options
def _probe(at: datetime | None, day: date | None, redact: bool, config: object) -> None:
    click.echo(json.dumps({"at": at.isoformat() if at else None, "day": repr(day), "redact": redact}))


def probe(*args: str) -> dict[str, object]:
    res = CliRunner().invoke(_probe_group, ["probe", *args])
    assert res.exit_code == 0, res.output
    return dict(json.loads(res.output))


def test_at_without_an_offset_is_read_on_the_configured_zone(ny_config):
    # 10:00 in New York on 2026-03-10 (daylight time since 03-08, UTC-4) is 14:00 UTC; on the default
    # zone the same text is 10:00 UTC
    assert probe("--at", "2026-03-10T10:00", "--config", str(ny_config))["at"] == "2026-03-10T14:00:00+00:00"
    assert probe("--at", "2026-03-10T10:00", "--config", "none")["at"] == "2026-03-10T10:00:00+00:00"
    # an offset is that instant, whatever the zone
    assert probe("--at", "2026-03-10T10:00Z", "--config", str(ny_config))["at"] == "2026-03-10T10:00:00+00:00"


def test_day_and_redaction_flags_pass_typed_values(ny_config):
    out = probe("--date", "2026-03-10", "--config", str(ny_config))
    assert out["day"] == "datetime.date(2026, 3, 10)" and out["at"] is None
    assert out["redact"] is False  # the config says redact = false
    assert probe("--config", "none")["redact"] is True  # the default
    assert probe("--no-redact", "--config", "none")["redact"] is False


def test_metrics_hour_without_an_offset_is_the_zones_clock_hour(ny_config, tmp_path):
    Warehouse.open(tmp_path / "w.duckdb").close()  # an empty warehouse: the window is what is checked
    res = CliRunner().invoke(
        cli,
        ["metrics", "--hour", "2026-03-10T10:00", "--json", "--config", str(ny_config)]
        + ["--warehouse", str(tmp_path / "w.duckdb")],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["window"] == {"start": "2026-03-10T14:00:00Z", "end": "2026-03-10T15:00:00Z"}


@pytest.mark.parametrize(
    "args",
    [
        ["hourly", "--at", "2026-03-10T25:00"],
        ["export", "incident", "--incident", "INC-1", "--at", "soon"],
        ["run", "hourly", "--at", "2026-03-08T02:30"],  # New York's clocks skip 02:30 that day
    ],
)
def test_a_bad_at_is_one_red_line_naming_the_option(args, ny_config, tmp_path):
    res = CliRunner().invoke(cli, [*args, "--config", str(ny_config), "--warehouse", str(tmp_path / "w.duckdb")])
    assert res.exit_code == exits.FAILED, res.output
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: --at: "), res.stderr
    assert "Traceback" not in res.stderr


# ---------------------------------------------------------------------------------------------
# the library takes typed values and an explicit zone

PACKAGE = Path(launchkit.__file__).parent
EDGE = {"window.py", "cli", "reports/page/notebook.py"}  # the parser, the CLI and the notebook context


@functools.cache
def _below_the_edge() -> list[tuple[Path, ast.Module]]:
    return [
        (p, ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(PACKAGE.rglob("*.py"))
        if not any(str(p.relative_to(PACKAGE)).startswith(e) for e in EDGE)
    ]


def _params(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            a = node.args
            positional = a.posonlyargs + a.args
            defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
            yield from ((node, p, d) for p, d in zip(positional, defaults))
            yield from ((node, p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults))


def test_no_signature_below_the_edge_takes_text_for_a_time_or_a_day():
    found = []
    for path, tree in _below_the_edge():
        for fn, p, _ in _params(tree):
            text = ast.unparse(p.annotation) if p.annotation else ""
            parts = {s.strip() for s in text.split("|")}
            if "str" in parts and parts & {"date", "datetime"}:
                found.append(f"{path.relative_to(PACKAGE)}:{fn.lineno} {fn.name}({p.arg}: {text})")
    assert found == []


def test_no_zone_parameter_below_the_edge_has_a_default():
    found = []
    for path, tree in _below_the_edge():
        for fn, p, default in _params(tree):
            if p.annotation is not None and "tzinfo" in ast.unparse(p.annotation) and default is not None:
                found.append(f"{path.relative_to(PACKAGE)}:{fn.lineno} {fn.name}({p.arg} = {ast.unparse(default)})")
    assert found == []


def test_mypy_refuses_a_string_or_a_forgotten_zone(tmp_path):
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "caller.py"
    snippet.write_text(
        "from datetime import UTC, date\n"
        "from launchkit.window import Window, local_day\n"
        'Window.day("2026-03-10", UTC)\n'  # text: the edge parses it first
        "Window.day(date(2026, 3, 10))\n"  # no zone
        "local_day(Window.day(date(2026, 3, 10), UTC).start)\n"  # no zone
        "Window.day(date(2026, 3, 10), UTC)\n"  # fine
    )
    out, _, status = api.run(
        [str(snippet), "--follow-imports=silent", "--no-incremental", "--python-version", "3.11", "--strict"]
    )
    assert status == 1, out
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert [int(line.split(":")[1]) for line in errors] == [3, 4, 5], out
    assert 'incompatible type "str"; expected "date"' in errors[0]
    assert 'Missing positional argument "tz"' in errors[1] and 'Missing positional argument "tz"' in errors[2]
