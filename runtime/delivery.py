"""Delivering the outbox: reply while the token lives, otherwise push (or multicast) with a retry key.

Every push passes the quota gate of runtime/quota.py: a non-urgent row that would go past the month's
quota waits for next month; a delivered push records what it cost, for the admin web's usage by job.

A reply whose outcome is unknown (LINE answered 5xx, the call timed out, or the process died during
it) is never given up and never pushed at once. A reply token works once, so the reply is sent again
with the same token a second or a few later while the token is fresh: if the first call got through,
LINE refuses the token (400 "Invalid reply token"), which proves the message arrived; if it did not,
the retry delivers it. Only when the token has aged with no answer either way is the row pushed with
its X-Line-Retry-Key; that push may double a reply that did arrive, so such a row is marked
``push-after-reply`` for the secretariat (bot/admin/outbox_views.py lists it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from linebot.v3.messaging import Message
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from line.messages import within_limits
from line.messenger import LineApiError, Messenger
from line.notices import render
from models import OutboxStatus, OutgoingMessage
from models.outbox import PENDING_ONLY
from models.retention import removal_of
from models.timeutil import utcnow
from runtime import quota
from services.notices import Notice, Notify

log = logging.getLogger(__name__)

REPLY_TOKEN_LIFETIME = timedelta(seconds=50)  # LINE allows one minute; keep a margin
MAX_ATTEMPTS = 8  # pushes (and multicasts) of one row before it is parked; reply retries are bounded by the token
LEASE = timedelta(seconds=60)
# A reply is leased for less: if its process dies mid-call, the row is due again while the token is fresh.
# Safe even if the call is only slow: a token works once, so two replies with it never deliver twice.
REPLY_LEASE = timedelta(seconds=20)
REPLY_RETRY_CAP = timedelta(seconds=8)

# outgoing_messages.method: how a row was (or may have been) delivered.
REPLY = "reply"
PUSH = "push"
MULTICAST = "multicast"
REPLY_UNKNOWN = "reply-unknown"  # still pending: a reply got a 5xx or a timeout, or its process died mid-call
REPLY_CONFIRMED = "reply-confirmed"  # sent: a retry's token was refused as used, so an earlier reply arrived
PUSH_AFTER_REPLY = "push-after-reply"  # sent by push after the reply stayed unknown: it may have arrived twice
LEGACY_UNCONFIRMED = "reply-unconfirmed"  # before this rule: a reply of unknown fate, marked sent, never retried
PUSHED = (PUSH, MULTICAST, PUSH_AFTER_REPLY)
INTERRUPTED = "interrupted: the process stopped before the reply's outcome was recorded"


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 5 s, 10 s, 20 s ... capped at 30 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 1800))


def reply_backoff(tries: int) -> timedelta:
    """Wait before sending a reply of unknown outcome again with its token: 1 s, 2 s, 4 s, then 8 s."""
    return min(timedelta(seconds=2 ** max(tries - 1, 0)), REPLY_RETRY_CAP)


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
    changes = send(messenger, attempts)
    with session_factory() as session, session.begin():
        return record(session, changes)


Change = tuple[int, dict]  # an outbox row's id and the columns its attempt's outcome sets


def send(messenger: Messenger, attempts: list[Attempt]) -> list[Change]:
    """Send committed leases to LINE (no database work: any thread may do it); return the changes to record."""
    outcomes = [(attempt, _send(messenger, attempt)) for attempt in attempts]
    now = utcnow()
    return [(attempt.row_id, _outcome_values(attempt, outcome, now)) for attempt, outcome in outcomes]


def record(session: Session, changes: list[Change]) -> int:
    """Write attempts' outcomes in the caller's transaction; return how many rows were sent."""
    for row_id, values in changes:
        session.execute(update(OutgoingMessage).where(OutgoingMessage.id == row_id).values(**values))
    return sum(1 for _, values in changes if values.get("status") == OutboxStatus.SENT)


def requeue(session: Session, row_id: int, now: datetime) -> bool:
    """Put a failed or parked row back in the queue with a fresh budget of pushes; False when it cannot be.

    Its retry key stays the same, so LINE never delivers twice a push it had already accepted (within
    the 24 hours LINE remembers a key). A row whose messages the retention job removed cannot be resent.
    """
    row = session.get(OutgoingMessage, row_id)
    if row is None or row.status not in (OutboxStatus.FAILED, OutboxStatus.PARKED):
        return False
    if removal_of(row.messages) is not None:
        return False
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = now
    row.push_tries = 0
    return True


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
    reply_unknown: bool = False  # an earlier reply with this row's token may have arrived
    reply_deadline: datetime | None = None
    push_tries: int = 0

    @property
    def reply_tries(self) -> int:
        """Tries so far that were not pushes (the replies, this one included when it replies)."""
        return max(self.attempts - self.push_tries, 1)


@dataclass(frozen=True)
class Outcome:
    """What one attempt did: the method that delivered, or the error; and which calls it made."""

    method: str | None
    error: LineApiError | None = None
    pushed: bool = False  # a push or multicast was called
    reply_unknown: bool = False  # the reply's fate is unknown: send it again with its token while fresh


def _claim(session: Session) -> OutgoingMessage | None:
    """Lock one due row so no other process delivers it at the same time."""
    statement = (
        select(OutgoingMessage)
        .with_hint(OutgoingMessage, "INDEXED BY ix_outgoing_messages_queue", "sqlite")  # see runtime/db.py
        .where(PENDING_ONLY, OutgoingMessage.next_attempt_at <= utcnow())  # PENDING_ONLY matches the queue index
        .order_by(OutgoingMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalar(statement)


def _start_attempt(row: OutgoingMessage, now: datetime, session: Session) -> Attempt | None:
    """Lease the row and decide how to send it; None when it must not (or not yet) be sent."""
    if row.reply_attempted_at is not None and row.method is None and row.last_error is None:
        # A reply was leased and its outcome never recorded: the process stopped during the call (or before it).
        # Same rule as a 5xx: send it again with its token while fresh, else push with the retry key.
        row.method = REPLY_UNKNOWN
        row.last_error = INTERRUPTED
        log.warning("outbox row %s: reply outcome unknown after an interruption; retrying", row.id)
    token = row.reply_token if _may_reply(row, now) else None
    cost = quota.row_cost(session, row)  # recorded only if it ends up pushed (a refused reply falls back)
    if not token and not quota.admit(session, row, cost, now):
        return None  # waits for next month's quota
    row.attempts += 1
    row.next_attempt_at = now + (REPLY_LEASE if token else LEASE)
    if token and row.reply_attempted_at is None:
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
        reply_unknown=row.method == REPLY_UNKNOWN,
        reply_deadline=row.reply_deadline,
        push_tries=row.push_tries or 0,
    )


def _send(messenger: Messenger, attempt: Attempt) -> Outcome:
    """Call LINE: reply if a fresh token allows, falling back to push with the retry key."""
    payload = [Message.from_dict(message) for message in attempt.messages]
    if attempt.reply_token:
        try:
            messenger.reply(attempt.reply_token, payload)
            return Outcome(REPLY)  # after an unknown outcome too: the token was unused, so the first never arrived
        except LineApiError as exc:
            settled = _reply_refusal(attempt, exc)
            if settled is not None:
                return settled
            log.info("reply not delivered (status %s); pushing outbox row %s instead", exc.status, attempt.row_id)
    try:
        if attempt.multicast_to:
            messenger.multicast(attempt.multicast_to, payload, attempt.retry_key)
            return Outcome(MULTICAST, pushed=True)
        messenger.push(attempt.recipient, payload, attempt.retry_key)
        return Outcome(PUSH_AFTER_REPLY if attempt.reply_unknown else PUSH, pushed=True)
    except LineApiError as exc:
        return Outcome(None, exc, pushed=True)


def _reply_refusal(attempt: Attempt, exc: LineApiError) -> Outcome | None:
    """What a failed reply means; None when it certainly did not arrive and the row goes on to a push.

    - a used token refused after an unknown outcome: the earlier reply arrived (the token is still fresh
      by our deadline, so LINE refuses it only because it was used);
    - a 5xx or a timeout, or after an unknown outcome anything short of an answer: unknown, retry the reply;
    - 429 (LINE processed nothing), a connection never made, or a first reply's dead token: not delivered.
    """
    if attempt.reply_unknown:
        if exc.invalid_reply_token:
            log.info("outbox row %s: reply token already used, so the earlier reply arrived", attempt.row_id)
            return Outcome(REPLY_CONFIRMED)
        if exc.retryable:
            return Outcome(None, exc, reply_unknown=True)
        return Outcome(None, exc)
    if exc.invalid_reply_token or exc.status == 429 or not exc.reached:
        return None
    if exc.retryable:  # a 5xx or a timeout: LINE may have delivered it; the token decides on the next try
        log.warning("reply of outbox row %s unconfirmed (status %s); will retry", attempt.row_id, exc.status)
        return Outcome(None, exc, reply_unknown=True)
    return Outcome(None, exc)


def _outcome_values(attempt: Attempt, outcome: Outcome, now: datetime) -> dict:
    """The columns to write after one attempt: sent, retried later, deferred or given up."""
    push_tries = attempt.push_tries + (1 if outcome.pushed else 0)
    error = outcome.error
    if error is None:
        return {
            "status": OutboxStatus.SENT,
            "method": outcome.method,
            "sent_at": now,
            "last_error": None,
            "quota_cost": attempt.cost if outcome.method in PUSHED else None,
            "push_tries": push_tries,
        }
    values: dict = {"last_error": f"{error.status} {error.body[:500]}", "push_tries": push_tries}
    if outcome.reply_unknown:
        values["method"] = REPLY_UNKNOWN
        retry_at = now + reply_backoff(attempt.reply_tries)
        deadline = attempt.reply_deadline
        values["next_attempt_at"] = min(retry_at, deadline) if deadline is not None else retry_at
    elif error.status == 429 and "monthly limit" in error.body.lower() and not attempt.urgent:
        values["next_attempt_at"] = quota.next_month_start(now)  # LINE's own count says the quota is spent
        values["last_error"] = quota.DEFERRED
    elif error.retryable and push_tries < MAX_ATTEMPTS:
        values["next_attempt_at"] = now + backoff(push_tries)
    else:
        values["status"] = OutboxStatus.PARKED if error.retryable else OutboxStatus.FAILED
        log.warning("outbox row %s gave up with status %s", attempt.row_id, error.status)
    return values


def _may_reply(row: OutgoingMessage, now: datetime) -> bool:
    """A reply token is used once, and only while it is fresh; again only to settle an unknown outcome.

    A retry needs a known deadline: only then does LINE's refusal of the token prove it was used.
    """
    if not row.reply_token:
        return False
    if row.reply_attempted_at is None:
        return row.reply_deadline is None or now < row.reply_deadline
    return row.method == REPLY_UNKNOWN and row.reply_deadline is not None and now < row.reply_deadline


def notifier(session: Session, purpose: str, *, urgent: bool = True) -> Notify:
    """A notify callback for the rules: render each notice and put it in the outbox (sent after the commit).

    The outbox purpose is ``purpose``, or ``purpose:topic`` for a notice with a topic (e.g. 'forward:FW-2564-0001').
    """

    def notify(recipient: str, notice: Notice) -> None:
        labelled = f"{purpose}:{notice.topic}" if notice.topic else purpose
        enqueue(session, recipient, render(session, notice), purpose=labelled, urgent=urgent)

    return notify
