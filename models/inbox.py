"""The webhook inbox: every event LINE sent, raw, and what became of it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.timeutil import utcnow


class InboxStatus(enum.StrEnum):
    """Where an inbox event is in its processing."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    PARKED = "parked"
    IGNORED = "ignored"


class InboxEvent(Base):
    """One webhook event, stored raw before anything else happens to it."""

    __tablename__ = "inbox_events"
    __table_args__ = (
        UniqueConstraint("webhook_event_id", "content_hash"),
        Index("ix_inbox_events_due", "status", "next_attempt_at"),
        Index("ix_inbox_events_chat", "chat_key", "status", "event_at"),
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
        Enum(InboxStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=InboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]


class RejectedBody(Base):
    """A signed webhook body that could not be read as LINE's envelope, kept for inspection."""

    __tablename__ = "rejected_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
