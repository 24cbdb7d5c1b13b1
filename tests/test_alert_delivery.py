"""launchkit.jobs.alerts.delivery against a real HTTP server on 127.0.0.1 (ephemeral port) and real
commands; the [alerts] targets' validation (launchkit.config.alerts).

Back-off waits go through an injected `sleep` that records them, so the tests check the exact
waits without waiting; no assertion is about elapsed time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shlex
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from _http_receiver import Server, Sleeps

from launchkit.config.alerts import Target, safe_address, targets_from
from launchkit.errors import ConfigError
from launchkit.jobs.alerts.delivery import DeliveryResult, deliver, describe, slack_message

pytestmark = pytest.mark.usefixtures("no_proxy")  # a proxy must not sit between a test and 127.0.0.1

PAYLOAD: dict[str, Any] = {
    "idempotency_key": "hourly:2026-03-05T14:00Z:breach",
    "event": "breach",
    "summary_line": "hourly 2026-03-05T14:00Z BREACH: tool success 91.2 % < 93 % & p95 6,021.3 ms",
    "hour": "2026-03-05T14:00Z",
    "checks": [
        {
            "check": "tool_success_rate",
            "value": 0.912,  # a share 0-1, as the checks give it; "%" shows it in percent
            "unit": "%",
            "pass": 0.95,
            "marginal": 0.93,
            "status": "breach",
            "first_breached_hour": "2026-03-05T12:00Z",
        },
        {
            "check": "p95_latency_ms",
            "value": 6021.3,
            "unit": "ms",
            "pass": 8000,
            "marginal": 10000,
            "status": "ok",
            "first_breached_hour": None,
        },
    ],
    "report": "reports/hourly/2026-03-05T14.html",
    "launchkit_version": "0.1.0",
}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- webhooks -------------------------------------------------------------------------------------
def test_webhook_success_sends_the_payload_with_headers(server: Server) -> None:
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("webhook", server.url())], sleep=sleeps)
    assert (r.ok, r.attempts, r.status, r.error) == (True, 1, 200, None)
    assert r.target == f"http://127.0.0.1:{server.port}/…"
    assert sleeps == []
    [req] = server.requests
    assert req["path"] == "/hook"
    assert req["headers"]["Content-Type"] == "application/json"
    assert req["headers"]["User-Agent"] == "launchkit/0.1.0"
    assert req["headers"]["Idempotency-Key"] == "hourly:2026-03-05T14:00Z:breach"
    assert json.loads(req["body"]) == PAYLOAD


def test_500_then_200_is_retried_with_the_same_key_and_body(server: Server) -> None:
    server.script = [(500, {}, b"boom"), (200, {}, b"ok")]
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("webhook", server.url())], sleep=sleeps)
    assert (r.ok, r.attempts, r.status, r.error) == (True, 2, 200, None)
    assert sleeps == [0.5]
    keys = [q["headers"]["Idempotency-Key"] for q in server.requests]
    assert keys == ["hourly:2026-03-05T14:00Z:breach"] * 2
    assert server.requests[0]["body"] == server.requests[1]["body"]


def test_always_500_backs_off_exponentially_then_gives_up(server: Server) -> None:
    server.script = [(502, {}, b"bad gateway")] * 4
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("webhook", server.url())], retries=3, backoff_s=0.5, sleep=sleeps)
    assert (r.ok, r.attempts, r.status) == (False, 4, 502)
    assert r.error == "HTTP 502: bad gateway (after 4 attempts)"
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(server.requests) == 4


def test_429_with_retry_after_0_is_retried_at_once(server: Server) -> None:
    server.script = [(429, {"Retry-After": "0"}, b"slow down"), (200, {}, b"ok")]
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("webhook", server.url())], sleep=sleeps)
    assert (r.ok, r.attempts, r.status) == (True, 2, 200)
    assert sleeps == [0.0]


def test_429_with_a_long_retry_after_gives_up_without_waiting(server: Server) -> None:
    server.script = [(429, {"Retry-After": "3600"}, b"")]
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("webhook", server.url())], sleep=sleeps)
    assert (r.ok, r.attempts, r.status) == (False, 1, 429)
    assert r.error == "HTTP 429 (Retry-After 3600 s is too long to wait)"
    assert sleeps == []


def test_503_with_a_retry_after_date_in_the_past_waits_nothing(server: Server) -> None:
    server.script = [(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, b""), (200, {}, b"ok")]
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("webhook", server.url())], sleep=sleeps)
    assert (r.ok, r.attempts) == (True, 2)
    assert sleeps == [0.0]


def test_400_is_not_retried(server: Server) -> None:
    server.script = [(400, {}, b"invalid_payload")]
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("webhook", server.url())], sleep=sleeps)
    assert (r.ok, r.attempts, r.status, r.error) == (False, 1, 400, "HTTP 400: invalid_payload")
    assert sleeps == []
    assert len(server.requests) == 1


def test_a_redirect_is_not_followed(server: Server) -> None:
    """urllib would re-send a redirected POST as a GET without the payload and report success."""
    server.script = [(302, {"Location": server.url("/elsewhere")}, b"")]
    [r] = deliver(PAYLOAD, [Target("webhook", server.url())], sleep=Sleeps())
    assert (r.ok, r.attempts, r.status, r.error) == (False, 1, 302, "HTTP 302 redirect not followed")
    assert [q["path"] for q in server.requests] == ["/hook"]


def test_a_server_slower_than_the_timeout(server: Server) -> None:
    server.script = ["hang", "hang"]
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("webhook", server.url())], timeout_s=0.3, retries=1, sleep=sleeps)
    assert (r.ok, r.attempts, r.status) == (False, 2, None)
    assert r.error == "timed out after 0.3 s (after 2 attempts)"
    assert sleeps == [0.5]


def test_connection_refused_is_retried() -> None:
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("webhook", f"http://127.0.0.1:{closed_port()}/hook")], retries=2, sleep=sleeps)
    assert (r.ok, r.attempts, r.status) == (False, 3, None)
    assert r.error == "connection refused (after 3 attempts)"
    assert sleeps == [0.5, 1.0]


def test_missing_idempotency_key_is_derived_from_the_body_and_stable(server: Server) -> None:
    payload = {k: v for k, v in PAYLOAD.items() if k != "idempotency_key"}
    server.script = [(500, {}, b""), (200, {}, b"ok")]
    deliver(payload, [Target("webhook", server.url())], sleep=Sleeps())
    body = server.requests[0]["body"]
    expected = "sha256:" + hashlib.sha256(body).hexdigest()[:32]
    assert [q["headers"]["Idempotency-Key"] for q in server.requests] == [expected, expected]


def test_payload_that_json_cannot_encode_is_still_sent(server: Server) -> None:
    payload = {
        "idempotency_key": "k",
        "value": float("nan"),
        "when": datetime(2026, 3, 5, 14, tzinfo=UTC),
        "tags": {"b", "a"} - {"b"},
    }
    [r] = deliver(payload, [Target("webhook", server.url())], sleep=Sleeps())
    assert r.ok
    assert json.loads(server.requests[0]["body"]) == {
        "idempotency_key": "k",
        "value": None,
        "when": "2026-03-05T14:00:00+00:00",
        "tags": ["a"],
    }


def test_deliver_never_raises(server: Server) -> None:
    def broken_sleep(seconds: float) -> None:
        raise RuntimeError("boom")

    server.script = [(500, {}, b"")]
    results = deliver(
        PAYLOAD, [Target("webhook", server.url()), Target("webhook", server.url("/second"))], sleep=broken_sleep
    )
    assert [(r.ok, r.attempts) for r in results] == [(False, 1), (True, 1)]
    assert results[0].error == "internal error: RuntimeError: boom"


# --- secrets --------------------------------------------------------------------------------------
def test_secrets_in_the_url_never_reach_error_text(server: Server) -> None:
    url = f"http://alice:pw-SECRET-1@127.0.0.1:{server.port}/hook/SECRETPATH123?token=SECRETQUERY"
    server.script = [(400, {}, "ECHO")]
    target = Target("webhook", url)
    [r] = deliver(PAYLOAD, [target], sleep=Sleeps())
    # userinfo became basic auth, and the path and query were sent as given
    req = server.requests[0]
    assert req["headers"]["Authorization"] == "Basic " + base64.b64encode(b"alice:pw-SECRET-1").decode()
    assert req["path"] == "/hook/SECRETPATH123?token=SECRETQUERY"
    # the server echoed all of it back; none of it is reported
    assert r.status == 400
    assert r.error is not None and r.error.startswith("HTTP 400: bad request ")
    shown = " ".join([r.error, r.target, describe([r]), repr(target), json.dumps(r.to_dict())])
    assert "SECRET" not in shown
    assert "alice" not in shown
    assert base64.b64encode(b"alice:pw-SECRET-1").decode() not in shown  # the echoed Authorization header
    assert r.error == "HTTP 400: bad request …?… auth=Basic …"


def test_safe_address() -> None:
    assert safe_address(Target("slack", "https://hooks.slack.com/services/T0/B0/XYZ")) == "https://hooks.slack.com/…"
    assert (
        safe_address(Target("webhook", "https://u:p@alerts.example.com:8443/?k=v#f"))
        == "https://alerts.example.com:8443/…"
    )
    assert safe_address(Target("webhook", "https://alerts.example.com")) == "https://alerts.example.com"
    assert safe_address(Target("command", "notify-oncall --token s3cr3t")) == "notify-oncall …"


# --- Slack ----------------------------------------------------------------------------------------
SLACK_EXPECTED = {
    "text": "launchkit: Threshold breached: hourly 2026-03-05T14:00Z BREACH: tool success 91.2 % &lt; 93 % "
    "&amp; p95 6,021.3 ms",
    "blocks": [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": (
                    "*Threshold breached*\nhourly 2026-03-05T14:00Z BREACH: tool success 91.2 % &lt; 93 % &amp; p95 6,021.3 ms"
                ),
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": (
                    "• *tool_success_rate*: 91.2 % (pass 95.0 %, fail line 93.0 %), breached since 2026-03-05T12:00Z"
                ),
            },
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Report: `reports/hourly/2026-03-05T14.html`"}]},
    ],
}


def test_slack_target_posts_the_slack_message(server: Server) -> None:
    [r] = deliver(PAYLOAD, [Target("slack", server.url("/services/T0/B0/X"))], sleep=Sleeps())
    assert r.ok
    req = server.requests[0]
    assert json.loads(req["body"]) == SLACK_EXPECTED
    assert req["headers"]["Idempotency-Key"] == "hourly:2026-03-05T14:00Z:breach"


def test_slack_message_without_breaches_or_report_and_with_a_report_url() -> None:
    payload: dict[str, Any] = {
        "event": "cleared",
        "summary_line": "hourly 2026-03-05T15:00Z OK",
        "checks": [],
        "report": None,
    }
    assert slack_message(payload) == {
        "text": "launchkit: Breach cleared: hourly 2026-03-05T15:00Z OK",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Breach cleared*\nhourly 2026-03-05T15:00Z OK"}}
        ],
    }
    payload["report"] = "https://reports.example.com/hourly/2026-03-05T15.html"
    assert slack_message(payload)["blocks"][1] == {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": "Report: <https://reports.example.com/hourly/2026-03-05T15.html|2026-03-05T15.html>",
            }
        ],
    }


def test_slack_404_is_reported_not_retried(server: Server) -> None:
    server.script = [(404, {}, b"no_service")]
    [r] = deliver(PAYLOAD, [Target("slack", server.url("/services/T0/B0/XYZSECRET"))], sleep=Sleeps())
    assert (r.ok, r.attempts, r.error) == (False, 1, "HTTP 404: no_service")
    assert r.target == f"http://127.0.0.1:{server.port}/…"


# --- command --------------------------------------------------------------------------------------
def py(code: str, *args: str) -> str:
    return shlex.join([sys.executable, "-c", code, *args])


WRITE_STDIN = "import sys, pathlib; pathlib.Path(sys.argv[1]).write_bytes(sys.stdin.buffer.read())"


def test_command_gets_the_payload_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "payload.json"
    [r] = deliver(PAYLOAD, [Target("command", py(WRITE_STDIN, str(out)))], sleep=Sleeps())
    assert (r.ok, r.attempts, r.status, r.error) == (True, 1, 0, None)
    assert json.loads(out.read_bytes()) == PAYLOAD


def test_command_failure_is_reported_with_stderr_and_not_retried() -> None:
    sleeps = Sleeps()
    code = "import sys; sys.stdin.read(); sys.stderr.write('no route to pager\\n'); sys.exit(3)"
    [r] = deliver(PAYLOAD, [Target("command", py(code))], sleep=sleeps)
    assert (r.ok, r.attempts, r.status, r.error) == (False, 1, 3, "exit 3: no route to pager")
    assert sleeps == []


def test_command_exit_75_asks_for_a_retry(tmp_path: Path) -> None:
    counter = tmp_path / "n"
    code = (
        "import sys, pathlib; p = pathlib.Path(sys.argv[1]); n = int(p.read_text()) if p.exists() else 0; "
        "p.write_text(str(n + 1)); sys.exit(75 if n == 0 else 0)"
    )
    sleeps = Sleeps()
    [r] = deliver(PAYLOAD, [Target("command", py(code, str(counter)))], sleep=sleeps)
    assert (r.ok, r.attempts, r.status) == (True, 2, 0)
    assert counter.read_text() == "2"
    assert sleeps == [0.5]


def test_command_not_found() -> None:
    [r] = deliver(PAYLOAD, [Target("command", "/nonexistent/notify-oncall --token s3cr3t")], sleep=Sleeps())
    assert (r.ok, r.attempts, r.error) == (False, 1, "command not found: /nonexistent/notify-oncall")


def _state(pid: int) -> str:
    """A process's state letter from /proc, or "gone"."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return "gone"


