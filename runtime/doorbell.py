"""The inbox's doorbell: the web process rings when it has stored events, the worker process wakes at once.

Without it an idle worker looks at the inbox only every DEDICATED_INTERVAL, so each step of a conversation waited a
quarter of a second on average before anything happened. On PostgreSQL the bell is LISTEN/NOTIFY on the channel
``fieldline_inbox`` (after a batch is stored and answered the intake asks the bell's own thread to send it, on its
own connection, so a writer never waits); on SQLite, where processes share a file and not a server, it is a
datagram to each listening worker's Unix socket in a folder named after the database file. A lost ring costs
nothing but time: the worker still looks at the inbox every interval, so polling remains the fallback.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

CHANNEL = "fieldline_inbox"
RECONNECT_PAUSE = 2.0  # seconds before a listener that lost its connection tries again


class Doorbell:
    """Ring to say 'events are waiting'; listen to be called back when someone rings (any process)."""

    def ring(self) -> None:
        """Tell every listening worker that events are waiting; never raises."""

    def listen(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` (from a daemon thread) whenever someone rings; return a function that stops it."""
        return lambda: None

    def close(self) -> None:
        """Let go of what the bell holds (its connection); it reconnects if rung again."""


class PostgresDoorbell(Doorbell):
    """LISTEN/NOTIFY on CHANNEL, rung by a thread of its own so that no intake writer ever waits on the bell."""

    # the bell's connection gives up on a silent server within seconds (a black-holed network), not minutes
    CONNECT = {"autocommit": True, "connect_timeout": 2, "tcp_user_timeout": 2000, "keepalives": 1,
               "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2}  # fmt: skip

    def __init__(self, url: str):
        """`url` is the database's; the bell and each listener connect with psycopg."""
        self.url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._pending = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def ring(self) -> None:
        """Ask the bell's thread to NOTIFY (rings that come together make one notification); returns at once."""
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._ringer, name="fieldline-bell", daemon=True)
                    self._thread.start()
        self._pending.set()

    def _ringer(self) -> None:
        import psycopg

        connection = None
        while not self._closed.is_set():
            self._pending.wait(1.0)
            if not self._pending.is_set():
                continue
            self._pending.clear()
            try:
                if connection is None or connection.closed:
                    connection = psycopg.connect(self.url, application_name="fieldline-bell", **self.CONNECT)
                connection.execute(f"NOTIFY {CHANNEL}")
            except Exception as exc:  # a missed ring only costs time: the worker polls anyway
                log.debug("doorbell not rung: %s", type(exc).__name__)
                if connection is not None:
                    with contextlib.suppress(Exception):
                        connection.close()
                connection = None
                self._closed.wait(RECONNECT_PAUSE)
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()

    def close(self) -> None:
        """Stop the bell's thread and close its connection."""
        self._closed.set()
        self._pending.set()
        if self._thread is not None:
            self._thread.join(3.0)

    def listen(self, callback: Callable[[], None]) -> Callable[[], None]:
        """LISTEN on a dedicated connection in a daemon thread, reconnecting after a failure."""
        stop = threading.Event()

        def loop() -> None:
            import psycopg

            while not stop.is_set():
                try:
                    with psycopg.connect(self.url, application_name="fieldline-doorbell", **self.CONNECT) as conn:
                        conn.execute(f"LISTEN {CHANNEL}")
                        callback()  # whatever arrived while no one listened
                        while not stop.is_set():
                            for _ in conn.notifies(timeout=1.0, stop_after=1):
                                callback()
                except Exception as exc:
                    log.warning("doorbell listener lost its connection (%s); polling meanwhile", type(exc).__name__)
                    stop.wait(RECONNECT_PAUSE)

        threading.Thread(target=loop, name="fieldline-doorbell", daemon=True).start()
        return stop.set


class SocketDoorbell(Doorbell):
    """Unix datagram sockets in a folder shared by the processes of one SQLite database file."""

    def __init__(self, folder: Path):
        """`folder` holds one socket per listening process."""
        self.folder = folder

    def ring(self) -> None:
        """Send one byte to every listener's socket; forget the sockets of processes that are gone."""
        try:
            names = list(self.folder.glob("*.sock"))
        except OSError:
            return
        if not names:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.setblocking(False)
            for name in names:
                try:
                    sender.sendto(b"!", str(name))
                except (ConnectionRefusedError, FileNotFoundError):
                    with contextlib.suppress(OSError):
                        name.unlink()  # its process has ended
                except OSError:
                    pass  # full: a ring is already waiting there

    def listen(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Bind this process's socket and call back on each datagram, in a daemon thread."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.folder / f"{os.getpid()}-{threading.get_ident()}.sock"
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        receiver.bind(str(path))
        receiver.settimeout(1.0)
        stop = threading.Event()

        def loop() -> None:
            try:
                while not stop.is_set():
                    try:
                        receiver.recv(64)
                    except TimeoutError:
                        continue
                    except OSError:
                        return
                    callback()
            finally:
                receiver.close()
                with contextlib.suppress(OSError):
                    path.unlink()

        threading.Thread(target=loop, name="fieldline-doorbell", daemon=True).start()
        return stop.set


def sqlite_folder(url: str) -> Path | None:
    """The doorbell folder of an SQLite database file (short, for the socket path limit); None in memory."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    digest = hashlib.sha256(str(Path(database).resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"fieldline-wake-{digest}"


def doorbell_for(url: str) -> Doorbell:
    """The doorbell of a database: LISTEN/NOTIFY on PostgreSQL, sockets beside an SQLite file, else silent."""
    if url.startswith("postgresql"):
        return PostgresDoorbell(url)
    folder = sqlite_folder(url) if url.startswith("sqlite") else None
    return SocketDoorbell(folder) if folder is not None else Doorbell()
