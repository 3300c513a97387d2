"""A tiny stand-in for LINE's Messaging API: answers reply, push and content calls, and counts them.

Run as `python -m bench.webhook.line_stub --port N` (loopback only; it stops by itself after
`--max-seconds`, an hour by default). GET /stats returns the counts: how many replies and pushes
arrived, and how many reply tokens or retry keys came twice. GET /deliveries returns what was
delivered, per reply token and per push recipient, for the fault scripts (bench/faults). GET /timeline
returns when (wall clock, time.time()) each delivered reply arrived, per reply token, and each delivered
push, a list per recipient, for the end-to-end bench (bench/e2e); `?since=T` leaves out earlier ones.

It keeps LINE's rules where a client's retries depend on them: a reply token works once (a second
use is refused with 400 "Invalid reply token", as is, with `--token-lifetime` set, a token older than
that many seconds: the fault scripts' tokens start with their issue time, see `issue_token`), and a
push whose retry key LINE already accepted is refused with 409 and not delivered again.

Fault modes are set with POST /control (JSON; GET /control shows them, `{}` clears them):

    {"fault": {"apis": ["reply", "push"], "status": 500, "share": 0.5, "delivered": false}}
        a share of the calls (spread evenly) answered `status`; with "delivered": true LINE did deliver
        the message before answering the error, "alternate" every other failing call
    {"fault": {"apis": ["reply", "push"], "timeout": 12.0, "share": 1.0, "delivered": "alternate"}}
        the failing calls are answered only after `timeout` seconds (past the client's timeout);
        "count": N limits any fault to its first N failing calls
    {"latency": 0.08}
        every reply and push call is answered after 80 ms (LINE's own time over the internet)
    {"content": {"preparing": 2, "final": "alternate"}}
        content downloads answer 202 (still preparing) `preparing` times per message, then 200 with an
        image, or 410 (gone), or "alternate" (about half of the message ids 200, the others 410)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import struct
import threading
import time
import zlib
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CONTENT_PATH = re.compile(r"^/v2/bot/message/([^/]+)/content$")
MAX_FAULT_SLEEP = 30.0  # a timeout fault never holds a thread longer than this


def issue_token(issued_at: float | None = None) -> str:
    """A 32-hex-digit reply token that starts with its issue time in milliseconds (12 hex digits)."""
    issued_ms = int((time.time() if issued_at is None else issued_at) * 1000)
    return f"{issued_ms:012x}{random.getrandbits(80):020x}"


def token_age(token: str) -> float | None:
    """Seconds since a token made by issue_token was issued; None for any other token."""
    if len(token) != 32 or not re.fullmatch(r"[0-9a-f]{32}", token):
        return None
    return time.time() - int(token[:12], 16) / 1000


def png(seed: str) -> bytes:
    """A small PNG (16×16 pixels of noise seeded by `seed`): every message gets different bytes."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + bytes(rng.getrandbits(8) for _ in range(16 * 3)) for _ in range(16))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class Stub:
    """Counters and fault settings shared by the handler threads."""

    def __init__(self, token_lifetime: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.token_lifetime = token_lifetime
        self.reply_tokens: Counter[str] = Counter()  # calls per token
        self.push_keys: Counter[str] = Counter()  # calls per retry key
        self.replies_delivered: Counter[str] = Counter()  # per token
        self.pushes_delivered: Counter[str] = Counter()  # per recipient
        self.accepted_keys: set[str] = set()
        self.reply_times: dict[str, float] = {}  # token -> when its delivered reply arrived (time.time())
        self.push_times: defaultdict[str, list[float]] = defaultdict(list)  # recipient -> delivered push times
        self.content_calls: Counter[str] = Counter()
        self.answers: Counter[str] = Counter()  # "reply 200", "push 409", ...
        self.other = 0
        self.fault: dict | None = None
        self.content: dict | None = None
        self.latency = 0.0  # seconds every reply and push call takes, as LINE's own answer does over the internet
        self._fault_calls = 0  # calls the current fault applied to, for an even spread of its share
        self._fault_hits = 0

    def stats(self) -> dict:
        with self.lock:
            return {
                "reply_calls": sum(self.reply_tokens.values()),
                "reply_tokens": len(self.reply_tokens),
                "reply_tokens_used_twice": sum(1 for n in self.reply_tokens.values() if n > 1),
                "push_calls": sum(self.push_keys.values()),
                "push_keys": len(self.push_keys),
                "push_keys_used_twice": sum(1 for n in self.push_keys.values() if n > 1),
                "other_calls": self.other,
            }

    def deliveries(self) -> dict:
        with self.lock:
            return {
                "replies_delivered": dict(self.replies_delivered),
                "reply_calls": dict(self.reply_tokens),
                "pushes_delivered": dict(self.pushes_delivered),
                "push_calls": dict(self.push_keys),
                "content_calls": dict(self.content_calls),
                "answers": dict(self.answers),
            }

    def timeline(self, since: float = 0.0) -> dict:
        """When each delivered reply (per token) and push (per recipient) arrived, from `since` on."""
        with self.lock:
            replies = {token: at for token, at in self.reply_times.items() if at >= since}
            pushes = {to: [at for at in times if at >= since] for to, times in self.push_times.items()}
            return {"now": time.time(), "replies": replies, "pushes": {to: ts for to, ts in pushes.items() if ts}}

    def configure(self, settings: dict) -> dict:
        with self.lock:
            if "fault" in settings or not settings:
                self.fault = settings.get("fault")
                self._fault_calls = self._fault_hits = 0
            if "content" in settings or not settings:
                self.content = settings.get("content")
            if "latency" in settings or not settings:
                self.latency = max(0.0, float(settings.get("latency") or 0.0))
            return {"fault": self.fault, "content": self.content, "latency": self.latency}

    def failing(self, api: str) -> dict | None:
        """The fault to apply to this call, or None; `delivered` is decided here (caller holds the lock)."""
        fault = self.fault
        if not fault or api not in fault.get("apis", ("reply", "push")):
            return None
        if self._fault_hits >= int(fault.get("count", 10**9)):
            return None
        share = float(fault.get("share", 1.0))
        before = int(self._fault_calls * share)
        self._fault_calls += 1
        if int(self._fault_calls * share) == before:
            return None
        self._fault_hits += 1
        delivered = fault.get("delivered", False)
        if delivered == "alternate":
            delivered = self._fault_hits % 2 == 1
        return {**fault, "delivered": bool(delivered)}


def make_server(port: int, token_lifetime: float = 0.0) -> ThreadingHTTPServer:
    """A threaded HTTP/1.1 (keep-alive) server on 127.0.0.1:port."""
    stub = Stub(token_lifetime)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each small answer waits ~40 ms for a delayed ACK

        def _answer(self, payload: dict | bytes, status: int = 200, content_type: str = "application/json") -> None:
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length)
            if len(data) < length:  # the client died mid-request (a killed worker): LINE got no request
                self.close_connection = True
                return
            payload = json.loads(data or b"{}")
            if self.path == "/control":
                self._answer(stub.configure(payload))
                return
            api = (
                "reply"
                if self.path.endswith("/message/reply")
                else "push"
                if self.path.endswith("/message/push")
                else ""
            )
            with stub.lock:
                status, error, sleep = self._decide(api, payload)
                stub.answers[f"{api or 'other'} {status if not sleep else 'timeout'}"] += 1
            if sleep:
                time.sleep(min(sleep, MAX_FAULT_SLEEP))
            elif api and stub.latency:
                time.sleep(min(stub.latency, MAX_FAULT_SLEEP))
            if status == 200:
                sent = [{"id": str(n), "quoteToken": "q"} for n, _ in enumerate(payload.get("messages", []))]
                self._answer({"sentMessages": sent})
            else:
                self._answer({"message": error}, status)

        def _decide(self, api: str, payload: dict) -> tuple[int, str, float]:
            """Status, error message and delay of one reply or push call (caller holds the lock)."""
            if api == "reply":
                token = payload.get("replyToken") or ""
                stub.reply_tokens[token] += 1
                age = token_age(token)
                expired = stub.token_lifetime > 0 and age is not None and age > stub.token_lifetime
                if not token or stub.replies_delivered[token] or expired:
                    return 400, "Invalid reply token", 0.0
            elif api == "push":
                key = self.headers.get("X-Line-Retry-Key", "")
                stub.push_keys[key] += 1
                if key and key in stub.accepted_keys:
                    return 409, "The retry key is already accepted", 0.0
            else:
                stub.other += 1
                return 200, "", 0.0
            fault = stub.failing(api)
            if fault is None or fault["delivered"]:
                arrived = time.time()
                if api == "reply":
                    stub.replies_delivered[payload.get("replyToken", "")] += 1
                    stub.reply_times.setdefault(payload.get("replyToken", ""), arrived)
                else:
                    stub.pushes_delivered[payload.get("to", "")] += 1
                    stub.push_times[payload.get("to", "")].append(arrived)
                    if self.headers.get("X-Line-Retry-Key"):
                        stub.accepted_keys.add(self.headers["X-Line-Retry-Key"])
            if fault is None:
                return 200, "", 0.0
            if fault.get("timeout"):  # the answer comes after the client gave up: 200 if it got through
                return (200 if fault["delivered"] else 504), "Gateway timeout", float(fault["timeout"])
            status = int(fault.get("status", 500))
            return status, "Too many requests" if status == 429 else "Internal server error", 0.0

        def do_GET(self) -> None:
            match = CONTENT_PATH.match(self.path)
            if match:
                self._content(match.group(1))
            elif self.path == "/stats":
                self._answer(stub.stats())
            elif self.path == "/deliveries":
                self._answer(stub.deliveries())
            elif self.path.startswith("/timeline"):
                query = parse_qs(urlsplit(self.path).query)
                self._answer(stub.timeline(float(query.get("since", ["0"])[0])))
            elif self.path == "/control":
                self._answer({"fault": stub.fault, "content": stub.content})
            elif self.path == "/v2/bot/message/quota":
                self._answer({"type": "none"})
            elif self.path == "/v2/bot/message/quota/consumption":
                self._answer({"totalUsage": 0})
            else:
                self._answer({})

        def _content(self, message_id: str) -> None:
            with stub.lock:
                stub.content_calls[message_id] += 1
                calls, mode = stub.content_calls[message_id], stub.content or {}
                stub.answers["content"] += 1
            if calls <= int(mode.get("preparing", 0)):
                self._answer(b"", 202, "application/octet-stream")
                return
            final = mode.get("final", 200)
            if final == "alternate":  # by a hash of the id, so any set of ids splits about evenly
                final = 200 if zlib.crc32(message_id.encode()) % 2 == 0 else 410
            if int(final) == 200:
                self._answer(png(message_id), 200, "image/png")
            else:
                self._answer({"message": "Gone"}, int(final))

        def log_message(self, *args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop by itself after this long")
    parser.add_argument(
        "--token-lifetime", type=float, default=0.0, help="seconds a timed reply token works (0: tokens never expire)"
    )
    args = parser.parse_args()
    server = make_server(args.port, args.token_lifetime)
    timer = threading.Timer(args.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        timer.cancel()
        server.server_close()


if __name__ == "__main__":
    main()
