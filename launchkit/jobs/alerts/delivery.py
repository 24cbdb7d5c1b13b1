"""Carry an alert payload to its targets: webhooks, Slack-compatible webhooks and a local command.

launchkit.jobs.alerts.decide decides what to send and launchkit.jobs.alerts.outbox keeps it in
the warehouse; this module only delivers. Delivery never raises: a target that cannot be reached
gives a failed `DeliveryResult`, so a dead webhook can neither lose a report nor change the hourly
run's exit status.

Webhook: the payload as compact JSON with sorted keys (the same bytes on every retry), POSTed with
`Content-Type: application/json`, `User-Agent: launchkit/<version>` and `Idempotency-Key` (the same
on every retry and every run that retries it, so a receiver can drop duplicates). Userinfo in the
URL is sent as basic auth; redirects are not followed (urllib would re-send the POST as a GET
without the payload and report success). Slack: `slack_message(payload)`. Command: run without a
shell in its own process group, the payload JSON on stdin; exit 0 = delivered, 75 = try again; the
whole group is killed on timeout.

Retries: up to 1 + `retries` attempts on connection errors, timeouts, 5xx and 429, waiting
backoff_s * 2**k, or the server's Retry-After when it asks for at most max_retry_after_s (longer:
give up now); never on other 4xx or 3xx. An attempt ends within timeout_s whatever the receiver does
(`_bounded`), and a target's delivery within `delivery_deadline`. Error text and target names are
scrubbed of every secret part of the address (path, query, userinfo, basic-auth token, a command's
arguments), raw, percent-encoded or -decoded, or JSON-escaped, and their control characters shown
as <U+XXXX>.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import math
import os
import re
import shlex
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from launchkit import __version__
from launchkit.config.alerts import Kind, Target, safe_address
from launchkit.reports.text import fmt
from launchkit.visible import visible

#: exit status a command uses to ask for a retry (EX_TEMPFAIL, as `launchkit hourly` itself uses)
EX_TEMPFAIL = 75

_MAX_ERROR_CHARS = 300
_GRACE_S = 0.25  # an attempt past its timeout is abandoned this much later
_MAX_SLACK_CHECKS = 20


@dataclass(frozen=True)
class DeliveryResult:
    """What happened at one target: ok, attempts made, last HTTP status or exit code, error text, seconds.

    `target` is `safe_address(target)`, `error` has secrets scrubbed, so the result can be logged
    and written to the JSON summary as it is.
    """

    kind: Kind
    target: str
    ok: bool
    attempts: int
    status: int | None
    error: str | None
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _secrets(target: Target) -> list[str]:
    """The parts of an address that must not appear in error text, longest first: the whole address,
    userinfo, password, query and its values, fragment, path and its longer segments (tokens), and a
    command's arguments."""
    if target.kind == "command":
        try:
            parts = shlex.split(target.address)[1:]
        except ValueError:
            parts = []
        return sorted({target.address, *[p for p in parts if len(p) >= 4]}, key=len, reverse=True)
    s = urllib.parse.urlsplit(target.address)
    found = {
        target.address,
        s.netloc.rpartition("@")[0],
        s.query,
        s.fragment,
        s.password or "",
        s.path if len(s.path) > 1 else "",
    }
    if s.username and len(s.username) >= 4:  # a token is often sent as the user name
        found.add(s.username)
    if s.username is not None:  # as sent in the Authorization header, which a server may echo
        found.add(_basic_credentials(s.username, s.password))
    found.update(seg for seg in s.path.split("/") if len(seg) >= 8)
    for values in urllib.parse.parse_qs(s.query).values():
        found.update(v for v in values if len(v) >= 4)
    return sorted((x for x in found if x), key=len, reverse=True)


def _encodings(ch: str) -> str:
    """A regex matching one character as it may come back: itself, percent-encoded (its UTF-8 bytes),
    JSON-escaped (\\uXXXX, \\/), or `+` for a space (a form-encoded query); the pattern ignores case."""
    alts = [re.escape(ch), "".join(f"%{b:02x}" for b in ch.encode("utf-8"))]
    if len(ch) == 1 and ord(ch) < 0x10000:
        alts.append(f"\\\\u{ord(ch):04x}")
    if ch == "/":
        alts.append(r"\\/")
    if ch == " ":
        alts.append(r"\+")
    return "(?:" + "|".join(alts) + ")"


def _pattern(secret: str) -> re.Pattern[str]:
    return re.compile("".join(_encodings(ch) for ch in secret), re.IGNORECASE)


