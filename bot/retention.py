"""PDPA retention: remove personal content the bot no longer needs, in bounded batches, and audit it.

The periods are settings (models/settings.py, in days):

- ``retention.inbox_payload_days`` (90): the raw payload of an inbox event that is done or ignored,
  counted from when it was received. The row stays (its unique key keeps deduplicating LINE's
  redeliveries, and the counts stay); the payload becomes a marker saying when it was removed
  (models/retention.py).
- ``retention.rejected_body_days`` (30): rejected webhook bodies are deleted.
- ``retention.outbox_message_days`` (90): the message contents of outbox rows that were sent or failed,
  counted from when they were written, become the same marker.

Never touched: pending, failed and parked inbox events (the secretariat must see them), pending and
parked outbox rows, and the business records (news reports, members, risk-point checks, media, the
audit log). Each batch is its own short transaction; each run writes one audit entry with counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Text, cast, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.audit import Action, record
from models import InboxEvent, InboxStatus, OutboxStatus, OutgoingMessage, RejectedBody
from models.retention import MESSAGES_PREFIX, PAYLOAD_PREFIX, messages_marker, payload_marker
from models.settings import DEFAULTS, get_setting

log = logging.getLogger(__name__)

BATCH_SIZE = 500
INBOX_DAYS = "retention.inbox_payload_days"
REJECTED_DAYS = "retention.rejected_body_days"
OUTBOX_DAYS = "retention.outbox_message_days"
FINISHED_EVENTS = (InboxStatus.DONE, InboxStatus.IGNORED)
FINISHED_MESSAGES = (OutboxStatus.SENT, OutboxStatus.FAILED)


def retention_days(session: Session, key: str) -> int:
    """A retention period in days; a setting that is not a positive whole number falls back to its default."""
    value = get_setting(session, key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    log.warning("retention setting %s is not a positive number of days; using %s", key, DEFAULTS[key])
    return DEFAULTS[key]


@dataclass(frozen=True)
class Rules:
    """The three retention periods, in days."""

    inbox_payload_days: int
    rejected_body_days: int
    outbox_message_days: int

    @classmethod
    def load(cls, session: Session) -> Rules:
        """Read the periods from the settings."""
        return cls(
            retention_days(session, INBOX_DAYS),
            retention_days(session, REJECTED_DAYS),
            retention_days(session, OUTBOX_DAYS),
        )


@dataclass(frozen=True)
class Counts:
    """How many rows a run purged (or, in a dry run, would purge)."""

    inbox_payloads: int = 0
    rejected_bodies: int = 0
    outbox_messages: int = 0


@dataclass(frozen=True)
class Outcome:
    """A run's rules, counts and whether it was a dry run."""

    rules: Rules
    counts: Counts
    dry_run: bool = False


# --- which rows are due ----------------------------------------------------------------------------------


def inbox_due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Inbox events finished and received before the cutoff whose payload is still there."""
    return (
        InboxEvent.status.in_(FINISHED_EVENTS),
        InboxEvent.received_at < cutoff,
        ~InboxEvent.payload.startswith(PAYLOAD_PREFIX, autoescape=True),
    )


def rejected_due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Rejected bodies received before the cutoff."""
    return (RejectedBody.received_at < cutoff,)


