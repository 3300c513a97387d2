"""The fault scripts' stand-ins keep LINE's rules and fail on command (bench/webhook/line_stub.py, bench/faults)."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.faults import sender
from bench.webhook import line_stub

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stub():
    """The LINE stand-in on a loopback port, in a thread; yields a call(method, path, body, headers) helper."""
    port = free_port()
    server = line_stub.make_server(port, token_lifetime=60.0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def call(method: str, path: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        try:
            return response.status, json.loads(raw or b"{}")
        except ValueError:
            return response.status, {"bytes": len(raw), "type": response.getheader("Content-Type")}

    call.port = port
    yield call
    server.shutdown()
    server.server_close()


def reply(call, token: str) -> int:
    return call("POST", "/v2/bot/message/reply", {"replyToken": token, "messages": [{"type": "text", "text": "x"}]})[0]


def push(call, to: str, key: str) -> int:
    body = {"to": to, "messages": [{"type": "text", "text": "x"}]}
    return call("POST", "/v2/bot/message/push", body, {"X-Line-Retry-Key": key})[0]


def test_a_reply_token_works_once_and_expires(stub):
    token = line_stub.issue_token()
    assert reply(stub, token) == 200
    assert reply(stub, token) == 400  # LINE refuses a used token: the first reply got through
    assert reply(stub, line_stub.issue_token(time.time() - 61)) == 400  # older than a minute
    delivered = stub("GET", "/deliveries")[1]
    assert delivered["replies_delivered"] == {token: 1}
    assert delivered["reply_calls"][token] == 2


def test_a_request_cut_short_is_not_a_reply(stub):
    """A worker killed between the headers and the body: LINE saw no request at all."""
    port = stub.port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"POST /v2/bot/message/reply HTTP/1.1\r\nHost: x\r\nContent-Length: 80\r\n\r\n")
        client.shutdown(socket.SHUT_WR)
        assert client.recv(100) == b""
    assert stub("GET", "/deliveries")[1]["reply_calls"] == {}
    assert reply(stub, "") == 400


def test_a_500_that_was_not_delivered_leaves_the_token_usable(stub):
    stub("POST", "/control", {"fault": {"apis": ["reply"], "status": 500, "share": 1.0, "count": 1}})
    token = line_stub.issue_token()
    assert reply(stub, token) == 500
    assert reply(stub, token) == 200  # the fault's one call is spent; the retry delivers
    assert stub("GET", "/deliveries")[1]["replies_delivered"] == {token: 1}


def test_a_500_after_delivery_refuses_the_retry(stub):
    stub("POST", "/control", {"fault": {"apis": ["reply", "push"], "status": 500, "share": 1.0, "delivered": True}})
    token = line_stub.issue_token()
    assert reply(stub, token) == 500
    assert reply(stub, token) == 400
    assert push(stub, "Uuser", "key-1") == 500
    assert push(stub, "Uuser", "key-1") == 409  # the retry key was accepted the first time
    delivered = stub("GET", "/deliveries")[1]
    assert delivered["replies_delivered"] == {token: 1}
    assert delivered["pushes_delivered"] == {"Uuser": 1}


def test_a_share_of_calls_fails_evenly_and_clearing_restores(stub):
    stub("POST", "/control", {"fault": {"apis": ["push"], "status": 429, "share": 0.5}})
    statuses = [push(stub, f"U{n}", f"key-{n}") for n in range(10)]
    assert statuses.count(429) == 5 and statuses.count(200) == 5
    stub("POST", "/control", {"fault": None})
    assert push(stub, "U10", "key-10") == 200


def test_a_timeout_answers_after_the_delay(stub):
    stub("POST", "/control", {"fault": {"apis": ["reply"], "timeout": 0.3, "count": 1, "delivered": False}})
    started = time.monotonic()
    assert reply(stub, line_stub.issue_token()) == 504
    assert time.monotonic() - started >= 0.3


def test_content_is_prepared_then_served_or_gone(stub):
    stub("POST", "/control", {"content": {"preparing": 2, "final": 410}})
    path = "/v2/bot/message/123/content"
    assert [stub("GET", path)[0] for _ in range(3)] == [202, 202, 410]
    stub("POST", "/control", {"content": None})
    status, body = stub("GET", "/v2/bot/message/124/content")
    assert status == 200 and body["type"] == "image/png" and body["bytes"] > 100
    assert line_stub.png("1") != line_stub.png("2")


def test_events_are_line_shaped_and_image_senders_start_a_report():
    bodies = sender.make_bodies("ABCDEF", 10, 3)
    events = [event for body in bodies for event in body.events]
    assert len(events) == 16
    assert all(len(event.event_id) == 26 for event in events)
    assert len({event.event_id for event in events}) == 16
    text_users = [event.user_id for event in events if event.kind == "text" and event.text != sender.REPORT_WORD]
    assert len(set(text_users)) == 10  # each text event from a user of its own
    pairs = [body.events for body in bodies if len(body.events) == 2]
    assert len(pairs) == 3
    assert all(first.text == sender.REPORT_WORD and second.kind == "image" for first, second in pairs)


@pytest.fixture
def proxied_echo():
    """An echo server behind the fault proxy; yields (proxy port, set_mode)."""
    upstream = socket.socket()
    upstream.bind(("127.0.0.1", 0))
    upstream.listen()

    def echo() -> None:
        while True:
            try:
                connection, _ = upstream.accept()
            except OSError:
                return
            threading.Thread(target=pump, args=(connection,), daemon=True).start()

    def pump(connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):  # the proxy resets it when refusing
            while data := connection.recv(4096):
                connection.sendall(data)

    threading.Thread(target=echo, daemon=True).start()
    port, control = free_port(), free_port()
    argv = [sys.executable, "-m", "bench.faults.proxy", "--port", str(port), "--control-port", str(control)]
    argv += ["--upstream-port", str(upstream.getsockname()[1]), "--max-seconds", "60"]
    process = subprocess.Popen(argv, cwd=ROOT)

    def set_mode(mode: str) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", control, timeout=5)
        connection.request("GET", f"/{mode}")
        state = json.loads(connection.getresponse().read())
        connection.close()
        return state

    deadline = time.monotonic() + 20
    while True:
        try:
            set_mode("state")
            break
        except OSError:
            assert time.monotonic() < deadline, "the proxy did not start"
            time.sleep(0.05)
    yield port, set_mode
    process.terminate()
    process.wait(10)
    upstream.close()


def test_the_proxy_forwards_blackholes_and_refuses(proxied_echo):
    port, set_mode = proxied_echo
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(b"one")
    assert client.recv(10) == b"one"
    assert set_mode("blackhole")["mode"] == "blackhole"
    client.sendall(b"two")
    client.settimeout(0.5)
    with pytest.raises(TimeoutError):
        client.recv(10)  # nothing comes back while the network is a black hole
    set_mode("forward")
    client.settimeout(5)
    assert client.recv(10) == b"two"  # the bytes waited and flow again
    set_mode("refuse")
    try:
        client.sendall(b"three")
        answer = client.recv(10)
    except ConnectionResetError:
        answer = b""
    assert answer == b""  # the open connection was reset, nothing echoed
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    set_mode("forward")
    again = socket.create_connection(("127.0.0.1", port), timeout=5)
    again.sendall(b"four")
    assert again.recv(10) == b"four"
    again.close()
    client.close()