def test_command_timeout_kills_the_command_and_its_children(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time; "
        "c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "open(sys.argv[1], 'w').write(str(c.pid)); time.sleep(120)"
    )
    grandchild = None
    try:
        [r] = deliver(PAYLOAD, [Target("command", py(code, str(pidfile)))], timeout_s=2.0, sleep=Sleeps())
        assert (r.ok, r.attempts, r.status, r.error) == (False, 1, None, "timed out after 2 s (killed)")
        grandchild = int(pidfile.read_text())
        # SIGKILL was sent to the whole group before deliver returned; the kernel may need a moment
        for _ in range(100):
            if _state(grandchild) in ("Z", "X", "gone"):
                break
            time.sleep(0.05)
        assert _state(grandchild) in ("Z", "X", "gone")
    finally:
        if grandchild is not None and _state(grandchild) not in ("Z", "X", "gone"):
            os.kill(grandchild, 9)


def test_command_arguments_do_not_reach_error_text() -> None:
    code = "import sys; sys.stderr.write('bad token ' + sys.argv[1]); sys.exit(2)"
    [r] = deliver(PAYLOAD, [Target("command", py(code, "tok-SECRET-42"))], sleep=Sleeps())
    assert r.error == "exit 2: bad token …"
    assert "SECRET" not in r.target


