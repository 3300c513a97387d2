"""A tiny stand-in for LINE's Messaging API: answers 200 to reply and push, and counts them.

Run as `python -m bench.webhook.line_stub --port N` (loopback only). GET /stats returns the
counts: how many replies and pushes arrived, and how many reply tokens or retry keys came twice.
"""

from __future__ import annotations

import argparse
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Stub:
    """Counters shared by the handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reply_tokens: Counter[str] = Counter()
        self.push_keys: Counter[str] = Counter()
        self.other = 0

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


def make_server(port: int) -> ThreadingHTTPServer:
    """A threaded HTTP/1.1 (keep-alive) server on 127.0.0.1:port."""
    stub = Stub()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each small answer waits ~40 ms for a delayed ACK

        def _answer(self, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = json.loads(self.rfile.read(length) or b"{}")
            with stub.lock:
                if self.path.endswith("/message/reply"):
                    stub.reply_tokens[payload.get("replyToken", "")] += 1
                elif self.path.endswith("/message/push"):
                    stub.push_keys[self.headers.get("X-Line-Retry-Key", "")] += 1
                else:
                    stub.other += 1
            sent = [{"id": str(n), "quoteToken": "q"} for n, _ in enumerate(payload.get("messages", []))]
            self._answer({"sentMessages": sent})

        def do_GET(self) -> None:
            self._answer(stub.stats() if self.path == "/stats" else {})

        def log_message(self, *args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = make_server(args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
