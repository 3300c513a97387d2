"""Taking a signed webhook body in: the inbox if the database answers in time, else the spool."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import Envelope, MalformedBody, parse_envelope, store_events, store_rejected
from bot.spool import Spool

log = logging.getLogger(__name__)

KIND_WEBHOOK = "webhook"
KIND_REJECTED = "rejected"
INTAKE_THREADS = 8


class Intake:
    """Stores webhook bodies within a deadline, spools them otherwise, and replays the spool."""

    def __init__(
        self,
        engine: Engine,
        session_factory: sessionmaker[Session],
        spool: Spool,
        deadline: float = 1.5,
        threads: int = INTAKE_THREADS,
    ):
        """Use a small thread pool so a hung database cannot hold the webhook past the deadline.

        engine is the intake's own (bot.db.make_intake_engine): autocommit on PostgreSQL and no
        pre-ping, so storing a body costs one round trip; session_factory serves the rare paths.
        """
        self.engine = engine
        self.session_factory = session_factory
        self.spool = spool
        self.deadline = deadline
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="intake")
        self._down_until = 0.0
        self._lock = threading.Lock()

    def accept(self, envelope: Envelope, body: bytes) -> str:
        """Store the events, or spool the body; return 'stored' or 'spooled'."""
        if self._run(lambda: self._store(envelope)):
            return "stored"
        self.spool.write(body, KIND_WEBHOOK)
        return "spooled"

    def reject(self, body: bytes, reason: str) -> None:
        """Keep a signed but malformed body, in the database or the spool."""
        if not self._run(lambda: self._transaction(lambda session: store_rejected(session, body, reason))):
            self.spool.write(body, KIND_REJECTED)

    def _store(self, envelope: Envelope) -> None:
        """Insert the events; a pooled connection the database dropped (a restart) gets one more try."""
        try:
            with self.engine.begin() as connection:
                store_events(connection, envelope)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.info("intake connection was closed by the database; trying a fresh one")
            with self.engine.begin() as connection:
                store_events(connection, envelope)

    def _run(self, work) -> bool:
        """Run work() in a pool thread and wait for it at most the deadline; False if it failed or is late."""
        if time.monotonic() < self._down_until:
            return False  # the database failed moments ago: do not pile up more waiting threads
        future = self._pool.submit(work)
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
                store_events(session.connection(), envelope, via_spool=True)

        count = self.spool.replay(store)
        if count:
            log.info("replayed %s spooled webhook bodies into the inbox", count)
        return count

    def close(self) -> None:
        """Let running stores finish, then close the intake's connections."""
        self._pool.shutdown(wait=True)
        self.engine.dispose()

    def database_down(self) -> bool:
        """Whether the database failed within the last two seconds."""
        return time.monotonic() < self._down_until
