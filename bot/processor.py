"""Processing inbox events after the webhook's commit: each once, in its own transaction."""

from __future__ import annotations

import json
import logging
import traceback
from datetime import datetime, timedelta

from linebot.v3.webhooks import Event
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.inbox import database_unavailable
from handlers.basics import remember_sender
from handlers.context import Context
from handlers.registry import Registry
from line.messenger import Messenger
from models import InboxEvent, InboxStatus, OutgoingMessage
from models.inbox import DUE_STATUSES
from models.timeutil import utcnow
from runtime import delivery, media
from services.media_store import MediaStore

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CANDIDATES = 20
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
    ):
        """Keep the collaborators; nothing runs until process_due is called."""
        self.session_factory = session_factory
        self.registry = registry
        self.messenger = messenger
        self.media_store = media_store

    def process_due(self, *, limit: int = 200) -> int:
        """Process due events (oldest first per chat) and deliver their messages; return how many."""
        processed = 0
        while processed < limit and self.process_one():
            processed += 1
        # Deliver at least as many rows as events were just handled, so the outbox keeps pace with a backlog.
        delivery.deliver_due(self.session_factory, self.messenger, limit=max(DELIVERIES, processed))
        if self.media_store is not None:
            media.fetch_due(self.session_factory, self.messenger, self.media_store)
        return processed

    def process_one(self) -> bool:
        """Claim and handle one event in its own transaction, then send its replies; False when none is due.

        The event's outbox rows are leased in the same transaction, so right after the commit they
        go to LINE while the reply token is fresh, without another round of claiming.
        """
        claimed: int | None = None
        try:
            with self.session_factory() as session, session.begin():
                event = self._claim(session)
                if event is None:
                    return False
                claimed = event.id
                rows = self._handle(session, event)
                leased = delivery.lease(session, rows, utcnow())
        except Exception as exc:
            if claimed is None or database_unavailable(exc):
                raise
            self._set_aside(claimed, exc)  # its transaction could not commit: never let it block the queue
            return True
        delivery.send_leased(self.session_factory, self.messenger, leased)
        return True

    def _set_aside(self, event_id: int, exc: Exception) -> None:
        """Record a failure that escaped the handler's savepoint, in a fresh transaction: the event waits its turn."""
        log.error("inbox event %s could not be processed (%s)", event_id, type(exc).__name__)
        with self.session_factory() as session, session.begin():
            event = session.get(InboxEvent, event_id)
            if event is not None:
                _record_failure(event, exc, utcnow())

    def _claim(self, session: Session) -> InboxEvent | None:
        """Take the earliest due event of a chat no other process is working on."""
        now = utcnow()
        due = (DUE_STATUSES, InboxEvent.next_attempt_at <= now)  # DUE_STATUSES matches the queue index
        postgres = session.get_bind().dialect.name == "postgresql"
        chats = session.scalars(
            select(InboxEvent.chat_key).where(*due).order_by(InboxEvent.event_at, InboxEvent.id).limit(CANDIDATES)
        ).all()
        for chat in dict.fromkeys(chats):
            if postgres and not session.scalar(text("SELECT pg_try_advisory_xact_lock(hashtext(:k))"), {"k": chat}):
                continue  # another process is handling this chat; keep its events in order
            statement = (
                select(InboxEvent)
                .where(*due, InboxEvent.chat_key == chat)
                .order_by(InboxEvent.event_at, InboxEvent.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            event = session.scalar(statement)
            if event is not None:
                return event
        return None

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
