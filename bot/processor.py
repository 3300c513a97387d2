"""Processing inbox events after the webhook's commit: each once, in its own transaction."""

from __future__ import annotations

import json
import logging
import threading
import traceback
from datetime import datetime, timedelta

from linebot.v3.webhooks import Event
from sqlalchemy import select, text
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.inbox import database_unavailable
from handlers.basics import remember_sender
from handlers.context import Context
from handlers.registry import Registry
from line.messenger import Messenger
from models import InboxEvent, InboxStatus, OutgoingMessage
from models.inbox import DUE_STATUSES
from models.timeutil import utcnow
from runtime import delivery, media
from runtime.lanes import Lanes
from services.media_store import MediaStore

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CANDIDATES = 40  # due events read to find each chat's earliest
BATCH = 16  # chats whose next event is handled in one transaction
OVERLOADED_AFTER = timedelta(seconds=5)  # the oldest due event's wait after which the newest chats come first
# SQLite's planner, without statistics, sorted every due event on each claim (ix_inbox_events_due, then a
# temporary B-tree) and probed a chat's earlier events the same way; these name the indexes that answer them.
QUEUE_INDEX = "INDEXED BY ix_inbox_events_queue"
CHAT_INDEX = "INDEXED BY ix_inbox_events_chat"
SENDERS = 32  # lanes sending replies to LINE in parallel (by chat): a call to LINE takes tens of ms
DELIVERIES = 50  # outbox rows delivered per round at least


def retry_delay(attempts: int) -> timedelta:
    """Backoff before retrying a failed event: 10 s, 40 s, 160 s, ..."""
    return timedelta(seconds=10 * 4 ** max(attempts - 1, 0))


