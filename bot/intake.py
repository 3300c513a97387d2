"""Taking a signed webhook body in: the inbox if the database answers in time, else the spool."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import Envelope, MalformedBody, parse_envelope, store_events, store_rejected
from bot.spool import Spool

log = logging.getLogger(__name__)

KIND_WEBHOOK = "webhook"
KIND_REJECTED = "rejected"


class Intake:
    """Stores webhook bodies within a deadline, spools them otherwise, and replays the spool."""

    def __init__(self, session_factory: sessionmaker[Session], spool: Spool, deadline: float = 1.5):
        """Use a small thread pool so a hung database cannot hold the webhook past the deadline."""
        self.session_factory = session_factory
        self.spool = spool
        self.deadline = deadline
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="intake")
        self._down_until = 0.0
        self._lock = threading.Lock()

    def accept(self, envelope: Envelope, body: bytes) -> str:
        """Store the events, or spool the body; return 'stored' or 'spooled'."""
        if self._run(lambda session: store_events(session, envelope)):
            return "stored"
        self.spool.write(body, KIND_WEBHOOK)
        return "spooled"

    def reject(self, body: bytes, reason: str) -> None:
        """Keep a signed but malformed body, in the database or the spool."""
        if not self._run(lambda session: store_rejected(session, body, reason)):
            self.spool.write(body, KIND_REJECTED)

    def _run(self, work) -> bool:
        """Run work(session) in its own committed transaction within the deadline."""
        if time.monotonic() < self._down_until:
            return False  # the database failed moments ago: do not pile up more waiting threads
        future = self._pool.submit(self._transaction, work)
        try:
            future.result(timeout=self.deadline)
            return True
        except FutureTimeout:
            log.error("database did not answer within %.1f s; body spooled", self.deadline)
        except Exception as exc:  # any database failure: the spool keeps the body
            log.error("database unavailable (%s); body spooled", type(exc).__name__)
        with self._lock:
            self._down_until = time.monotonic() + 2.0
        return False

    def _transaction(self, work) -> None:
        with self.session_factory() as session, session.begin():
            work(session)

    def replay_spool(self) -> int:
        """Move spooled bodies into the database; return how many were replayed."""
        if not self.spool.count():
            return 0

        def store(body: bytes, kind: str) -> None:
            with self.session_factory() as session, session.begin():
                if kind == KIND_REJECTED:
                    store_rejected(session, body, "malformed body (replayed from spool)")
                    return
                try:
                    envelope = parse_envelope(body)
                except MalformedBody as exc:
                    store_rejected(session, body, str(exc))
                    return
                store_events(session, envelope, via_spool=True)

        count = self.spool.replay(store)
        if count:
            log.info("replayed %s spooled webhook bodies into the inbox", count)
        return count

    def database_down(self) -> bool:
        """Whether the database failed within the last two seconds."""
        return time.monotonic() < self._down_until
