"""Replay of a poison body against FieldLine as deployed: after it, a normal message is answered within seconds.

`python -m bench.poison --db sqlite|postgres|both` runs the Procfile's `release`, `web` and `worker`
with LINE played by the loopback stand-in (bench/webhook/line_stub.py), then sends what stalled the
bot on 4 Dec 2026 and the other hostile bodies of the issue: a signed event whose text is a lone
surrogate escape, one with a 300-character webhookEventId, deep nesting, invalid UTF-8, NUL bytes and a
huge integer; and puts a poison body straight into the spool, as an outage would have left it. Then a
new user says hello, and the script waits for the stand-in to receive the reply. It exits 1 when any
answer to LINE was a 5xx, when the greeting is not answered within --within seconds, or when the spool
is not empty afterwards. .ci/run runs it on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.webhook import servers
from bot import signature

SECRET = secrets.token_hex(16)
DESTINATION = "U8e742f61d673b39c7fff3cecb7536ef0"


def text_event(user: str, text: str, *, event_id: str | None = None) -> dict:
    """A 1:1 text message event as LINE sends it."""
    stamp = int(time.time() * 1000)
    return {
        "type": "message",
        "mode": "active",
        "timestamp": stamp,
        "source": {"type": "user", "userId": user},
        "webhookEventId": event_id or "01" + secrets.token_hex(12).upper(),
        "deliveryContext": {"isRedelivery": False},
        "replyToken": secrets.token_hex(16),
        "message": {"type": "text", "id": str(stamp), "quoteToken": secrets.token_hex(8), "text": text},
    }


def body_of(*events: dict) -> bytes:
    """LINE's envelope around events, as bytes."""
    return json.dumps({"destination": DESTINATION, "events": list(events)}, ensure_ascii=False).encode()


def with_lone_surrogate(event: dict) -> bytes:
    """The body of one event whose text is the JSON escape of half an emoji."""
    marked = dict(event, message={**event["message"], "text": "POISON"})
    return body_of(marked).replace(b'"POISON"', b'"\\ud83d"')


def hostile_bodies() -> dict[str, bytes]:
    """The bodies of the issue, by name."""
    user = "U" + secrets.token_hex(16)
    return {
        "lone surrogate": with_lone_surrogate(text_event("U" + secrets.token_hex(16), "x")),
        "300-character id": body_of(text_event(user, "ข่าว", event_id="X" * 300)),
        "deep nesting": b"[" * 100_000 + b"]" * 100_000,
        "invalid UTF-8": b'{"events": [{"type": "message", "x": "\xff\xfe"}]}',
        "NUL in an id": body_of(dict(text_event(user, "ข่าว"), source={"type": "user", "userId": "U\x00"})),
        "huge integer": b'{"events": [], "n": ' + b"9" * 5000 + b"}",
    }


def post(port: int, body: bytes) -> int:
    """POST a body signed with the channel secret to /callback; return the status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"x-line-signature": signature.sign(SECRET, body), "content-type": "application/json"}
    connection.request("POST", "/callback", body=body, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def replied(stub_port: int, token: str) -> bool:
    """Whether the LINE stand-in received a reply with this token."""
    return token in servers.get_json(stub_port, "/deliveries")["replies_delivered"]


def run(kind: str, pg_server: str | None, within: float) -> bool:
    """One database: start the processes, send the poison and the rest, time the greeting's answer."""
    workdir = Path(tempfile.mkdtemp(prefix=f"fieldline-poison-{kind}-"))
    database = None
    processes: list[servers.Process] = []
    try:
        if kind == "sqlite":
            url = f"sqlite:///{workdir / 'fieldline.db'}"
        else:
            from bench.webhook.run import Database

            database = Database("postgres", workdir, "poison", pg_server)
            url = database.url
        stub_port, web_port = servers.free_port(), servers.free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELDLINE_", "LINE_", "GUNICORN_"))}
        env.update(
            FIELDLINE_MODE="production",
            FIELDLINE_INSTANCE_DIR=str(workdir / "instance"),
            LINE_CHANNEL_SECRET=SECRET,
            LINE_CHANNEL_ACCESS_TOKEN="poison-test-token",
            SECRET_KEY=secrets.token_urlsafe(32),
            DATABASE_URL=url,
            LINE_API_BASE_URL=f"http://127.0.0.1:{stub_port}",
            SPOOL_DIR=str(workdir / "spool"),
            MEDIA_DIR=str(workdir / "media"),
            WEB_CONCURRENCY="1",
            PYTHONUNBUFFERED="1",
        )
        flask = [sys.executable, "-m", "flask", "--app", "bot"]
        subprocess.run([*flask, "db", "upgrade"], cwd=servers.ROOT, env=env, check=True, capture_output=True)
        stub = servers.Process(
            "line-stub",
            [sys.executable, "-m", "bench.webhook.line_stub", "--port", str(stub_port)],
            env,
            workdir / "stub.log",
        ).start()
        processes.append(stub)
        servers.wait_http(stub_port, "/stats", stub)
        from bot.spool import Spool

        Spool(workdir / "spool").write(with_lone_surrogate(text_event("U" + secrets.token_hex(16), "x")), "webhook")
        web = servers.gunicorn("web", "bot:create_app()", web_port, env, workdir / "web.log")
        processes.append(web)
        servers.wait_http(web_port, "/healthz", web)
        worker = servers.Process("worker", [*flask, "worker", "run"], env, workdir / "worker.log").start()
        processes.append(worker)
        deadline = time.monotonic() + 60
        while servers.get_json(web_port, "/healthz").get("event_workers", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)  # the worker process has started and beaten its heartbeat

        statuses = {name: post(web_port, body) for name, body in hostile_bodies().items()}
        greeting = text_event("U" + secrets.token_hex(16), "สวัสดีครับ")
        started = time.monotonic()
        greeting_status = post(web_port, body_of(greeting))
        answered_after = None
        while time.monotonic() - started < within:
            if replied(stub_port, greeting["replyToken"]):
                answered_after = time.monotonic() - started
                break
            time.sleep(0.05)
        health = servers.get_json(web_port, "/healthz")
        if answered_after is None:
            for process in processes:
                print(f"--- {process.name} log\n{process.log_tail(4000)}")
    finally:
        for process in reversed(processes):
            process.stop()
        if database is not None:
            database.drop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"== {kind}")
    for name, status in statuses.items():
        print(f"  {name:<18} HTTP {status}")
    print(f"  greeting           HTTP {greeting_status}, answered after {_seconds(answered_after)}")
    print(f"  spool afterwards   {health['spool_backlog']} waiting, {health['spool_dead_letters']} dead letters")
    ok = (
        all(status < 500 for status in statuses.values())
        and greeting_status == 200
        and answered_after is not None
        and health["spool_backlog"] == 0
    )
    print(f"  {'ok' if ok else 'FAILED'}")
    return ok


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


def main(argv: list[str] | None = None) -> int:
    """Run the replay on the chosen databases; exit 1 if any check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument(
        "--pg", default=os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--within", type=float, default=10.0, help="seconds the greeting's answer may take")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run(kind, args.pg, args.within) for kind in kinds]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