def _scrub(text: str, target: Target) -> str:
    """`text` for a log: every secret part of the target's address replaced by "…" however it came back
    (raw, percent-decoded or -encoded, JSON-escaped), whitespace collapsed, control and invisible
    characters shown as <U+XXXX> (a receiver's body can hold terminal escape sequences), shortened."""
    secrets = _secrets(target)
    variants = {v for x in secrets for v in (x, urllib.parse.unquote(x), urllib.parse.unquote_plus(x)) if v}
    for secret in sorted(variants, key=len, reverse=True):
        text = _pattern(secret).sub("…", text)
    text = visible(" ".join(text.split()))
    return text if len(text) <= _MAX_ERROR_CHARS else text[: _MAX_ERROR_CHARS - 1] + "…"


# --- the messages ---------------------------------------------------------------------------------
def _json_safe(obj: Any) -> Any:
    """A copy JSON can encode: NaN/inf -> null, numpy scalars -> Python, datetimes -> ISO, else str."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if obj is None or isinstance(obj, (str, int, bool)):
        return obj
    if isinstance(obj, Mapping):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, datetime):
        return obj.isoformat()
    item = getattr(obj, "item", None)  # numpy / pandas scalars
    if callable(item):
        try:
            return _json_safe(item())
        except Exception:
            pass
    return str(obj)


def body_of(payload: Mapping[str, Any]) -> bytes:
    """The payload as compact UTF-8 JSON with sorted keys (the same bytes on every retry)."""
    return json.dumps(
        _json_safe(payload), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def idempotency_key(payload: Mapping[str, Any]) -> str:
    """payload["idempotency_key"], or a hash of the payload when it has none (still stable across retries)."""
    key = payload.get("idempotency_key")
    if isinstance(key, str) and key.strip():
        return key.strip()
    return "sha256:" + hashlib.sha256(body_of(payload)).hexdigest()[:32]


def _version(payload: Mapping[str, Any]) -> str:
    v = payload.get("launchkit_version")
    return v if isinstance(v, str) and v else __version__


def _slack_escape(text: str) -> str:
    """Slack mrkdwn control characters (&, <, >) escaped, as Slack's formatting guide requires."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _shown(check: Mapping[str, Any], key: str) -> str:
    """A check's value or threshold as the report shows it (the payload's `<key>_text`), else formatted here."""
    text = check.get(f"{key}_text")
    return text if isinstance(text, str) else fmt(check.get(key), str(check.get("unit") or ""))


def _clip(text: str, limit: int = 3000) -> str:
    """At most `limit` characters (Slack refuses a section text over 3000)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_EVENT_TITLE = {
    "breach": "Threshold breached",
    "failed": "Run failed",
    "cleared": "Breach cleared",
    "stale": "Data is stale",
}


def slack_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A Slack-compatible message: `text` (the one-line summary, shown in notifications) and `blocks`:
    the summary, one line per breached (or cleared) check with value and thresholds, and the report
    path if any."""
    event = str(payload.get("event") or "alert")
    title = _EVENT_TITLE.get(event, event.capitalize())
    summary = str(payload.get("summary_line") or "").strip() or f"launchkit {event}"
    text = _clip(_slack_escape(f"launchkit: {title}: {summary}"))
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _clip(f"*{_slack_escape(title)}*\n{_slack_escape(summary)}")},
        }
    ]
    checks = [
        c
        for c in payload.get("checks") or []
        if isinstance(c, Mapping) and (c.get("status") == "breach" or c.get("cleared_hour"))
    ]
    if checks:
        lines = []
        for c in checks[:_MAX_SLACK_CHECKS]:
            line = f"• *{_slack_escape(str(c.get('check')))}*: "
            if c.get("value") is None and c.get("note"):  # data_arrived, data_fresh: what is missing
                line += _slack_escape(str(c["note"]))
            else:
                line += (
                    f"{_slack_escape(_shown(c, 'value'))} (pass {_slack_escape(_shown(c, 'pass'))},"
                    f" fail line {_slack_escape(_shown(c, 'marginal'))})"
                )
            if c.get("cleared_hour"):
                line += f", cleared at {_slack_escape(str(c['cleared_hour']))}"
            if c.get("first_breached_hour"):
                line += f", breached since {_slack_escape(str(c['first_breached_hour']))}"
            lines.append(line)
        if len(checks) > _MAX_SLACK_CHECKS:
            lines.append(f"…and {len(checks) - _MAX_SLACK_CHECKS} more")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip("\n".join(lines))}})
    report = payload.get("report")
    if report:
        report = str(report)
        if report.startswith(("http://", "https://")):
            shown = f"<{report.replace('|', '%7C').replace('>', '%3E')}|{_slack_escape(report.rsplit('/', 1)[-1] or report)}>"
        else:
            shown = f"`{_slack_escape(report)}`"
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"Report: {shown}"}]})
    return {"text": text, "blocks": blocks}