def outbox_due(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    """Outbox rows sent or failed, written before the cutoff, whose messages are still there."""
    return (
        OutgoingMessage.status.in_(FINISHED_MESSAGES),
        OutgoingMessage.created_at < cutoff,
        ~cast(OutgoingMessage.messages, Text).startswith(MESSAGES_PREFIX, autoescape=True),
    )


def count_due(session: Session, rules: Rules, now: datetime) -> Counts:
    """How many rows a run at `now` would purge (the dry run)."""

    def count(model, conditions) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0

    return Counts(
        inbox_payloads=count(InboxEvent, inbox_due(now - timedelta(days=rules.inbox_payload_days))),
        rejected_bodies=count(RejectedBody, rejected_due(now - timedelta(days=rules.rejected_body_days))),
        outbox_messages=count(OutgoingMessage, outbox_due(now - timedelta(days=rules.outbox_message_days))),
    )


# --- one batch each (the caller commits) -------------------------------------------------------------------

Batch = tuple[int, int | None]  # rows purged, the last id looked at (None: nothing left)


def _purge_batch(session: Session, model, conditions, change, after_id: int, limit: int) -> Batch:
    """Apply `change` (an UPDATE or DELETE of model) to up to `limit` due rows with ids above `after_id`."""
    ids = session.scalars(
        select(model.id).where(model.id > after_id, *conditions).order_by(model.id).limit(limit)
    ).all()
    if not ids:
        return 0, None
    # The conditions are checked again: a row may have changed since it was selected.
    statement = change.where(model.id.in_(ids), *conditions).execution_options(synchronize_session=False)
    result = session.execute(statement)
    return max(result.rowcount, 0), ids[-1]


def purge_inbox_batch(session: Session, now: datetime, days: int, after_id: int = 0, limit: int = BATCH_SIZE) -> Batch:
    """Replace the payloads of up to `limit` due inbox events with ids above `after_id` by the marker."""
    due = inbox_due(now - timedelta(days=days))
    change = update(InboxEvent).values(payload=payload_marker(now, days))
    return _purge_batch(session, InboxEvent, due, change, after_id, limit)


def purge_rejected_batch(
    session: Session, now: datetime, days: int, after_id: int = 0, limit: int = BATCH_SIZE
) -> Batch:
    """Delete up to `limit` due rejected bodies with ids above `after_id`."""
    due = rejected_due(now - timedelta(days=days))
    return _purge_batch(session, RejectedBody, due, delete(RejectedBody), after_id, limit)


def purge_outbox_batch(session: Session, now: datetime, days: int, after_id: int = 0, limit: int = BATCH_SIZE) -> Batch:
    """Replace the messages of up to `limit` due outbox rows with ids above `after_id` by the marker."""
    due = outbox_due(now - timedelta(days=days))
    change = update(OutgoingMessage).values(messages=messages_marker(now, days))
    return _purge_batch(session, OutgoingMessage, due, change, after_id, limit)


# --- a whole run ------------------------------------------------------------------------------------------


def _in_batches(sessions: sessionmaker[Session], batch: Callable[[Session, int], Batch]) -> int:
    """Run a batch function, each call in its own transaction, until nothing is left; return the total."""
    total, after_id = 0, 0
    while True:
        with sessions.begin() as session:
            purged, last_id = batch(session, after_id)
        total += purged
        if last_id is None:
            return total
        after_id = last_id


def purge(
    sessions: sessionmaker[Session],
    now: datetime,
    *,
    actor: str,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> Outcome:
    """Purge everything past its retention period at `now`, batch by batch, and audit the counts."""
    with sessions() as session:
        rules = Rules.load(session)
        if dry_run:
            return Outcome(rules, count_due(session, rules, now), dry_run=True)
    counts = Counts(
        inbox_payloads=_in_batches(
            sessions, lambda s, after: purge_inbox_batch(s, now, rules.inbox_payload_days, after, batch_size)
        ),
        rejected_bodies=_in_batches(
            sessions, lambda s, after: purge_rejected_batch(s, now, rules.rejected_body_days, after, batch_size)
        ),
        outbox_messages=_in_batches(
            sessions, lambda s, after: purge_outbox_batch(s, now, rules.outbox_message_days, after, batch_size)
        ),
    )
    with sessions.begin() as session:
        record(
            session,
            actor,
            Action.RETENTION_PURGE,
            object_type="retention",
            detail={**asdict(counts), **asdict(rules)},  # numbers only: never ids or content
        )
    log.info(
        "retention: %s inbox payloads, %s rejected bodies, %s outbox messages removed",
        counts.inbox_payloads,
        counts.rejected_bodies,
        counts.outbox_messages,
    )
    return Outcome(rules, counts)
