"""Taking a signed webhook body in: the inbox if the database answers in time, else the spool."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot.inbox import (
    Envelope,
    MalformedBody,
    database_unavailable,
    event_bytes,
    parse_envelope,
    store_events,
    store_refused,
    store_rejected,
    unstorable,
)
from bot.spool import Spool

log = logging.getLogger(__name__)

KIND_WEBHOOK = "webhook"
KIND_REJECTED = "rejected"
INTAKE_THREADS = 2
DOWN_FOR_SECONDS = 2.0  # after a failure or a late answer, bodies go straight to the spool this long
CLOSE_WAIT_SECONDS = 10.0


class _Delivery:
    """One webhook body waiting for a writer thread: what to store and how it went."""

    __slots__ = ("envelope", "body", "reason", "done", "stored", "abandoned")

    def __init__(self, envelope: Envelope | None, body: bytes, reason: str = ""):
        self.envelope = envelope  # None: a malformed body to keep in rejected_bodies, for `reason`
        self.body = body
        self.reason = reason
        self.done = threading.Event()
        self.stored = False
        self.abandoned = False  # its request gave up waiting and spooled the body


class Intake:
    """Stores webhook bodies within a deadline, spools them otherwise, and replays the spool.

    Requests hand their bodies to a few writer threads and wait at most the deadline, so a hung
    database cannot hold the webhook past it. A writer takes every body waiting at that moment and
    stores them with one INSERT (group commit): under load each commit carries more events, so the
    cost per event falls as the rate rises.
    """

    def __init__(
        self,
        engine: Engine,
        spool: Spool,
        deadline: float = 1.5,
        threads: int = INTAKE_THREADS,
        on_stored: Callable[[], None] | None = None,
    ):
        """engine is the intake's own (runtime.db.make_intake_engine): autocommit on PostgreSQL and no
        pre-ping, so storing a batch costs one round trip. on_stored (the doorbell's ring) is called after
        each batch with events is stored, once the webhook requests waiting for it have been answered."""
        self.engine = engine
        self.on_stored = on_stored
        self.spool = spool
        self.deadline = deadline
        self._waiting: list[_Delivery] = []
        self._ready = threading.Condition()
        self._closing = False
        self._down_until = 0.0
        self._writers = [
            threading.Thread(target=self._write_loop, name=f"intake-{n}", daemon=True) for n in range(threads)
        ]
        for writer in self._writers:
            writer.start()

    def accept(self, envelope: Envelope, body: bytes) -> str:
        """Store the events, or spool the body; return 'stored' or 'spooled'."""
        if self._hand_over(_Delivery(envelope, body)):
            return "stored"
        self.spool.write(body, KIND_WEBHOOK)
        return "spooled"

    def reject(self, body: bytes, reason: str) -> None:
        """Keep a signed but malformed body, in the database or the spool."""
        if not self._hand_over(_Delivery(None, body, reason)):
            self.spool.write(body, KIND_REJECTED)

    def _hand_over(self, delivery: _Delivery) -> bool:
        """Queue a delivery for the writers and wait at most the deadline; False if it failed or is late."""
        if self.database_down() or self._closing:
            return False  # the database failed moments ago: do not pile up more waiting requests
        with self._ready:
            self._waiting.append(delivery)
            self._ready.notify()
        if delivery.done.wait(self.deadline):
            return delivery.stored
        with self._ready:
            delivery.abandoned = True  # a writer that has not taken it yet skips it
        log.error("database did not answer within %.1f s; body spooled", self.deadline)
        self._mark_down()
        return False

    def _write_loop(self) -> None:
        """A writer thread: store whatever is waiting, one batch at a time, until closed."""
        while True:
            with self._ready:
                while not self._waiting and not self._closing:
                    self._ready.wait()
                if not self._waiting:
                    return
                batch = [delivery for delivery in self._waiting if not delivery.abandoned]
                self._waiting.clear()
            if batch:
                self._write(batch)

    def _write(self, batch: list[_Delivery]) -> None:
        """Store one batch: the events of every body in one statement, the malformed bodies one by one.

        Only an unavailable database sends the batch to the spool. Any other failure is some body's
        own: the bodies are then stored one at a time, each event that still fails kept aside alone.
        """
        events = [delivery for delivery in batch if delivery.envelope is not None]
        try:
            if events:
                self._store([delivery.envelope for delivery in events])
            for delivery in events:
                delivery.stored = True
        except Exception as exc:
            if database_unavailable(exc):
                log.error("database unavailable (%s); body spooled", type(exc).__name__)
                self._mark_down()
            else:
                log.warning(
                    "a batch of %s bodies failed (%s); storing them one by one", len(events), type(exc).__name__
                )
                for delivery in events:
                    delivery.stored = self._store_alone(delivery)
        for delivery in batch:
            if delivery.envelope is None:
                delivery.stored = self._keep_rejected(delivery)
            delivery.done.set()
        if self.on_stored is not None and any(delivery.stored for delivery in events):
            self.on_stored()  # after the answers: the worker process wakes at once (runtime/doorbell.py)

    def _store(self, envelopes: list[Envelope]) -> None:
        """Insert the events; a pooled connection the database dropped (a restart) gets one more try."""
        try:
            self._insert(envelopes)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            log.info("intake connection was closed by the database; trying a fresh one")
            self._insert(envelopes)

    def _insert(self, envelopes: list[Envelope], via_spool: bool = False) -> None:
        """One transaction: every event in one statement, and the events the envelopes refused."""
        with self.engine.begin() as connection:
            store_events(connection, *envelopes, via_spool=via_spool)
            for envelope in envelopes:
                if envelope.refused:
                    store_refused(connection, envelope)

    def store_isolated(self, envelope: Envelope, *, via_spool: bool = False) -> None:
        """Store one body's events, each unstorable one kept aside; raise only if the database is unavailable."""
        try:
            self._insert([envelope], via_spool)
            return
        except Exception as exc:
            if database_unavailable(exc):
                raise
            log.warning(
                "a webhook body could not be stored whole (%s); storing its events one by one", type(exc).__name__
            )
        for event in envelope.events:
            try:
                self._insert([Envelope(envelope.destination, [event])], via_spool)
            except Exception as exc:
                if database_unavailable(exc):
                    raise
                log.warning("an inbox event could not be stored (%s); kept aside", type(exc).__name__)
                with self.engine.begin() as connection:
                    store_rejected(connection, event_bytes(event), unstorable(exc))
        if envelope.refused:
            with self.engine.begin() as connection:
                store_refused(connection, envelope)

    def _store_alone(self, delivery: _Delivery) -> bool:
        """Store one body of a failed batch on its own; False (spool it) only if the database is unavailable."""
        return self._keep(delivery, KIND_WEBHOOK, lambda: self.store_isolated(delivery.envelope))

    def _keep_rejected(self, delivery: _Delivery) -> bool:
        """Store one malformed body; False (spool it) only if the database is unavailable."""

        def insert() -> None:
            with self.engine.begin() as connection:
                store_rejected(connection, delivery.body, delivery.reason)

        return self._keep(delivery, KIND_REJECTED, insert)

    def _keep(self, delivery: _Delivery, kind: str, store: Callable[[], None]) -> bool:
        """Run store(); False only if the database is unavailable, else True: stored, or kept as a dead letter."""
        try:
            store()
        except Exception as exc:
            if database_unavailable(exc):
                log.error("database unavailable (%s); body spooled", type(exc).__name__)
                self._mark_down()
                return False
            log.error("a webhook body could not be kept (%s); moved to the dead letters", type(exc).__name__)
            self.spool.write_dead(delivery.body, kind, unstorable(exc))
        return True

    def _mark_down(self) -> None:
        self._down_until = time.monotonic() + DOWN_FOR_SECONDS

    def replay_spool(self) -> int:
        """Move spooled bodies into the database; return how many were replayed.

        A body that cannot be stored for any reason but an unavailable database goes to the spool's
        dead letters with its reason, so it never stops the bodies after it; an unavailable database
        stops the replay until the next round.
        """
        if not self.spool.count():
            return 0

        def store(body: bytes, kind: str) -> None:
            try:
                envelope = parse_envelope(body)
            except MalformedBody as exc:
                with self.engine.begin() as connection:
                    store_rejected(connection, body, str(exc))
                return
            if kind == KIND_REJECTED:  # rejected once, readable now: a body the parser used to refuse
                log.info("a spooled rejected body reads as LINE's envelope now; storing its events")
            self.store_isolated(envelope, via_spool=True)

        count = self.spool.replay(store, transient=database_unavailable, reason=unstorable)
        if count:
            log.info("replayed %s spooled webhook bodies into the inbox", count)
        return count

    def close(self) -> None:
        """Let the writers store what is waiting, then close the intake's connections (idempotent)."""
        with self._ready:
            self._closing = True
            self._ready.notify_all()
        for writer in self._writers:
            writer.join(CLOSE_WAIT_SECONDS)
        self.engine.dispose()

    def database_down(self) -> bool:
        """Whether the database failed within the last two seconds."""
        return time.monotonic() < self._down_until