# --- delivery -------------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: urllib would turn the POST into a GET and drop the payload."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class _Attempt:
    ok: bool
    status: int | None
    error: str | None
    retry: bool
    retry_after: float | None = None


def _retry_after(value: str | None) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _basic_credentials(username: str, password: str | None) -> str:
    """The base64 token of HTTP basic auth for URL userinfo (percent-escapes decoded)."""
    user, pw = urllib.parse.unquote(username), urllib.parse.unquote(password or "")
    return base64.b64encode(f"{user}:{pw}".encode()).decode("ascii")


def _post(url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> _Attempt:
    """One POST. Retry on connection errors, timeouts, 5xx and 429; not on other 4xx or redirects."""
    parts = urllib.parse.urlsplit(url)
    headers = dict(headers)
    if parts.username is not None:  # urllib cannot send userinfo itself: turn it into basic auth
        headers["Authorization"] = "Basic " + _basic_credentials(parts.username, parts.password)
        netloc = parts.hostname or ""
        if ":" in netloc:
            netloc = f"[{netloc}]"
        if parts.port:
            netloc += f":{parts.port}"
        url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=timeout_s) as response:
            response.read(65536)  # the whole exchange is bounded by the caller (_bounded)
            return _Attempt(True, response.status, None, False)
    except urllib.error.HTTPError as e:
        status = e.code
        try:
            detail = e.read(2048).decode("utf-8", "replace").strip()
        except Exception:
            detail = ""
        text = f"HTTP {status}" + (f": {detail}" if detail else "")
        if 300 <= status < 400:
            return _Attempt(False, status, f"HTTP {status} redirect not followed", False)
        retry = status >= 500 or status == 429
        return _Attempt(False, status, text, retry, _retry_after(e.headers.get("Retry-After")) if retry else None)
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, TimeoutError):
            return _Attempt(False, None, f"timed out after {timeout_s:g} s", True)
        if isinstance(reason, ConnectionRefusedError):
            return _Attempt(False, None, "connection refused", True)
        return _Attempt(False, None, f"connection failed: {reason}", True)
    except TimeoutError:
        return _Attempt(False, None, f"timed out after {timeout_s:g} s", True)
    except (OSError, http.client.HTTPException) as e:  # reset, remote closed, garbled response
        return _Attempt(False, None, f"connection failed: {type(e).__name__}: {e}", True)