class Processor:
    """Claims due inbox events, routes them through the handler registry and fills the outbox."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        registry: Registry,
        messenger: Messenger,
        media_store: MediaStore | None = None,
        *,
        senders: int = SENDERS,
    ):
        """Keep the collaborators; nothing runs until process_due is called."""
        self.session_factory = session_factory
        self.registry = registry
        self.messenger = messenger
        self.media_store = media_store
        self.lanes = Lanes(senders, name="fieldline-send")
        self._sent: list[delivery.Change] = []  # outcomes of the lanes' calls to LINE, not yet written
        self._sent_lock = threading.Lock()
        self._due_left = False  # whether the last claim saw more due events than it took

    def close(self) -> None:
        """Finish sending what was handed to LINE's lanes, record the outcomes and stop the lanes' threads."""
        try:
            self.record_sent()
        except Exception as exc:  # the database is down: the rows' leases expire and they are settled again
            log.warning("outcomes of the last replies not recorded: %s", type(exc).__name__)
        self.lanes.close()

    def process_due(self, *, limit: int = 200) -> int:
        """Process due events, then deliver due outbox rows and fetch due media; return events processed."""
        processed = self.process_events(limit=limit)
        self.deliver_due(at_least=processed)
        return processed

    def process_events(self, *, limit: int = 200, batch: int = BATCH, wait: bool = True) -> int:
        """Process due events (oldest first per chat) and send their replies; return how many.

        Events are taken `batch` chats at a time, each batch in one transaction; each batch's replies go to
        LINE on the chats' lanes while the next batch is handled. With wait, the call returns when all are
        sent and recorded; without (the worker's loop), the lanes go on while the next events are handled,
        and their outcomes are written with the next batch or by record_sent().
        """
        processed = 0
        try:
            while processed < limit:
                size = min(batch, limit - processed)
                taken = self.process_batch(size)
                processed += taken
                if not taken or (taken < size and not self._due_left):
                    break  # the queue is worked off (no empty batch to learn it); new events ring the doorbell
        finally:
            self.record_sent(wait=wait)
        return processed

    def deliver_due(self, *, at_least: int = 0) -> None:
        """Deliver outbox rows whose time has come (retries, pushes) and download due media.

        At least as many rows as `at_least` (the events just handled), so the outbox keeps pace with a backlog.
        """
        delivery.deliver_due(self.session_factory, self.messenger, limit=max(DELIVERIES, at_least))
        if self.media_store is not None:
            media.fetch_due(self.session_factory, self.messenger, self.media_store)

    def process_one(self) -> bool:
        """Claim and handle one event, then send its replies; False when none is due."""
        return self.process_events(limit=1) > 0

    def process_batch(self, size: int) -> int:
        """Claim the next due event of up to `size` chats and handle them in one transaction; return how many.

        Each event is handled in its own savepoint, so one event's failure is its own. The events' outbox
        rows are leased in the same transaction, so right after the commit they go to LINE (on their chats'
        lanes) while the reply tokens are fresh, without another round of claiming; the outcomes of earlier
        batches' calls are written in the same transaction, so the lanes never wait for the database. If
        the commit itself fails (not because the database is down), the events are handled again one by
        one, so only the event at fault is set aside.
        """
        claimed: list[int] = []
        sent = self._take_sent()
        try:
            with self.session_factory() as session, session.begin():
                delivery.record(session, sent)
                events = self._claim(session, size)
                claimed = [event.id for event in events]
                leased = [(event.chat_key, self._lease(session, event)) for event in events]
        except Exception as exc:
            self._sent_back(sent)  # written with the next transaction
            if not claimed or database_unavailable(exc):
                raise
            if len(claimed) == 1:
                self._set_aside(claimed[0], exc)  # its transaction could not commit: never let it block the queue
            else:
                for event_id in claimed:
                    self._process_alone(event_id)
            return len(claimed)
        for chat, attempts in leased:
            self._send(chat, attempts)
        return len(claimed)

    def _process_alone(self, event_id: int) -> None:
        """Handle one event of a batch whose commit failed, in a transaction of its own."""
        try:
            with self.session_factory() as session, session.begin():
                event = session.scalar(
                    select(InboxEvent).where(InboxEvent.id == event_id, DUE_STATUSES).with_for_update(skip_locked=True)
                )
                if event is None:
                    return
                attempts = self._lease(session, event)
        except Exception as exc:
            if database_unavailable(exc):
                raise
            self._set_aside(event_id, exc)
            return
        self._send(event.chat_key, attempts)

    def _lease(self, session: Session, event: InboxEvent) -> list[delivery.Attempt]:
        """Handle the event and lease its outbox rows for sending after the commit."""
        return delivery.lease(session, self._handle(session, event), utcnow())

    def _send(self, chat: str, attempts: list[delivery.Attempt]) -> None:
        """Send committed leases on the chat's lane (after that chat's earlier replies)."""
        if attempts:
            self.lanes.submit(chat, lambda: self._sent_back(delivery.send(self.messenger, attempts)))

    def _sent_back(self, changes: list[delivery.Change]) -> None:
        with self._sent_lock:
            self._sent.extend(changes)

    def _take_sent(self) -> list[delivery.Change]:
        with self._sent_lock:
            taken, self._sent = self._sent, []
        return taken

    def record_sent(self, *, wait: bool = True) -> None:
        """Write the outcomes of the lanes' calls not yet written; with wait, first let the lanes finish."""
        if wait:
            self.lanes.wait()
        sent = self._take_sent()
        if not sent:
            return
        try:
            with self.session_factory() as session, session.begin():
                delivery.record(session, sent)
        except Exception:
            self._sent_back(sent)  # the database is down: written by the next round that reaches it
            raise

    @property
    def sending(self) -> bool:
        """Whether replies are still on the lanes or their outcomes not yet written."""
        with self._sent_lock:
            return self.lanes.busy or bool(self._sent)

    def _set_aside(self, event_id: int, exc: Exception) -> None:
        """Record a failure that escaped the handler's savepoint, in a fresh transaction: the event waits its turn."""
        log.error("inbox event %s could not be processed (%s)", event_id, type(exc).__name__)
        with self.session_factory() as session, session.begin():
            event = session.get(InboxEvent, event_id)
            if event is not None:
                _record_failure(event, exc, utcnow())

    def _claim(self, session: Session, size: int) -> list[InboxEvent]:
        """Take the earliest due event of up to `size` chats no other process is working on.

        Chats are chosen by _next_chats. On PostgreSQL one statement takes the chats' advisory locks (held
        to the commit), so another worker process never handles the same chat at the same time; SQLite's
        write transactions are serial already. The events are then locked and read again, still due.
        """
        now = utcnow()
        due = (DUE_STATUSES, InboxEvent.next_attempt_at <= now)  # DUE_STATUSES matches the queue index
        first, seen = self._next_chats(session, due, now, max(CANDIDATES, 2 * size))
        chats = list(first)[:size]
        if chats and session.get_bind().dialect.name == "postgresql":
            # In that order, stopping at `size` chats locked: a chat another worker holds is passed over.
            chats = session.scalars(
                text(
                    "SELECT k FROM unnest(CAST(:keys AS text[])) AS k"
                    " WHERE pg_try_advisory_xact_lock(hashtext(k)) LIMIT :size"
                ),
                {"keys": list(first), "size": size},
            ).all()
        chosen = [first[chat] for chat in chats]
        self._due_left = seen > len(chosen)  # more events were due than this batch takes
        if not chosen:
            return []
        statement = (
            select(InboxEvent)
            .where(InboxEvent.id.in_(chosen), *due)
            .order_by(InboxEvent.event_at, InboxEvent.id)
            .with_for_update(skip_locked=True)
        )
        return list(session.scalars(statement))

    @staticmethod
    def _next_chats(session: Session, due: tuple, now: datetime, count: int) -> tuple[dict[str, int], int]:
        """Chats to take next, in order, each with its earliest due event's id; and how many due events were seen.

        Normally the oldest first: among the first `count` due events in queue order, a chat's first
        appearance is its earliest due event. When the oldest due event has waited OVERLOADED_AFTER (events
        come faster than they are processed), the chats of the newest events come first, each with its
        earliest due event (found on the chat index), so the people writing now are answered soon instead of
        every answer going late; a chat's events keep their order.
        """
        oldest = session.execute(
            select(InboxEvent.id, InboxEvent.chat_key, InboxEvent.event_at)
            .with_hint(InboxEvent, QUEUE_INDEX, "sqlite")
            .where(*due)
            .order_by(InboxEvent.event_at, InboxEvent.id)
            .limit(count)
        ).all()
        if not oldest or oldest[0].event_at > now - OVERLOADED_AFTER:
            first: dict[str, int] = {}
            for event_id, chat, _ in oldest:
                first.setdefault(chat, event_id)
            return first, len(oldest)
        newest = (
            select(InboxEvent.chat_key, InboxEvent.event_at, InboxEvent.id)
            .with_hint(InboxEvent, QUEUE_INDEX, "sqlite")
            .where(*due)
            .order_by(InboxEvent.event_at.desc(), InboxEvent.id.desc())
            .limit(count)
            .subquery()
        )
        earlier = aliased(InboxEvent)
        head = (  # the chat's earliest due event, looked up on ix_inbox_events_chat
            select(earlier.id)
            .with_hint(earlier, CHAT_INDEX, "sqlite")
            .where(
                earlier.chat_key == newest.c.chat_key,
                earlier.status.in_((InboxStatus.PENDING, InboxStatus.FAILED)),
                earlier.next_attempt_at <= now,
            )
            .order_by(earlier.event_at, earlier.id)
            .limit(1)
            .scalar_subquery()
        )
        rows = session.execute(select(newest.c.chat_key, head).order_by(newest.c.event_at.desc(), newest.c.id.desc()))
        first = {}
        for chat, event_id in rows:
            if event_id is not None:
                first.setdefault(chat, event_id)
        return first, len(oldest)

    def _handle(self, session: Session, event: InboxEvent) -> list[OutgoingMessage]:
        """Run the registry on one event and return the outbox rows it wrote; a failure rolls back only its changes."""
        now = utcnow()
        attempts = event.attempts + 1  # written with the outcome: one UPDATE of the event, not two
        raw = json.loads(event.payload)
        _note_unmodelled(raw)
        if event.mode == "standby":
            event.attempts = attempts
            event.status = InboxStatus.IGNORED
            event.last_error = "standby: another channel answers this chat"
            event.processed_at = now
            return []
        rows: list[OutgoingMessage] = []
        try:
            with session.begin_nested():
                ctx = Context(session=session, event=raw, now=now, line=self.messenger, inbox_event_id=event.id)
                ctx.sender = remember_sender(ctx)
                messages = self.registry.dispatch(ctx)
                if messages:
                    rows += delivery.enqueue(
                        session,
                        ctx.chat_id or "",
                        messages,
                        reply_token=raw.get("replyToken"),
                        event_at=event.event_at,
                        inbox_event_id=event.id,
                    )
                for recipient, extra in ctx.pushes:
                    rows += delivery.enqueue(session, recipient, extra, inbox_event_id=event.id, purpose="push")
        except Exception as exc:  # one bad event must not stop the others
            _record_failure(event, exc, now)
            return []
        event.attempts = attempts
        event.status = InboxStatus.DONE
        event.last_error = None
        event.processed_at = now
        return rows


