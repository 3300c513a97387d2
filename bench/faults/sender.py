"""The known set of webhook events a scenario sends, and sending them as LINE would (with redelivery).

Each text event comes from a user of its own (so an answer pushed to a user belongs to one event);
an image sender first says "แจ้งข่าว" (the guided news report) and then sends a photo, two events in
one body, so the photo is kept as the report's media and downloaded by the worker. A body that gets
no 200 is sent again (`isRedelivery`, a fresh signature, the same events and reply tokens), as LINE
does with webhook redelivery on, a bounded number of times.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field

from bench.webhook.line_stub import issue_token
from bench.webhook.load import Connection

REQUEST_TIMEOUT = 10.0
REDELIVERY_DELAY = 3.0
MAX_DELIVERIES = 4  # the first try and three redeliveries
REPORT_WORD = "แจ้งข่าว"  # texts/common.py QUICK_REPORT


@dataclass
class Event:
    """One webhook event of the known set."""

    event_id: str
    user_id: str
    kind: str  # "text" or "image"
    message_id: str
    text: str = ""
    reply_token: str = ""

    def payload(self, timestamp_ms: int, redelivery: bool) -> dict:
        message: dict = {"type": self.kind, "id": self.message_id, "quoteToken": f"q{self.message_id}"}
        if self.kind == "text":
            message["text"] = self.text
        else:
            message["contentProvider"] = {"type": "line"}
        return {
            "type": "message",
            "message": message,
            "webhookEventId": self.event_id,
            "deliveryContext": {"isRedelivery": redelivery},
            "timestamp": timestamp_ms,
            "source": {"type": "user", "userId": self.user_id},
            "replyToken": self.reply_token,
            "mode": "active",
        }


@dataclass
class Body:
    """One webhook body: its events, when it was first sent and every HTTP outcome."""

    events: list[Event]
    first_sent: float = 0.0
    timestamp_ms: int = 0
    outcomes: list[str] = field(default_factory=list)  # "200", "503", "timeout", "ConnectionResetError" ...

    @property
    def acknowledged(self) -> bool:
        return "200" in self.outcomes


def make_bodies(tag: str, text_events: int, image_users: int) -> list[Body]:
    """The scenario's bodies: text events from distinct users, image senders spread among them."""
    counter = iter(range(10**6))

    def event(user: str, kind: str, text: str = "") -> Event:
        n = next(counter)
        return Event(f"01{tag}{n:018d}"[:26], user, kind, f"{tag_number(tag)}{n:06d}", text)

    texts = [[event(user_id(tag, n), "text", f"fault {tag} {n}")] for n in range(text_events)]  # one user, one event
    images = []
    for n in range(image_users):
        user = user_id(tag, text_events + n)
        images.append([event(user, "text", REPORT_WORD), event(user, "image")])
    bodies = [Body(events) for events in texts]
    step = max(len(bodies) // max(len(images), 1), 1)
    for n, events in enumerate(images):
        bodies.insert(min(n * (step + 1) + step // 2, len(bodies)), Body(events))
    return bodies


def user_id(tag: str, n: int) -> str:
    """A LINE-shaped user id of one bench user."""
    return "U" + hashlib.md5(f"fault-{tag}-{n}".encode()).hexdigest()


def tag_number(tag: str) -> str:
    """Digits unique to the run, for LINE-like numeric message ids."""
    return str(int(hashlib.md5(tag.encode()).hexdigest()[:8], 16) % 10**9).zfill(9)


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def encode(body: Body, redelivery: bool) -> bytes:
    events = [event.payload(body.timestamp_ms + n, redelivery) for n, event in enumerate(body.events)]
    return json.dumps({"destination": "U" + "b" * 32, "events": events}, ensure_ascii=False).encode()


async def _post(connection: Connection, secret: str, data: bytes) -> str:
    try:
        status = await asyncio.wait_for(connection.post(data, sign(secret, data)), REQUEST_TIMEOUT)
        return str(status)
    except TimeoutError:
        await connection.close()
        return "timeout"
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        await connection.close()
        return type(exc).__name__


async def send_all(port: int, secret: str, bodies: list[Body], *, seconds: float, connections: int = 8) -> None:
    """Send every body once, evenly over `seconds`, then redeliver the unanswered ones (bounded)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    pool = [Connection(port) for _ in range(connections)]

    async def sender(connection: Connection) -> None:
        while (body := await queue.get()) is not None:
            redelivery = bool(body.outcomes)
            if not redelivery:
                body.first_sent = time.time()
                body.timestamp_ms = int(body.first_sent * 1000)
                for event in body.events:
                    event.reply_token = issue_token(body.first_sent)
            body.outcomes.append(await _post(connection, secret, encode(body, redelivery)))

    async def run_senders() -> None:
        tasks = [asyncio.create_task(sender(c)) for c in pool]
        await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT * 3 + len(bodies))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    start = loop.time()
    senders = asyncio.create_task(run_senders())
    for index, body in enumerate(bodies):
        delay = start + index * seconds / len(bodies) - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait(body)
    for _ in pool:
        queue.put_nowait(None)
    await senders
    for _ in range(MAX_DELIVERIES - 1):
        unanswered = [body for body in bodies if not body.acknowledged]
        if not unanswered:
            break
        await asyncio.sleep(REDELIVERY_DELAY)
        for body in unanswered:
            queue.put_nowait(body)
        for _ in pool:
            queue.put_nowait(None)
        await run_senders()
    for connection in pool:
        await connection.close()


def run(port: int, secret: str, bodies: list[Body], *, seconds: float) -> None:
    """Synchronous wrapper of send_all."""
    asyncio.run(send_all(port, secret, bodies, seconds=seconds))