def _run_command(target: Target, body: bytes, timeout_s: float) -> _Attempt:
    """Run the command without a shell, payload JSON on stdin; exit 0 = delivered, 75 = try again.

    The command gets its own process group, killed whole on timeout, so a child it started cannot
    keep the pipes (and this job) open. A timed-out command is not retried: it may have delivered.
    """
    argv = shlex.split(target.address)
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
    except FileNotFoundError:
        return _Attempt(False, None, f"command not found: {argv[0]}", False)
    except PermissionError:
        return _Attempt(False, None, f"command not executable: {argv[0]}", False)
    try:
        _, err = proc.communicate(body, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return _Attempt(False, None, f"timed out after {timeout_s:g} s (killed)", False)
    if proc.returncode == 0:
        return _Attempt(True, 0, None, False)
    tail = err.decode("utf-8", "replace").strip()[-_MAX_ERROR_CHARS:]
    text = f"exit {proc.returncode}" + (f": {tail}" if tail else "")
    return _Attempt(False, proc.returncode, text, proc.returncode == EX_TEMPFAIL)


def _bounded(attempt: Callable[[float], _Attempt], seconds: float) -> _Attempt:
    """One attempt that ends within `seconds` of wall-clock time, whatever the other side does.

    Socket timeouts bound each wait for a byte, not the whole exchange: a receiver that answers 200
    and then sends a byte a second, or resolves its name slowly, would hold the run for as long as it
    likes. The attempt runs in a daemon thread; when it is not done in time it is abandoned (the
    process does not wait for it) and counts as a failure that may be retried.
    """
    box: list[_Attempt] = []
    worker = threading.Thread(target=lambda: box.append(attempt(seconds)), daemon=True, name="launchkit-alert")
    worker.start()
    worker.join(seconds + _GRACE_S)  # a socket timeout at `seconds` reports itself first
    if box:
        return box[0]
    return _Attempt(False, None, f"no complete answer within {seconds:g} s (the delivery's deadline)", True)


def delivery_deadline(timeout_s: float, retries: int, backoff_s: float) -> float:
    """The most one delivery (every attempt and wait) may take: (1 + retries) attempts of timeout_s
    each (and a quarter second's grace) and the backoff waits between them."""
    return (1 + retries) * (timeout_s + _GRACE_S) + sum(backoff_s * 2**k for k in range(retries))


def _deliver_one(
    target: Target,
    payload: Mapping[str, Any],
    *,
    timeout_s: float,
    retries: int,
    backoff_s: float,
    max_retry_after_s: float,
    sleep: Callable[[float], None],
) -> DeliveryResult:
    t0 = time.monotonic()
    deadline = t0 + delivery_deadline(timeout_s, retries, backoff_s)
    attempts = 0
    last = _Attempt(False, None, "not attempted", False)
    try:
        if target.kind == "command":
            body = body_of(payload)
            send = lambda: _run_command(target, body, min(timeout_s, max(0.001, deadline - time.monotonic())))  # noqa: E731
        else:
            message = slack_message(payload) if target.kind == "slack" else payload
            body = body_of(message)
            headers = {
                "Content-Type": "application/json",
                "User-Agent": f"launchkit/{_version(payload)}",
                "Idempotency-Key": idempotency_key(payload),
            }
            send = lambda: _bounded(  # noqa: E731
                lambda limit: _post(target.address, body, headers, limit),
                min(timeout_s, max(0.001, deadline - time.monotonic())),
            )
        while True:
            last = send()
            attempts += 1
            if last.ok or not last.retry or attempts > retries:
                break
            wait = backoff_s * 2 ** (attempts - 1)
            if last.retry_after is not None:
                if last.retry_after > max_retry_after_s:
                    last.error = f"{last.error} (Retry-After {last.retry_after:g} s is too long to wait)"
                    break
                wait = last.retry_after
            if time.monotonic() + wait >= deadline:
                break  # no time left for another attempt within the delivery's deadline
            sleep(wait)
    except Exception as e:
        last = _Attempt(False, last.status, f"internal error: {type(e).__name__}: {e}", False)
    error = _scrub(last.error, target) if last.error else None
    if error and attempts > 1:
        error = f"{error} (after {attempts} attempts)"
    return DeliveryResult(
        target.kind, safe_address(target), last.ok, attempts, last.status, error, round(time.monotonic() - t0, 3)
    )


def deliver(
    payload: Mapping[str, Any],
    targets: Sequence[Target],
    *,
    timeout_s: float = 5.0,
    retries: int = 3,
    backoff_s: float = 0.5,
    max_retry_after_s: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[DeliveryResult]:
    """Send `payload` to each target in turn; one result per target, in order. Never raises.

    Up to 1 + `retries` attempts per target, waiting backoff_s, 2*backoff_s, 4*backoff_s, ... between
    them, or the server's Retry-After when it asks for at most `max_retry_after_s` (longer: give up now).
    `timeout_s` bounds each attempt as a whole (connecting, sending, reading the answer; a command's
    whole run), and `delivery_deadline(timeout_s, retries, backoff_s)` a target's whole delivery,
    waits included: a wait that would end past it is not made. So the alerts of a run take at most
    the sum of its targets' deadlines, whatever a receiver does.
    """
    results = []
    for target in targets:
        try:
            results.append(
                _deliver_one(
                    target,
                    payload,
                    timeout_s=timeout_s,
                    retries=max(0, retries),
                    backoff_s=backoff_s,
                    max_retry_after_s=max_retry_after_s,
                    sleep=sleep,
                )
            )
        except Exception as e:
            results.append(
                DeliveryResult(
                    getattr(target, "kind", "webhook"), "?", False, 0, None, f"internal error: {type(e).__name__}", 0.0
                )
            )
    return results


def describe(results: Sequence[DeliveryResult]) -> str:
    """One line for the job's log: "alerts: 2/3 delivered; slack https://hooks.slack.com/… failed: HTTP 404 …"."""
    if not results:
        return "alerts: no targets"
    ok = sum(r.ok for r in results)
    line = f"alerts: {ok}/{len(results)} delivered"
    failures = [f"{r.kind} {r.target} failed: {r.error}" for r in results if not r.ok]
    return line + ("; " + "; ".join(failures) if failures else "")
