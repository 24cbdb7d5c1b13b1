"""What every launchkit command shares: the config options, the one error handler, JSON output.

One error handler (LaunchkitGroup) turns every LaunchkitError into one red line on stderr and exit
status 1 (75 when the warehouse is busy: try again); a DuckDB error that says the warehouse file is
damaged reads as one line naming the file and the restore command; any other exception is a
launchkit defect and reads as one line too. LAUNCHKIT_DEBUG=1 shows the traceback behind the line.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import select
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from launchkit import exits
from launchkit.config import load_config
from launchkit.errors import LaunchkitError, WarehouseBusy
from launchkit.jsonclean import clean
from launchkit.window import parse_day, reportable

WAREHOUSE_META = "launchkit.warehouse"  # the command's warehouse file, for the error handler's message


def debug() -> bool:
    """LAUNCHKIT_DEBUG set (to anything but 0 or empty): show tracebacks behind one-line errors."""
    return os.environ.get("LAUNCHKIT_DEBUG", "") not in ("", "0")


class LaunchkitGroup(click.Group):
    """A group whose commands report domain errors as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except LaunchkitError as exc:
            if debug():
                raise
            click.secho(f"Error: {exc}", fg="red", err=True)
            ctx.exit(exits.BUSY if isinstance(exc, WarehouseBusy) else exits.FAILED)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # a defect: still one line, with the way to see more
            if output_gone(exc):
                closed_pipe()
            if debug():
                raise
            from launchkit.store.connect import damaged, is_damage  # here: importing the CLI stays light

            if is_damage(exc):  # DuckDB found a damaged block while a command read or wrote the warehouse
                where = ctx.meta.get(WAREHOUSE_META, "the warehouse")
                click.secho(f"Error: {damaged(where, exc)}", fg="red", err=True)
                ctx.exit(exits.FAILED)
            text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
            click.secho(
                f"Error: internal error {type(exc).__name__}: {text} "
                "(a launchkit defect; LAUNCHKIT_DEBUG=1 shows the traceback)",
                fg="red",
                err=True,
            )
            ctx.exit(exits.FAILED)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        """click's, with the group's own help text written to a closed pipe ending quietly too."""
        try:
            return super().make_context(*args, **kwargs)
        except OSError as exc:
            if output_gone(exc):
                closed_pipe()
            raise

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """click's main, and the last flush of the output: a reader gone by then also ends quietly."""
        try:
            try:
                return super().main(*args, **kwargs)
            finally:
                sys.stdout.flush()
        except OSError as exc:
            if output_gone(exc):
                closed_pipe()
            raise


def output_gone(exc: BaseException) -> bool:
    """Whether an error is stdout's (or stderr's) reader having gone away (`launchkit status | head -4`),
    rather than some other pipe or socket of the command's (a webhook, a subprocess) breaking."""
    if not isinstance(exc, OSError) or exc.errno != errno.EPIPE:
        return False
    return any(_broken(stream) for stream in (sys.stdout, sys.stderr))


def _broken(stream: Any) -> bool:
    """A stream whose pipe has no reader any more: poll reports an error on its write end."""
    try:
        fd = stream.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        return any(ev & (select.POLLERR | select.POLLHUP) for _, ev in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no file descriptor (a test's capture): not a pipe
        return False


def closed_pipe() -> NoReturn:
    """Stop quietly because the output's reader went away, as a Unix tool stopped by SIGPIPE does (exit
    141): what is still buffered goes to /dev/null, so Python's final flush does not complain either."""
    for stream in (sys.stdout, sys.stderr):
        if _broken(stream):
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, stream.fileno())
                os.close(devnull)
            except (AttributeError, OSError, ValueError):
                pass
    sys.exit(exits.CLOSED_PIPE)


def config_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--config / --warehouse / --reports-dir on a command; passes a loaded Config as `config`."""

    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="launchkit.toml to use (default: ./launchkit.toml or the nearest one above; `none`: no file, the defaults).",
    )
    @click.option(
        "--warehouse",
        type=click.Path(),
        default=None,
        help="DuckDB warehouse file (overrides LAUNCHKIT_WAREHOUSE and the config).",
    )
    @click.option(
        "--reports-dir",
        type=click.Path(),
        default=None,
        help="Reports folder (overrides LAUNCHKIT_REPORTS_DIR and the config).",
    )
    @functools.wraps(fn)
    def wrapper(
        *args: Any, config_path: str | None, warehouse: str | None, reports_dir: str | None, **kwargs: Any
    ) -> Any:
        config = load_config(config_path, warehouse=warehouse, reports_dir=reports_dir)
        click.get_current_context().meta[WAREHOUSE_META] = str(config.warehouse_path)
        return fn(*args, config=config, **kwargs)

    return wrapper


def engine_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--engine duckdb|spark on a command that reads: overrides [engine] kind for this run (list it under
    @config_options, which loads the config it changes)."""

    @click.option(
        "--engine",
        type=click.Choice(["duckdb", "spark"]),
        default=None,
        help="Query engine for this run (overrides [engine] kind): duckdb reads the warehouse, or the lake in "
        "place with [engine.tables]; spark reads [engine.tables] (the launchkit[spark] extra).",
    )
    @functools.wraps(fn)
    def wrapper(*args: Any, engine: str | None, config: Any, **kwargs: Any) -> Any:
        if engine is not None and engine != config.engine.kind:
            config = config.with_overrides(**{"engine.kind": engine})
        return fn(*args, config=config, **kwargs)

    return wrapper


def _checked(day: bool) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value in (None, ""):
            return value
        what = param.opts[0] if param.opts else str(param.name)
        reportable(parse_day(value, what) if day else value, what)  # TimeValueError: one line, exit 1
        return value

    return callback


# Callbacks for the time flags: a value is read as the library will read it and must lie in the years a
# report can be made for (launchkit.window.reportable), so an extreme value is one line, never a crash
# deep in a report. The command still receives the text.
check_time = _checked(day=False)
check_day = _checked(day=True)


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--json: print one JSON object (the command says which)."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(fn)


def emit_json(obj: Any) -> None:
    """Print strict JSON (one line): NaN and infinities are null, dates ISO strings."""
    click.echo(json.dumps(clean(obj), default=str, allow_nan=False))


def exit_with(status: int) -> None:
    """End the command with an exit status from launchkit.exits."""
    if status:
        sys.exit(status)
