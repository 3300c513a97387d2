"""The load generator: signed LINE webhook bodies over keep-alive HTTP/1.1, open or closed loop.

A minimal asyncio HTTP/1.1 client (no third-party package): each connection sends one request
at a time and reads the response (status line, headers, Content-Length body). Every request is
bounded by a timeout and every run by its count and duration; only 127.0.0.1 is ever addressed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 10.0


@dataclass
class Sample:
    """One request: when it was due, sent and answered (loop clock, seconds), and how."""

    index: int
    due: float
    sent: float
    done: float
    status: int  # 0 when no HTTP answer came (error or timeout)
    error: str = ""
    event_ids: tuple[str, ...] = ()


@dataclass
class RunResult:
    """What one load phase did."""

    mode: str
    target_rate: float | None
    connections: int
    started: float
    finished: float
    samples: list[Sample] = field(default_factory=list)
    reconnects: int = 0
    not_sent: int = 0  # open loop: requests still waiting for a connection when the run was cut off

    def acknowledged(self) -> list[str]:
        """webhookEventIds of bodies answered 200: each must end up stored and processed once."""
        return [event_id for s in self.samples if s.status == 200 for event_id in s.event_ids]

    def unacknowledged(self) -> list[str]:
        """webhookEventIds of bodies that got no 200 (LINE would count the delivery as failed)."""
        return [event_id for s in self.samples if s.status != 200 for event_id in s.event_ids]

    def summary(self) -> dict:
        """Counts, achieved rate and latency percentiles in milliseconds."""
        ok = [s for s in self.samples if s.status == 200]
        elapsed = max(self.finished - self.started, 1e-9)
        service = sorted((s.done - s.sent) * 1000 for s in ok)
        scheduled = sorted((s.done - s.due) * 1000 for s in ok)
        statuses: dict[str, int] = {}
        for s in self.samples:
            key = str(s.status) if s.status else (s.error or "error")
            statuses[key] = statuses.get(key, 0) + 1
        return {
            "mode": self.mode,
            "target_rate": self.target_rate,
            "connections": self.connections,
            "requests": len(self.samples),
            "ok": len(ok),
            "statuses": statuses,
            "events_sent": sum(len(s.event_ids) for s in self.samples),
            "seconds": round(elapsed, 3),
            "requests_per_s": round(len(ok) / elapsed, 1),
            "latency_ms": percentiles(scheduled),
            "service_latency_ms": percentiles(service),
            "reconnects": self.reconnects,
            "not_sent": self.not_sent,
        }


def percentiles(values: list[float]) -> dict:
    """p50, p90, p99, p99.9 and max of sorted values."""
    if not values:
        return {}

    def pick(q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))], 2)

    return {"p50": pick(0.50), "p90": pick(0.90), "p99": pick(0.99), "p999": pick(0.999), "max": round(values[-1], 2)}


class BodyFactory:
    """Makes unique, correctly signed webhook bodies: one-to-one text messages from many users."""

    def __init__(self, secret: str, *, users: int = 500, events_per_body: int = 1, tag: str | None = None):
        self.secret = secret.encode()
        self.users = [f"U{hashlib.md5(f'bench-user-{n}'.encode()).hexdigest()}" for n in range(users)]
        self.events_per_body = events_per_body
        self.tag = tag or "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(6))
        self.counter = 0

    def make(self) -> tuple[bytes, str, list[str]]:
        """A body, its x-line-signature and the webhookEventIds it carries."""
        now_ms = int(time.time() * 1000)
        events = []
        ids = []
        for _ in range(self.events_per_body):
            n = self.counter
            self.counter += 1
            event_id = f"01{self.tag}{n:018d}"
            ids.append(event_id)
            events.append(
                {
                    "type": "message",
                    "message": {"type": "text", "id": str(10**15 + n), "quoteToken": f"q{n}", "text": f"bench {n}"},
                    "webhookEventId": event_id,
                    "deliveryContext": {"isRedelivery": False},
                    "timestamp": now_ms,
                    "source": {"type": "user", "userId": self.users[n % len(self.users)]},
                    "replyToken": secrets.token_hex(16),
                    "mode": "active",
                }
            )
        body = json.dumps({"destination": "U" + "b" * 32, "events": events}).encode()
        signature = base64.b64encode(hmac.new(self.secret, body, hashlib.sha256).digest()).decode()
        return body, signature, ids


class Connection:
    """One keep-alive HTTP/1.1 connection to the server under test."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.opened = 0

    async def _ensure(self) -> None:
        if self.writer is not None and not self.reader.at_eof() and not self.writer.is_closing():
            return
        await self.close()
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        self.opened += 1

    async def post(self, body: bytes, signature: str, path: str = "/callback") -> int:
        """POST a body; return the HTTP status."""
        await self._ensure()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nContent-Type: application/json\r\n"
            f"x-line-signature: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        await self.writer.drain()
        header = await self.reader.readuntil(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        close = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        if length:
            await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        """Close the socket if open."""
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _one(connection: Connection, factory: BodyFactory, result: RunResult, index: int, due: float, loop) -> None:
    """Send one body and record the outcome."""
    body, signature, ids = factory.make()
    sent = loop.time()
    try:
        status = await asyncio.wait_for(connection.post(body, signature), REQUEST_TIMEOUT)
        error = ""
    except TimeoutError:
        status, error = 0, "timeout"
        await connection.close()
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        status, error = 0, type(exc).__name__
        await connection.close()
    result.samples.append(Sample(index, due, sent, loop.time(), status, error, tuple(ids)))


async def open_loop(port: int, factory: BodyFactory, *, rate: float, duration: float, connections: int) -> RunResult:
    """Send rate*duration bodies, each due at start + i/rate whether or not earlier ones were answered.

    Latency is measured from the moment a request was due, so time spent waiting for a free
    connection counts (no coordinated omission).
    """
    loop = asyncio.get_running_loop()
    total = int(rate * duration)
    queue: asyncio.Queue = asyncio.Queue()
    result = RunResult("open", rate, connections, 0.0, 0.0)
    pool = [Connection(port) for _ in range(connections)]

    async def sender(connection: Connection) -> None:
        while True:
            item = await queue.get()
            if item is None:
                return
            await _one(connection, factory, result, item[0], item[1], loop)

    tasks = [asyncio.create_task(sender(c)) for c in pool]
    start = loop.time() + 0.05
    result.started = start
    for index in range(total):
        due = start + index / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((index, due))
    for _ in tasks:
        queue.put_nowait(None)
    # Bounded: whatever is not answered within a minute after the last request was due is abandoned.
    await _wind_down(result, tasks, pool, timeout=max(start + duration + 60 - loop.time(), 1))
    result.not_sent = total - len(result.samples)
    return result


async def closed_loop(port: int, factory: BodyFactory, *, duration: float, connections: int) -> RunResult:
    """`connections` clients each send the next body as soon as the previous one is answered."""
    loop = asyncio.get_running_loop()
    result = RunResult("closed", None, connections, 0.0, 0.0)
    pool = [Connection(port) for _ in range(connections)]
    start = loop.time()
    end = start + duration
    result.started = start
    counter = iter(range(10**9))

    async def client(connection: Connection) -> None:
        while loop.time() < end:
            now = loop.time()
            await _one(connection, factory, result, next(counter), now, loop)

    tasks = [asyncio.create_task(client(c)) for c in pool]
    await _wind_down(result, tasks, pool, timeout=duration + REQUEST_TIMEOUT + 5)
    return result


async def _wind_down(result: RunResult, tasks: list[asyncio.Task], pool: list[Connection], *, timeout: float) -> None:
    """Wait up to `timeout` for the tasks, cancel the rest, close the pool and count its reconnects."""
    _, unfinished = await asyncio.wait(tasks, timeout=timeout)
    result.finished = asyncio.get_running_loop().time()
    for task in unfinished:
        task.cancel()
    await asyncio.gather(*unfinished, return_exceptions=True)
    for connection in pool:
        await connection.close()
    result.reconnects = sum(max(c.opened - 1, 0) for c in pool)


def run_open_loop(port: int, factory: BodyFactory, **kwargs) -> RunResult:
    """Synchronous wrapper of open_loop."""
    return asyncio.run(open_loop(port, factory, **kwargs))


def run_closed_loop(port: int, factory: BodyFactory, **kwargs) -> RunResult:
    """Synchronous wrapper of closed_loop."""
    return asyncio.run(closed_loop(port, factory, **kwargs))
