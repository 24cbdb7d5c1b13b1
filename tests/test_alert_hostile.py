"""Hostile alert receivers: one that echoes the secret parts of its URL back in every encoding with terminal
escape sequences, and ones that drip their answer a byte at a time. What must hold is decided by hand:
no secret in any form in the error text, no control character in it, and a delivery that ends by its
deadline (a drip takes a minute; the deadline here is 1 s an attempt) and does not count as delivered.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from _http_receiver import PROXY_VARS

from launchkit.config.alerts import Target
from launchkit.jobs.alerts.delivery import deliver, delivery_deadline, describe
from launchkit.visible import visible

TOKEN = "T0KEN-9fA/x y"  # a path token with a slash and a space in it (sent percent-encoded)
QUERY_SECRET = "qs-S3cr3t-value"
PASSWORD = "pa:ss/wörd"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)


def _serve(handler) -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    stop = threading.Event()

    def loop() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            threading.Thread(target=handler, args=(conn, stop), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    try:
        yield sock.getsockname()[1]
    finally:
        stop.set()
        sock.close()


def _request(conn: socket.socket) -> tuple[str, dict[str, str]]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return head[0].split(" ")[1], headers


def _echo(conn: socket.socket, stop: threading.Event) -> None:
    """A receiver that tells everything back: the path decoded, re-encoded and JSON-escaped, the query's
    values, the Authorization header decoded, and a terminal escape sequence that clears the screen."""
    path, headers = _request(conn)
    decoded = urllib.parse.unquote(path)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    body = (
        f"\x1b[2J\x1b]0;owned\x07bad path {decoded} aka {urllib.parse.quote(decoded, safe='')} "
        f"json {json.dumps({'path': decoded}).replace('/', chr(92) + '/')} unicode {json.dumps(decoded, ensure_ascii=True)} "
        f"lower {urllib.parse.quote(decoded).lower()} query {query} auth {headers.get('Authorization')}\r\n"
        "\x9b31mred\x1b[0m"
    ).encode()
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    conn.close()


def test_a_receiver_echoing_the_secrets_back_in_any_encoding_leaks_none_of_them() -> None:
    for port in _serve(_echo):
        user = urllib.parse.quote("bot", safe="")
        url = (
            f"http://{user}:{urllib.parse.quote(PASSWORD, safe='')}@127.0.0.1:{port}/hooks/"
            f"{urllib.parse.quote(TOKEN, safe='')}?token={urllib.parse.quote(QUERY_SECRET)}&channel=ops"
        )
        [r] = deliver({"event": "failed"}, [Target("webhook", url)], timeout_s=5, retries=0)
        assert not r.ok and r.status == 400 and r.error
        text = r.error + " " + describe([r])
        for secret in (TOKEN, QUERY_SECRET, PASSWORD):
            forms = {
                secret,
                urllib.parse.quote(secret, safe=""),
                urllib.parse.quote(secret),
                urllib.parse.quote(secret).lower(),
                json.dumps(secret, ensure_ascii=True)[1:-1],
                secret.replace("/", "\\/"),
            }
            for form in forms:
                assert form not in text, (form, text)
        assert "T0KEN" not in text and "S3cr3t" not in text and "wörd" not in text
        assert "bad path" in text  # the rest of the receiver's answer is kept
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)
        assert "<U+001B>[2J" in text and "<U+009B>31m" in text  # shown, not obeyed


def _drip(where: str):
    def handler(conn: socket.socket, stop: threading.Event) -> None:
        _request(conn)
        head = b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n"
        first, rest = (b"", head + b"x" * 200) if where == "head" else (head, b"x" * 200)
        try:
            conn.sendall(first)
            for byte in rest:
                if stop.is_set():
                    break
                conn.sendall(bytes([byte]))
                time.sleep(0.3)  # every byte within any socket timeout: the whole answer takes a minute
        except OSError:
            pass
        conn.close()

    return handler


@pytest.mark.parametrize("where", ["body", "head"])
def test_a_receiver_dripping_its_answer_is_cut_off_at_the_deadline(where: str) -> None:
    for port in _serve(_drip(where)):
        started = time.monotonic()
        [r] = deliver({"event": "breach"}, [Target("webhook", f"http://127.0.0.1:{port}/h")], timeout_s=1, retries=1, backoff_s=0.1)  # fmt: skip
        took = time.monotonic() - started
        assert not r.ok and r.attempts == 2 and "deadline" in (r.error or "")
        assert delivery_deadline(1, 1, 0.1) == pytest.approx(2.6)
        assert took < 10  # the drip would take a minute an attempt


def test_visible_shows_what_cannot_be_seen() -> None:
    assert visible("acme\u200b") == "acme<U+200B>"
    assert visible("\u202eevil\u202c") == "<U+202E>evil<U+202C>"
    assert visible("a\u00a0b\x1b[0m") == "a<U+00A0>b<U+001B>[0m"
    assert visible("Zürich café 東京 аcme") == "Zürich café 東京 аcme"  # letters stay as they are


if os.name == "nt":  # pragma: no cover
    pytest.skip("POSIX sockets", allow_module_level=True)
