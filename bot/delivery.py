"""Delivering the outbox: reply while the token lives, otherwise push (or multicast) with a retry key.

Every push passes the quota gate of bot/quota.py: a non-urgent row that would go past the month's
quota waits for next month; a delivered push records what it cost, for the admin web's usage by job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from linebot.v3.messaging import Message
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot import quota
from bot.messenger import LineApiError, Messenger
from handlers.messages import within_limits
from models import OutboxStatus, OutgoingMessage
from models.outbox import PENDING_ONLY
from models.timeutil import utcnow

log = logging.getLogger(__name__)

REPLY_TOKEN_LIFETIME = timedelta(seconds=50)  # LINE allows one minute; keep a margin
MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 5 s, 10 s, 20 s ... capped at 30 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 1800))


def enqueue(
    session: Session,
    recipient: str,
    messages: list[Message],
    *,
    reply_token: str | None = None,
    event_at: datetime | None = None,
    inbox_event_id: int | None = None,
    purpose: str = "reply",
    urgent: bool = True,
    multicast_to: list[str] | None = None,
) -> list[OutgoingMessage]:
    """Add messages to the outbox in the caller's transaction; only the first batch may reply.

    urgent=False lets a push wait for next month when the quota is used up; multicast_to (up to 500
    user ids) sends the row by multicast instead of a push to `recipient`.
    """
    rows = []
    for number, batch in enumerate(within_limits(messages)):
        token = reply_token if number == 0 else None
        row = OutgoingMessage(
            inbox_event_id=inbox_event_id,
            purpose=purpose,
            recipient=recipient,
            reply_token=token,
            reply_deadline=(event_at + REPLY_TOKEN_LIFETIME) if token and event_at else None,
            messages=[message.to_dict() for message in batch],
            urgent=urgent,
            multicast_to=list(multicast_to) if multicast_to else None,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def deliver_due(session_factory: sessionmaker[Session], messenger: Messenger, *, limit: int = 50) -> int:
    """Deliver pending outbox rows whose time has come; return how many were sent.

    No transaction stays open during a call to LINE: a row is leased (its next attempt moved
    a minute ahead) and committed first, then sent, then its outcome recorded.
    """
    sent = 0
    quota.refresh_if_stale(session_factory, messenger)
    for _ in range(limit):
        with session_factory() as session, session.begin():
            row = _claim(session)
            if row is None:
                break
            attempts = lease(session, [row], utcnow())
        sent += send_leased(session_factory, messenger, attempts)
    return sent


def lease(session: Session, rows: list[OutgoingMessage], now: datetime) -> list[Attempt]:
    """Lease rows for sending right after the caller commits (the processor's fresh replies)."""
    return [attempt for row in rows if (attempt := _start_attempt(row, now, session)) is not None]


def send_leased(session_factory: sessionmaker[Session], messenger: Messenger, attempts: list[Attempt]) -> int:
    """Send committed leases and record every outcome in one transaction; return how many were sent."""
    if not attempts:
        return 0
    outcomes = [(attempt, _send(messenger, attempt)) for attempt in attempts]
    now = utcnow()
    changes = [(attempt.row_id, _outcome_values(attempt, outcome, now)) for attempt, outcome in outcomes]
    with session_factory() as session, session.begin():
        for row_id, values in changes:
            session.execute(update(OutgoingMessage).where(OutgoingMessage.id == row_id).values(**values))
    return sum(1 for _, values in changes if values.get("status") == OutboxStatus.SENT)


@dataclass(frozen=True)
class Attempt:
    """One leased row, ready to be sent once its lease is committed."""

    row_id: int
    recipient: str
    messages: list[dict]
    retry_key: str
    reply_token: str | None
    multicast_to: list[str] | None = None
    cost: int = 0
    attempts: int = 1
    urgent: bool = True


def _claim(session: Session) -> OutgoingMessage | None:
    """Lock one due row so no other process delivers it at the same time."""
    statement = (
        select(OutgoingMessage)
        .where(PENDING_ONLY, OutgoingMessage.next_attempt_at <= utcnow())  # PENDING_ONLY matches the queue index
        .order_by(OutgoingMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalar(statement)


def _start_attempt(row: OutgoingMessage, now: datetime, session: Session) -> Attempt | None:
    """Lease the row and decide how to send it; None when it must not (or not yet) be sent."""
    if row.reply_attempted_at is not None and row.method is None and row.last_error is None:
        # A reply went out and the process stopped before recording its outcome. LINE offers
        # no way to ask whether it arrived; sending it again could double it, so we do not.
        row.status = OutboxStatus.SENT
        row.method = "reply-unconfirmed"
        log.warning("outbox row %s: reply outcome unknown after a crash; not resent", row.id)
        return None
    token = row.reply_token if _may_reply(row, now) else None
    cost = quota.row_cost(session, row)  # recorded only if it ends up pushed (a refused reply falls back)
    if not token and not quota.admit(session, row, cost, now):
        return None  # waits for next month's quota
    row.attempts += 1
    row.next_attempt_at = now + LEASE
    if token:
        row.reply_attempted_at = now
    return Attempt(
        row.id,
        row.recipient,
        list(row.messages),
        row.retry_key,
        token,
        row.multicast_to,
        cost,
        row.attempts,
        row.urgent,
    )


def _send(messenger: Messenger, attempt: Attempt) -> tuple[str, LineApiError | None]:
    """Call LINE: reply if a fresh token allows, falling back to push with the retry key."""
    payload = [Message.from_dict(message) for message in attempt.messages]
    try:
        if attempt.reply_token:
            try:
                messenger.reply(attempt.reply_token, payload)
                return "reply", None
            except LineApiError as exc:
                if not (exc.invalid_reply_token or exc.status == 429 or not exc.reached):
                    if exc.retryable:  # a 5xx or a timeout: LINE may have delivered it, so never resend
                        log.warning("reply of outbox row %s unconfirmed (status %s)", attempt.row_id, exc.status)
                        return "reply-unconfirmed", None
                    raise
                log.info("reply not delivered (status %s); pushing outbox row %s instead", exc.status, attempt.row_id)
        if attempt.multicast_to:
            messenger.multicast(attempt.multicast_to, payload, attempt.retry_key)
            return "multicast", None
        messenger.push(attempt.recipient, payload, attempt.retry_key)
        return "push", None
    except LineApiError as exc:
        return "error", exc


def _outcome_values(attempt: Attempt, outcome: tuple[str, LineApiError | None], now: datetime) -> dict:
    """The columns to write after one attempt: sent, retried later, deferred or given up."""
    method, error = outcome
    if error is None:
        return {
            "status": OutboxStatus.SENT,
            "method": method,
            "sent_at": now,
            "last_error": None,
            "quota_cost": attempt.cost if method in ("push", "multicast") else None,
        }
    values: dict = {"last_error": f"{error.status} {error.body[:500]}"}
    if error.status == 429 and "monthly limit" in error.body.lower() and not attempt.urgent:
        values["next_attempt_at"] = quota.next_month_start(now)  # LINE's own count says the quota is spent
        values["last_error"] = quota.DEFERRED
    elif error.retryable and attempt.attempts < MAX_ATTEMPTS:
        values["next_attempt_at"] = now + backoff(attempt.attempts)
    else:
        values["status"] = OutboxStatus.PARKED if error.retryable else OutboxStatus.FAILED
        log.warning("outbox row %s gave up with status %s", attempt.row_id, error.status)
    return values


def _may_reply(row: OutgoingMessage, now: datetime) -> bool:
    """A reply token is used once, and only while it is fresh."""
    if not row.reply_token or row.reply_attempted_at is not None:
        return False
    return row.reply_deadline is None or now < row.reply_deadline
