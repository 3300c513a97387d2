"""Sending the bench's bodies to the webhook: on a schedule (open loop) or as fast as it takes them (closed loop).

Keep-alive connections (bench/webhook/load.Connection), spread round-robin over the web processes' ports.
Open loop: each body is handed to a free connection at its due time whether or not earlier ones were
answered; its events are stamped (timestamp, reply token) and its send time recorded at the moment it
is written, so the latencies count from the delivery itself. A run is bounded by its schedule and by
REQUEST_TIMEOUT per request.
"""

from __future__ import annotations

import asyncio
import time

from bench.e2e.events import Body
from bench.faults.sender import sign
from bench.webhook.load import Connection

REQUEST_TIMEOUT = 10.0


async def _post(connection: Connection, secret: str, body: Body) -> None:
    now = time.time()
    data = body.encode(now)
    try:
        body.status = await asyncio.wait_for(connection.post(data, sign(secret, data)), REQUEST_TIMEOUT)
    except TimeoutError:
        body.error = "timeout"
        await connection.close()
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        body.error = type(exc).__name__
        await connection.close()
    body.answered_in = time.time() - now


async def open_loop(ports: list[int], secret: str, schedule: list[tuple[float, Body]], connections: int) -> dict:
    """Send each (offset seconds, body) at its offset from now; return how late the client was at worst."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    pool = [Connection(ports[n % len(ports)]) for n in range(connections)]
    lateness: list[float] = []

    async def sender(connection: Connection) -> None:
        while (item := await queue.get()) is not None:
            due, body = item
            lateness.append(loop.time() - due)
            await _post(connection, secret, body)

    tasks = [asyncio.create_task(sender(c)) for c in pool]
    start = loop.time() + 0.05
    for offset, body in sorted(schedule, key=lambda item: item[0]):
        delay = start + offset - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((start + offset, body))
    for _ in tasks:
        queue.put_nowait(None)
    await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT * 3 + len(schedule) / 10)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for connection in pool:
        await connection.close()
    lateness.sort()
    return {"client_late_ms_max": round(lateness[-1] * 1000, 1) if lateness else None}


async def closed_loop(ports: list[int], secret: str, bodies: list[Body], connections: int) -> None:
    """Each connection sends the next body as soon as its previous one is answered, until none are left."""
    pending = iter(bodies)
    pool = [Connection(ports[n % len(ports)]) for n in range(connections)]

    async def client(connection: Connection) -> None:
        for body in pending:
            await _post(connection, secret, body)

    await asyncio.gather(*(client(c) for c in pool))
    for connection in pool:
        await connection.close()


def send_schedule(ports: list[int], secret: str, schedule: list[tuple[float, Body]], connections: int = 64) -> dict:
    """Synchronous wrapper of open_loop."""
    return asyncio.run(open_loop(ports, secret, schedule, connections))


def send_all(ports: list[int], secret: str, bodies: list[Body], connections: int = 8) -> None:
    """Synchronous wrapper of closed_loop."""
    asyncio.run(closed_loop(ports, secret, bodies, connections))
