"""docs/cli.md, written from the click commands themselves (tests check the file is current).

Regenerate with `python -m launchkit.cli.reference > docs/cli.md` (or `make docs`).
"""

from __future__ import annotations

import inspect

import click

from launchkit import exits
from launchkit.cli import cli

# Which exit statuses each command can end with (beyond USAGE, which any command can give).
COMMAND_EXITS: dict[str, tuple[int, ...]] = {
    "ingest": (exits.OK, exits.FAILED, exits.WARNINGS, exits.BUSY),
    "reprocess": (exits.OK, exits.FAILED, exits.BUSY),
    "status": (exits.OK, exits.FAILED, exits.BUSY),
    "synth": (exits.OK, exits.FAILED),
    "demo": (exits.OK, exits.FAILED, exits.BUSY),
    "metrics": (exits.OK, exits.FAILED, exits.BUSY),
    "decide": (exits.OK, exits.FAILED, exits.BUSY),
    "readiness": (exits.OK, exits.FAILED, exits.BUSY),
    "run": (exits.OK, exits.FAILED, exits.BUSY),
    "hourly": (exits.OK, exits.FAILED, exits.BREACH, exits.WARNINGS, exits.BUSY),
    "export": (exits.OK, exits.FAILED, exits.BUSY),
    "export cost": (exits.OK, exits.FAILED, exits.BUSY),
    "export tickets": (exits.OK, exits.FAILED, exits.BUSY),
    "backup": (exits.OK, exits.FAILED, exits.BUSY),
    "restore": (exits.OK, exits.FAILED, exits.BUSY),
}


def _option_row(p: click.Parameter) -> str:
    if isinstance(p, click.Option):
        names = ", ".join(f"`{o}`" for o in p.opts + p.secondary_opts)
        kind = "flag" if p.is_flag else (p.type.name.upper() if p.type else "")
        if isinstance(p.type, click.Choice):
            kind = " \\| ".join(str(c) for c in p.type.choices)
        default = ""
        if p.show_default and p.default is not None and not p.is_flag:
            default = f" (default: `{p.default}`)"
        help_text = " ".join((p.help or "").split()).replace("|", "\\|")
        return f"| {names} | {kind} | {help_text}{default} |"
    return f"| `{p.name.upper() if p.name else ''}` | argument | |"


def _help(text: str) -> list[str]:
    """A command's help as Markdown: paragraphs as text, click's \\b blocks (examples) as code."""
    out: list[str] = []
    for block in inspect.cleandoc(text).split("\n\n"):
        if block.startswith("\b\n"):
            lines = block.splitlines()[1:]
            title = lines[0].strip() if lines and lines[0].strip().endswith(":") else None
            body = [ln.strip() for ln in (lines[1:] if title else lines)]
            out += ([title, ""] if title else []) + ["```", *body, "```", ""]
        else:
            out += [" ".join(block.split()), ""]
    return out


def _command(name: str, cmd: click.Command) -> list[str]:
    ctx = click.Context(cmd, info_name=name)
    usage = " ".join(["launchkit", name, *cmd.collect_usage_pieces(ctx)])
    out = [f"## launchkit {name}", "", "```", usage, "```", "", *_help(cmd.help or "")]
    params = [p for p in cmd.params if p.name != "help"]
    if params:
        out += ["| option | value | meaning |", "|---|---|---|"]
        out += [_option_row(p) for p in params]
        out.append("")
    codes = COMMAND_EXITS.get(name, (exits.OK, exits.FAILED))
    out.append("Exit statuses: " + ", ".join(f"{c} ({exits.MEANINGS[c].split(':')[0]})" for c in codes) + ".")
    out.append("")
    return out


def render() -> str:
    """The whole reference as Markdown."""
    lines = [
        "# Command reference",
        "",
        "Written from the commands themselves by `python -m launchkit.cli.reference` (`make docs`);",
        "a test fails when this file and the commands disagree. Every command takes `--help`.",
        "",
        "## Exit statuses",
        "",
        "One table for every command. When several apply, the first in this order wins: "
        + " > ".join(str(s) for s in exits.PRECEDENCE)
        + "; 2 is click's usage error.",
        "",
        "| status | meaning |",
        "|---|---|",
    ]
    lines += [f"| {code} | {text} |" for code, text in sorted(exits.MEANINGS.items())]
    lines += [
        "",
        "A problem with input, configuration or the warehouse is one red line on stderr; "
        "`LAUNCHKIT_DEBUG=1` shows the traceback behind it.",
        "",
    ]
    for name in sorted(cli.commands):
        lines += _command(name, cli.commands[name])
        group = cli.commands[name]
        if isinstance(group, click.Group):  # a command with subcommands: each one its own section
            for sub in sorted(group.commands):
                lines += _command(f"{name} {sub}", group.commands[sub])
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    click.echo(render(), nl=False)
