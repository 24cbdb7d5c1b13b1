"""The `launchkit` command: a thin click shell over the library, one module per family of commands.

`options` holds what every command shares (config options, the one error handler); `data`, `analysis`,
`reports`, `export` and `ops` (backup, restore) hold the commands; `reference` writes docs/cli.md from them.
"""

from __future__ import annotations

import click

from launchkit import __version__
from launchkit.cli import analysis, capacity, data, export, ops, reports
from launchkit.cli.options import LaunchkitGroup


@click.group(cls=LaunchkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="launchkit")
def cli() -> None:
    """launchkit: take an AI analyst assistant from pilot to GA with numbers you can trust.

    \b
    Example:
        launchkit demo && launchkit status
    """


for _command in (
    data.ingest,
    data.reprocess,
    data.status,
    data.synth,
    data.demo,
    analysis.metrics,
    analysis.decide,
    analysis.readiness,
    capacity.capacity,
    reports.run,
    reports.hourly,
    export.export,
    ops.backup,
    ops.restore,
):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="launchkit")


if __name__ == "__main__":  # pragma: no cover
    main()
