"""Helpers for the outage and processor tests: apps, LINE events, signing, polling, stand-in servers."""

from __future__ import annotations

import itertools
import json
import secrets
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, select

from bot import create_app, signature
from models import InboxEvent, OutgoingMessage
from tests.conftest import SECRET, bot_config
from tests.line_fixtures import ServerThread

DESTINATION = "U8e742f61d673b39c7fff3cecb7536ef0"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_clock = itertools.count(1)


def make_app(database_url: str, spool_dir, media_dir, *, line_url: str = "http://127.0.0.1:9"):
    """A FieldLine app of its own (beside the shared fixture) on the given database and spool."""
    config = bot_config(database_url, Path(spool_dir).parent, SPOOL_DIR=str(spool_dir), MEDIA_DIR=str(media_dir))
    return create_app({**config, "LINE_API_BASE_URL": line_url})


def close_app(application) -> None:
    """Stop an app's worker thread and close its connections."""
    application.extensions["fieldline"].close()


def inbox_rows(services) -> list[InboxEvent]:
    """Every inbox row, oldest first."""
    with services.sessions() as session:
        return list(session.scalars(select(InboxEvent).order_by(InboxEvent.id)))


def outbox_per_event(services) -> Counter[int]:
    """How many outbox rows each inbox event produced."""
    with services.sessions() as session:
        rows = session.execute(
            select(OutgoingMessage.inbox_event_id, func.count()).group_by(OutgoingMessage.inbox_event_id)
        )
        return Counter({event_id: count for event_id, count in rows})


def event_id() -> str:
    """A fresh 26-character ULID-like webhookEventId."""
    return "01" + "".join(secrets.choice(CROCKFORD) for _ in range(24))


def user_id() -> str:
    """A fresh LINE user id (U + 32 hex digits)."""
    return "U" + secrets.token_hex(16)


def group_id() -> str:
    """A fresh LINE group id (C + 32 hex digits)."""
    return "C" + secrets.token_hex(16)


def text_event(
    user: str,
    text: str,
    *,
    group: str | None = None,
    timestamp_ms: int | None = None,
    mode: str = "active",
    redelivery: bool = False,
) -> dict:
    """A text message event as LINE sends it, from a user in a one-to-one chat or a group."""
    source = {"type": "group", "groupId": group, "userId": user} if group else {"type": "user", "userId": user}
    stamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000) + next(_clock)
    return {
        "type": "message",
        "message": {"type": "text", "id": str(stamp), "quoteToken": secrets.token_hex(8), "text": text},
        "webhookEventId": event_id(),
        "deliveryContext": {"isRedelivery": redelivery},
        "timestamp": stamp,
        "source": source,
        "replyToken": secrets.token_hex(16),
        "mode": mode,
    }


def redelivered(event: dict) -> dict:
    """The same event as LINE resends it when redelivery is on."""
    return {**event, "deliveryContext": {"isRedelivery": True}}


def envelope(*events: dict) -> dict:
    """LINE's webhook body around some events."""
    return {"destination": DESTINATION, "events": list(events)}


def signed(payload: dict, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    """The body bytes and headers LINE would POST for a payload."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return body, {"x-line-signature": signature.sign(secret, body), "content-type": "application/json"}


def post_signed(client, payload: dict) -> tuple[int, float]:
    """POST a signed body with a Flask test client; return the status and the seconds it took."""
    body, headers = signed(payload)
    started = time.monotonic()
    response = client.post("/callback", data=body, headers=headers)
    return response.status_code, time.monotonic() - started


def wait_until(condition, *, timeout: float = 30.0, interval: float = 0.05, message: str = "condition"):
    """Poll condition() until it returns something truthy; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as exc:  # the database may still be coming back
            last_error = exc
        else:
            if value:
                return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message} (last error: {last_error!r})")


class SilentDatabase:
    """A TCP server that accepts connections and never says a word: a database that hangs."""

    def __init__(self) -> None:
        """Listen on a free loopback port and hold every accepted socket open."""
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # so close() need not wait for a connection to arrive
        self.port = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="silent-db", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(connection)

    def url(self) -> str:
        """A PostgreSQL URL pointing at this silent server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/x"

    def close(self) -> None:
        """Drop every held connection and stop listening."""
        self._closed.set()
        self._thread.join(5)
        self._listener.close()
        for connection in self.accepted:
            connection.close()


class LineStub:
    """A local stand-in for LINE's Messaging API that accepts reply and push and counts them."""

    def __init__(self) -> None:
        """Serve on a free loopback port in a background thread."""
        stub = self
        self.reply_tokens: Counter[str] = Counter()
        self.pushes: Counter[str] = Counter()
        self._lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                with stub._lock:
                    if self.path.endswith("/message/reply"):
                        stub.reply_tokens[payload.get("replyToken", "")] += 1
                    elif self.path.endswith("/message/push"):
                        stub.pushes[self.headers.get("x-line-retry-key", "")] += 1
                sent = [{"id": str(n), "quoteToken": "q"} for n, _ in enumerate(payload.get("messages", []))]
                answer = json.dumps({"sentMessages": sent}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._serving = ServerThread(server=server, name="line-stub")
        self.url = self._serving.url

    def close(self) -> None:
        """Stop serving."""
        self._serving.stop()
