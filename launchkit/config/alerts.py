"""[alerts]: where the hourly run sends a breach, a failed run, a cleared breach or a stale schedule.

    [alerts]
    webhooks = ["https://hooks.example/launch"]   # JSON POST of the alert
    slack_webhooks = []                           # the same, as a Slack-compatible message
    command = ""                                  # run with the alert JSON on stdin ("" = none)
    stale_after_hours = 2      # `launchkit status` says STALE when the last successful hourly run is older
    catch_up_hours = 24        # at most this many missed hours are checked by the next run
    timeout_s = 5              # per connection / read, and a command's whole run
    retries = 3                # attempts after the first, with back-off 0.5 s, 1 s, 2 s ...

URLs may also come from the environment, comma-separated, so that secrets stay out of the file:
LAUNCHKIT_ALERT_WEBHOOKS and LAUNCHKIT_ALERT_SLACK_WEBHOOKS (a Slack webhook URL is its own secret).
Everything is validated when the configuration is loaded; an error names the key (or variable) and
never echoes the URL. Delivery itself is launchkit.jobs.alerts.
"""

from __future__ import annotations

import shlex
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from launchkit.config.values import number, whole
from launchkit.errors import ConfigError

Kind = Literal["webhook", "slack", "command"]

ENV_WEBHOOKS = "LAUNCHKIT_ALERT_WEBHOOKS"
ENV_SLACK_WEBHOOKS = "LAUNCHKIT_ALERT_SLACK_WEBHOOKS"
ENV_VARS = (ENV_WEBHOOKS, ENV_SLACK_WEBHOOKS)

DEFAULTS: dict[str, Any] = {
    "webhooks": [],
    "slack_webhooks": [],
    "command": "",
    "stale_after_hours": 2.0,
    "catch_up_hours": 24,
    "timeout_s": 5.0,
    "retries": 3,
}


@dataclass(frozen=True)
class Target:
    """Where an alert goes: a webhook URL, a Slack-compatible webhook URL, or a command line."""

    kind: Kind
    address: str

    def __post_init__(self) -> None:
        if self.kind not in ("webhook", "slack", "command"):
            raise ValueError(f"unknown alert target kind {self.kind!r} (webhook, slack or command)")

    def __repr__(self) -> str:  # the address may hold a secret: never in a log or traceback
        return f"Target(kind={self.kind!r}, address={safe_address(self)!r})"


@dataclass(frozen=True)
class AlertSettings:
    """The [alerts] section, validated: its targets (file, then environment) and its numbers."""

    targets: tuple[Target, ...] = ()
    stale_after_hours: float = 2.0
    catch_up_hours: int = 24
    timeout_s: float = 5.0
    retries: int = 3


def parse(data: Mapping[str, Any], where: str | None = None, env: Mapping[str, str] | None = None) -> AlertSettings:
    """The [alerts] section of merged configuration data plus the environment's URLs; ConfigError names the key."""
    section = data.get("alerts") or {}
    if not isinstance(section, dict):
        raise ConfigError("alerts", "must be a table ([alerts])", where)
    extra = set(section) - set(DEFAULTS)
    if extra:
        raise ConfigError(f"alerts.{sorted(extra)[0]}", f"unknown key (known: {', '.join(sorted(DEFAULTS))})", where)
    body = {**DEFAULTS, **section}
    stale = number("alerts.stale_after_hours", body["stale_after_hours"], low=0, low_open=True, where=where)
    timeout = number("alerts.timeout_s", body["timeout_s"], low=0, low_open=True, where=where)
    return AlertSettings(
        targets=tuple(targets_from(body, env or {}, where=where)),
        stale_after_hours=float(stale or 0),
        catch_up_hours=whole("alerts.catch_up_hours", body["catch_up_hours"], 0, where),
        timeout_s=float(timeout or 0),
        retries=whole("alerts.retries", body["retries"], 0, where),
    )


def targets_from(section: Mapping[str, Any], env: Mapping[str, str], *, where: str | None = None) -> list[Target]:
    """The targets named by the section and the environment, validated, duplicates dropped (order kept).

    `webhooks` and `slack_webhooks` are lists of http(s) URLs; `command` a command line (split with
    shlex, run without a shell) or a list of arguments, "" for none; LAUNCHKIT_ALERT_WEBHOOKS and
    LAUNCHKIT_ALERT_SLACK_WEBHOOKS add comma-separated URLs (blanks ignored).
    """
    targets: list[Target] = []
    for key, kind in (("webhooks", "webhook"), ("slack_webhooks", "slack")):
        value = section.get(key, [])
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"alerts.{key}", "must be a list of URL strings", where)
        for i, url in enumerate(value):
            targets.append(Target(kind, _check_url(url.strip(), f"alerts.{key}[{i}]", where)))  # type: ignore[arg-type]
    for var, kind in ((ENV_WEBHOOKS, "webhook"), (ENV_SLACK_WEBHOOKS, "slack")):
        for i, url in enumerate(u.strip() for u in env.get(var, "").split(",") if u.strip()):
            targets.append(Target(kind, _check_url(url, f"{var}[{i}]", None)))  # type: ignore[arg-type]
    command = section.get("command", "")
    if isinstance(command, (list, tuple)) and all(isinstance(a, str) for a in command):
        if command:
            targets.append(Target("command", shlex.join(command)))
    elif isinstance(command, str):
        if command.strip():
            try:
                argv = shlex.split(command)
            except ValueError as exc:
                raise ConfigError("alerts.command", f"cannot be split into arguments ({exc})", where) from None
            if argv:
                targets.append(Target("command", command))
    else:
        raise ConfigError("alerts.command", "must be a command line string or a list of arguments", where)
    return list(dict.fromkeys(targets))


def _check_url(url: str, key: str, where: str | None) -> str:
    """`url` if it is an absolute http(s) URL with a host and a valid port; else ConfigError (URL not echoed)."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(key, "is not a valid URL", where) from None
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"'{parts.scheme}:'" if parts.scheme else "none"
        raise ConfigError(key, f"must be an http:// or https:// URL (scheme is {shown})", where)
    if not parts.hostname:
        raise ConfigError(key, "has no host", where)
    if any(c.isspace() for c in url):
        raise ConfigError(key, "contains whitespace", where)
    return url


def safe_address(target: Target) -> str:
    """The target as it may be shown: scheme://host[:port] with "/…" for any path (Slack and many
    webhooks carry their token in the path), no userinfo, query or fragment; a command by its program."""
    if target.kind == "command":
        try:
            argv = shlex.split(target.address)
        except ValueError:
            return "command"
        if not argv:
            return "command"
        return argv[0] + (" …" if len(argv) > 1 else "")
    try:
        parts = urllib.parse.urlsplit(target.address)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return f"{target.kind} URL"
    if ":" in host:
        host = f"[{host}]"
    path = "/…" if parts.path not in ("", "/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{path}"
