"""A loopback TCP proxy between FieldLine and PostgreSQL that can black-hole or refuse on command.

Run as `python -m bench.faults.proxy --port P --upstream-port 5432 --control-port C`. Both ends are
127.0.0.1 only. GET http://127.0.0.1:C/forward, /blackhole, /refuse switch the mode; GET /state
shows it. The proxy stops by itself after `--max-seconds`.

- forward: bytes flow both ways.
- blackhole: nothing is forwarded (the connections stay open, the bytes wait in the kernel's buffers,
  new connections are accepted but not connected onwards), like a network that drops every packet
  until it heals; back to forward, everything waiting flows again, as TCP's retransmissions would.
- refuse: every open connection is reset and the port stops listening (connection refused), like
  a database server that restarted; back to forward, it listens again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import struct

HOST = "127.0.0.1"
CHUNK = 65536


class Proxy:
    """The listening socket, the open connection pairs and the mode."""

    def __init__(self, port: int, upstream_port: int):
        self.port = port
        self.upstream_port = upstream_port
        self.mode = "forward"
        self.flowing = asyncio.Event()
        self.flowing.set()
        self.server: asyncio.Server | None = None
        self.pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter | None]] = set()
        self.accepted = 0

    async def listen(self) -> None:
        self.server = await asyncio.start_server(self._client, HOST, self.port, reuse_address=True)

    async def set_mode(self, mode: str) -> None:
        """Switch to forward, blackhole or refuse."""
        if mode == "refuse":
            self.flowing.set()
            if self.server is not None:
                self.server.close()
                self.server = None
            for client, upstream in list(self.pairs):
                for writer in (client, upstream):
                    if writer is not None:
                        _reset(writer)
            self.pairs.clear()
        elif mode == "blackhole":
            self.flowing.clear()
            if self.server is None:
                await self.listen()
        else:
            mode = "forward"
            if self.server is None:
                await self.listen()
            self.flowing.set()
        self.mode = mode

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        pair = (writer, None)
        self.pairs.add(pair)
        try:
            await self.flowing.wait()
            up_reader, up_writer = await asyncio.open_connection(HOST, self.upstream_port)
        except OSError:
            self.pairs.discard(pair)
            writer.close()
            return
        if pair not in self.pairs:  # reset while connecting
            up_writer.close()
            return
        self.pairs.discard(pair)
        pair = (writer, up_writer)
        self.pairs.add(pair)
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True)
        self.pairs.discard(pair)
        for end in pair:
            end.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy bytes one way while the mode lets them flow."""
        try:
            while True:
                await self.flowing.wait()
                data = await reader.read(CHUNK)
                await self.flowing.wait()  # bytes read just before a black-hole wait for it to end
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(OSError, RuntimeError):
                writer.write_eof()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), as a restarting server's kernel would."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def control(proxy: Proxy, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A one-request HTTP/1.0 control endpoint: GET /forward, /blackhole, /refuse or /state."""
    try:
        request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        path = request.split(b" ", 2)[1].decode()
        if path.strip("/") in ("forward", "blackhole", "refuse"):
            await proxy.set_mode(path.strip("/"))
        body = json.dumps({"mode": proxy.mode, "open": len(proxy.pairs), "accepted": proxy.accepted}).encode()
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        writer.write(body)
        await writer.drain()
    except (OSError, asyncio.IncompleteReadError, TimeoutError, IndexError):
        pass
    finally:
        writer.close()


async def serve(port: int, upstream_port: int, control_port: int, max_seconds: float) -> None:
    proxy = Proxy(port, upstream_port)
    await proxy.listen()
    controller = await asyncio.start_server(lambda r, w: control(proxy, r, w), HOST, control_port)
    async with controller:
        await asyncio.sleep(max_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream-port", type=int, default=5432)
    parser.add_argument("--control-port", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop by itself after this long")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.upstream_port, args.control_port, args.max_seconds))


if __name__ == "__main__":
    main()