# --- configuration --------------------------------------------------------------------------------
def test_targets_from_config_and_environment() -> None:
    section = {
        "webhooks": ["https://alerts.example.com/hook"],
        "slack_webhooks": ["https://hooks.slack.com/services/T0/B0/X"],
        "command": "notify-oncall --team analytics",
        "other_setting": 3,  # keys for other parts of alerting are not this function's business
    }
    env = {
        "LAUNCHKIT_ALERT_WEBHOOKS": " https://alerts.example.com/hook , ,http://10.0.0.5:8080/in,",
        "LAUNCHKIT_ALERT_SLACK_WEBHOOKS": "https://hooks.slack.com/services/T1/B1/Y",
        "HOME": "/root",
    }
    assert targets_from(section, env) == [
        Target("webhook", "https://alerts.example.com/hook"),
        Target("slack", "https://hooks.slack.com/services/T0/B0/X"),
        Target("webhook", "http://10.0.0.5:8080/in"),  # the duplicate from the environment is dropped
        Target("slack", "https://hooks.slack.com/services/T1/B1/Y"),
        Target("command", "notify-oncall --team analytics"),
    ]


def test_targets_from_empty() -> None:
    assert targets_from({}, {}) == []
    assert targets_from({"webhooks": [], "command": ""}, {"LAUNCHKIT_ALERT_WEBHOOKS": " , "}) == []