def _record_failure(event: InboxEvent, exc: BaseException, now: datetime) -> None:
    """Count a failed attempt: retry later with backoff, or park the event after MAX_ATTEMPTS."""
    event.attempts += 1
    event.last_error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
    if event.attempts >= MAX_ATTEMPTS:
        event.status = InboxStatus.PARKED
        log.error("inbox event %s parked after %s attempts: %s", event.id, event.attempts, type(exc).__name__)
    else:
        event.status = InboxStatus.FAILED
        event.next_attempt_at = now + retry_delay(event.attempts)
        log.warning("inbox event %s failed (%s); will retry", event.id, type(exc).__name__)


def _note_unmodelled(raw: dict) -> None:
    """Log (type only, never content) an event line-bot-sdk cannot model; it is handled raw anyway."""
    try:
        Event.from_dict(raw)
    except Exception:
        log.warning("event type %r is not modelled by line-bot-sdk; kept raw in the inbox", raw.get("type"))


def retry(session: Session, event_id: int) -> bool:
    """Put a failed or parked event back in the queue (the admin web's retry button)."""
    event = session.get(InboxEvent, event_id)
    if event is None or event.status not in (InboxStatus.FAILED, InboxStatus.PARKED):
        return False
    event.status = InboxStatus.PENDING
    event.attempts = 0
    event.next_attempt_at = utcnow()
    return True
