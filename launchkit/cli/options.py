"""What every launchkit command shares: the config options, the one error handler, JSON output.

One error handler (LaunchkitGroup) turns every LaunchkitError into one red line on stderr and exit
status 1 (75 when the warehouse is busy: try again); a DuckDB error that says the warehouse file is
damaged reads as one line naming the file and the restore command; an OSError (a full disk, EFBIG,
EACCES, EROFS) or DuckDB failing to write reads as one line naming the path and the errno's words
(launchkit.faults); any other exception is a launchkit defect and reads as one line too.
LAUNCHKIT_DEBUG=1 shows the traceback behind the line.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import select
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, NoReturn, TypeVar, cast

import click

from launchkit import exits
from launchkit.config import Config, load_config
from launchkit.errors import LaunchkitError, WarehouseBusy
from launchkit.faults import passing_cause
from launchkit.jsonclean import clean
from launchkit.visible import printable
from launchkit.window import Window, parse_day, reportable

F = TypeVar("F", bound=Callable[..., Any])

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
            cause = passing_cause(exc)  # a full disk, an I/O error, a permission: the machine's, not a defect
            if cause is not None:
                click.secho(f"Error: {printable(cause)}", fg="red", err=True)
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
    """--config / --warehouse / --reports-dir on a command; passes a loaded Config as `config`, and the
    time and redaction flags above it read on that config (AfterConfig)."""

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
        kwargs = {k: v.read(config) if isinstance(v, AfterConfig) else v for k, v in kwargs.items()}
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


# ---------------------------------------------------------------------------------------------
# time and redaction flags: parsed once, here, into the typed values the library takes


@dataclass(frozen=True)
class AfterConfig:
    """A flag's value that needs the configuration to be read: a time without an offset is on the clock
    of [reports] timezone, `--no-redact` falls back on [reports] redact. The option's callback makes one;
    config_options reads it (`read(config)`) once the config is loaded, so the command gets the value."""

    read: Callable[[Config], Any]


def _what(param: click.Parameter) -> str:
    return param.opts[0] if param.opts else str(param.name)


def read_time(text: str, what: str, tz: tzinfo) -> datetime:
    """A flag's ISO time as an aware UTC instant (without an offset: the zone's clock), in the years a
    report can be made for: TimeValueError naming the flag otherwise (one red line)."""
    return reportable(text, what, tz)


def read_day(text: str, what: str, tz: tzinfo) -> date:
    """A flag's YYYY-MM-DD, a day of the zone a report can be made for."""
    d = parse_day(text, what)
    reportable(d, what, tz)
    return d


def read_day_or_time(text: str, what: str, tz: tzinfo) -> date | datetime:
    """--from / --to of a range: a date (the whole day) or an ISO time."""
    return read_day(text, what, tz) if len(text.strip()) == 10 else read_time(text, what, tz)


def _zoned(read: Callable[[str, str, tzinfo], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value in (None, ""):
            if param.required:  # click 8.3+ calls the callback before its own check of a missing value
                raise click.MissingParameter(ctx=ctx, param=param)
            return None
        what, text = _what(param), str(value)
        return AfterConfig(lambda config: read(text, what, config.report_zone))

    return callback


def at_option(help: str, *, name: str = "--at") -> Callable[[F], F]:
    """An ISO time flag (`--at`): the command gets an aware UTC datetime or None."""
    return click.option(name, "at", type=str, default=None, callback=_zoned(read_time), help=help)


def day_option(help: str, *, name: str = "--date", dest: str = "day", required: bool = False) -> Callable[[F], F]:
    """A day flag (`--date`, `--from`, `--to`): the command gets a `date` (a day of [reports] timezone) or None."""
    return click.option(
        name,
        dest,
        type=str,
        default=None,
        required=required,
        callback=_zoned(read_day),
        metavar="YYYY-MM-DD",
        help=help,
    )


def no_redact_option(help: str) -> Callable[[F], F]:
    """--no-redact: the command gets `redact`, [reports] redact unless the flag says not to."""

    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> AfterConfig:
        return AfterConfig(lambda config: config.redact and not value)

    return click.option("--no-redact", "redact", is_flag=True, callback=callback, help=help)


def _range_end(name: str, dest: str, help: str) -> Callable[[F], F]:
    return click.option(name, dest, type=str, default=None, callback=_zoned(read_day_or_time), help=help)


def window_options(fn: F) -> F:
    """--hour | --date | --from with --to: the command gets one `window` (a Window of [reports] timezone)."""

    @click.option(
        "--hour",
        type=str,
        default=None,
        callback=_zoned(read_time),
        help="One clock hour, e.g. 2026-03-02T10:00Z (without an offset: [reports] timezone's clock).",
    )
    @day_option("One day ([reports] timezone), e.g. 2026-03-02.")
    @_range_end("--from", "start", "Range start (a date is the whole day).")
    @_range_end("--to", "end", "Range end (a date is included whole).")
    @functools.wraps(fn)
    def wrapper(*args: Any, hour: Any, day: Any, start: Any, end: Any, **kwargs: Any) -> Any:
        chosen = [x for x in (hour, day, start or end) if x]
        if len(chosen) != 1:
            raise LaunchkitError("give exactly one of --hour, --date, or --from with --to")
        if not (hour or day or (start and end)):
            raise LaunchkitError("--from and --to go together")

        def window(config: Config) -> Window:
            tz = config.report_zone
            if hour:
                return Window.hour(hour.read(config), tz)
            if day:
                return Window.day(day.read(config), tz)
            return Window.range(start.read(config), end.read(config), tz)

        return fn(*args, window=AfterConfig(window), **kwargs)

    return cast(F, wrapper)


def _scenario(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from launchkit.synth.parameters import SCENARIOS  # here: importing the CLI stays light

    if value not in SCENARIOS:
        raise LaunchkitError(f"unknown scenario '{value}' (one of {', '.join(SCENARIOS)})")
    return value


def pilot_options(*, start_help: str, sessions_help: str, start_default: str | None = None) -> Callable[[F], F]:
    """The synthetic pilot's shape (synth, demo): --days, --seed, --scenario, --start (a `date`, or None
    for the command's default), --sessions-per-hour."""

    def decorate(fn: F) -> F:
        for option in reversed(
            [
                click.option(
                    "--days", type=click.IntRange(1, 366), default=14, show_default=True, help="Days of pilot."
                ),
                click.option(
                    "--seed",
                    type=click.IntRange(min=0),
                    default=7,
                    show_default=True,
                    help="Random seed (same seed, same files).",
                ),
                click.option(
                    "--scenario",
                    type=str,
                    default="healthy",
                    show_default=True,
                    callback=_scenario,
                    help="healthy, or a HOLD / ROLLBACK day: latency-regression, tool-outage, cost-overrun, low-traffic; "
                    "a problem confined to one segment: tenant-outage, release-regression, model-regression; csat-drop.",
                ),
                click.option(
                    "--start",
                    type=click.DateTime(formats=["%Y-%m-%d"]),
                    default=start_default,
                    show_default=start_default is not None,
                    callback=lambda ctx, param, v: v.date() if v is not None else None,
                    help=start_help,
                ),
                click.option(
                    "--sessions-per-hour",
                    type=click.FloatRange(min=0, min_open=True),
                    default=None,
                    help=sessions_help,
                ),
            ]
        ):
            fn = option(fn)
        return fn

    return decorate


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