def test_command_as_a_list() -> None:
    assert targets_from({"command": ["notify", "--msg", "hello world"]}, {}) == [
        Target("command", "notify --msg 'hello world'")
    ]


@pytest.mark.parametrize(
    ("section", "env", "key", "message"),
    [
        (
            {"webhooks": ["https://ok.example.com", "ftp://files.example.com/x"]},
            {},
            "alerts.webhooks[1]",
            "must be an http:// or https:// URL (scheme is 'ftp:')",
        ),
        (
            {"webhooks": ["hooks.slack.com/services/x"]},
            {},
            "alerts.webhooks[0]",
            "must be an http:// or https:// URL (scheme is none)",
        ),
        ({"slack_webhooks": ["https://"]}, {}, "alerts.slack_webhooks[0]", "has no host"),
        ({"webhooks": ["http://example.com:99999/x"]}, {}, "alerts.webhooks[0]", "is not a valid URL"),
        ({"webhooks": ["http://exa mple.com/x"]}, {}, "alerts.webhooks[0]", "contains whitespace"),
        ({"webhooks": "https://example.com"}, {}, "alerts.webhooks", "must be a list of URL strings"),
        (
            {},
            {"LAUNCHKIT_ALERT_WEBHOOKS": "https://ok.example.com,javascript:alert(1)"},
            "LAUNCHKIT_ALERT_WEBHOOKS[1]",
            "must be an http:// or https:// URL (scheme is 'javascript:')",
        ),
        (
            {"command": "notify --msg 'unbalanced"},
            {},
            "alerts.command",
            "cannot be split into arguments (No closing quotation)",
        ),
        ({"command": 42}, {}, "alerts.command", "must be a command line string or a list of arguments"),
    ],
)
def test_invalid_config_names_the_key(section: dict, env: dict, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        targets_from(section, env)
    assert err.value.key == key
    assert str(err.value) == f"config key '{key}': {message}"


def test_invalid_url_error_does_not_echo_the_url() -> None:
    with pytest.raises(ConfigError) as err:
        targets_from({"webhooks": ["ftp://user:SECRET@files.example.com/x?token=SECRET"]}, {})
    assert "SECRET" not in str(err.value)


def test_unknown_target_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="'email'"):
        Target("email", "ops@example.com")  # type: ignore[arg-type]


# --- summary line ---------------------------------------------------------------------------------
def test_describe() -> None:
    results = [
        DeliveryResult("webhook", "https://alerts.example.com/…", True, 1, 200, None, 0.1),
        DeliveryResult("slack", "https://hooks.slack.com/…", False, 1, 404, "HTTP 404: no_service", 0.2),
    ]
    assert describe(results) == "alerts: 1/2 delivered; slack https://hooks.slack.com/… failed: HTTP 404: no_service"
    assert describe([]) == "alerts: no targets"
