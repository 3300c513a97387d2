"""The webhook inbox: every event LINE sent, raw, and what became of it."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column
from models.timeutil import utcnow


class InboxStatus(enum.StrEnum):
    """Where an inbox event is in its processing."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    PARKED = "parked"
    IGNORED = "ignored"


# Written as literal SQL so both databases match a query's WHERE to the partial index below.
DUE_STATUSES = text("status IN ('pending', 'failed')")


class InboxEvent(Base):
    """One webhook event, stored raw before anything else happens to it."""

    __tablename__ = "inbox_events"
    __table_args__ = (
        UniqueConstraint("webhook_event_id", "content_hash"),
        Index("ix_inbox_events_due", "status", "next_attempt_at"),
        Index("ix_inbox_events_chat", "chat_key", "status", "event_at"),
        # The queue: events still to process, oldest first, without sorting the whole backlog per claim.
        Index("ix_inbox_events_queue", "event_at", "id", postgresql_where=DUE_STATUSES, sqlite_where=DUE_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_event_id: Mapped[str] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(64))
    destination: Mapped[str | None] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(40))
    source_type: Mapped[str | None] = mapped_column(String(16))
    chat_key: Mapped[str] = mapped_column(String(80))
    mode: Mapped[str] = mapped_column(String(16), default="active")
    is_redelivery: Mapped[bool] = mapped_column(default=False)
    via_spool: Mapped[bool] = mapped_column(default=False)
    event_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[InboxStatus] = mapped_column(
        enum_column(InboxStatus, 16),
        default=InboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]


def _hash_of_stored_body(context) -> str:
    """Default body_hash of a row added without one: the sha256 of its text as UTF-8."""
    return hashlib.sha256(context.get_current_parameters()["body"].encode("utf-8")).hexdigest()


class RejectedBody(Base):
    """A signed webhook body that could not be read as LINE's envelope, kept once for inspection."""

    __tablename__ = "rejected_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # sha256 of the raw bytes LINE signed: a body the spool replays after a commit that timed out is kept once.
    body_hash: Mapped[str] = mapped_column(String(64), unique=True, default=_hash_of_stored_body)
