"""Messages the bot owes LINE, written in the same transaction as the change that caused them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text, true
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column
from models.timeutil import utcnow


class OutboxStatus(enum.StrEnum):
    """Delivery state of an outgoing message batch."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    PARKED = "parked"


# Literal SQL so both databases match a query's WHERE to the partial index below.
PENDING_ONLY = text("status = 'pending'")


class OutgoingMessage(Base):
    """Up to five LINE messages for one recipient, delivered by reply or push."""

    __tablename__ = "outgoing_messages"
    __table_args__ = (
        Index("ix_outgoing_messages_due", "status", "next_attempt_at"),
        # Rows still to deliver in id order, without walking every sent row.
        Index("ix_outgoing_messages_queue", "id", postgresql_where=PENDING_ONLY, sqlite_where=PENDING_ONLY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inbox_event_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_events.id"))
    purpose: Mapped[str] = mapped_column(String(60), default="reply")
    recipient: Mapped[str] = mapped_column(String(64))
    reply_token: Mapped[str | None] = mapped_column(String(200))
    reply_deadline: Mapped[datetime | None]
    reply_attempted_at: Mapped[datetime | None]
    messages: Mapped[list] = mapped_column(JSON)
    retry_key: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid.uuid4()), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, 16),
        default=OutboxStatus.PENDING,
    )
    # reply, push, multicast; reply-confirmed, push-after-reply, reply-unknown (pending): see runtime/delivery.py
    method: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)  # every try, replies and pushes (shown to the secretariat)
    # Pushes and multicasts tried since the row was written or put back in the queue: MAX_ATTEMPTS of them
    # before it is parked (replies of unknown outcome are retried apart, for as long as the token lives).
    push_tries: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # Quota (runtime/quota.py): non-urgent pushes wait for next month's quota instead of failing; a row may
    # carry up to 500 user ids to multicast to; quota_cost is what a delivered push used of the quota.
    urgent: Mapped[bool] = mapped_column(default=True, server_default=true())
    multicast_to: Mapped[list | None] = mapped_column(JSON)
    quota_cost: Mapped[int | None]
