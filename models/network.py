"""The intelligence network: occupations, report categories, news reports and their media."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, enum_column
from models.timeutil import utcnow


class Occupation(Base):
    """An occupational group of the network (configurable by the secretariat)."""

    __tablename__ = "occupations"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class ReportCategory(Base):
    """A news category, with the Thai keywords that suggest it."""

    __tablename__ = "report_categories"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class ReportStatus(enum.StrEnum):
    """Where a news report stands with the secretariat."""

    DRAFT = "draft"  # a guided one-to-one report not yet confirmed
    WITHDRAWN = "withdrawn"  # the reporter cancelled the guided report; kept for inspection
    NEW = "new"
    RECEIVED = "received"
    FORWARDED = "forwarded"
    CLOSED = "closed"


class NewsReport(Base):
    """One piece of news: a burst of messages from one sender, or a guided one-to-one report."""

    __tablename__ = "news_reports"
    __table_args__ = (Index("ix_news_reports_chat_sender_last", "chat_id", "sender_key", "last_item_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(10))  # group | direct
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    sender_key: Mapped[str] = mapped_column(String(64))  # LINE user id, or "pc" for senders LINE does not name
    category_code: Mapped[str | None] = mapped_column(ForeignKey("report_categories.code"))
    suggested_category: Mapped[str | None] = mapped_column(String(30))
    category_set_by: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus), default=ReportStatus.NEW)
    district: Mapped[str | None] = mapped_column(String(60))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    place: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime]
    last_item_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # PDPA: when the messages, places and photos were removed (erasure or retention); counts stay.
    content_removed_at: Mapped[datetime | None]
    # Received before FieldLine and entered afterwards with its real date (services/earlier_evidence.py);
    # started_at is when it was received, recorded_at when it was entered.
    recorded_later: Mapped[bool] = mapped_column(default=False, server_default=false())
    recorded_at: Mapped[datetime | None]
    recorded_by: Mapped[str | None] = mapped_column(String(80))

    items: Mapped[list[ReportItem]] = relationship(back_populates="report", order_by="ReportItem.sent_at")


class ReportItem(Base):
    """One LINE message that is part of a report."""

    __tablename__ = "report_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("news_reports.id"))
    line_message_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    inbox_event_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_events.id"))
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)
    media_id: Mapped[int | None] = mapped_column(ForeignKey("media_files.id"))
    image_set: Mapped[dict | None] = mapped_column(JSON)
    sent_at: Mapped[datetime]
    unsent_at: Mapped[datetime | None]
    edited_at: Mapped[datetime | None]

    report: Mapped[NewsReport] = relationship(back_populates="items")
    media: Mapped[MediaFile | None] = relationship()


class MediaStatus(enum.StrEnum):
    """The download state of a message's content."""

    PENDING = "pending"
    STORED = "stored"
    GONE = "gone"  # 410: unsent, or deleted by LINE
    MISSING = "missing"  # 404
    FAILED = "failed"
    HIDDEN = "hidden"  # unsent by its sender: files removed
    REMOVED = "removed"  # erased or past its retention period (PDPA): files removed


class MediaFile(Base):
    """A photo, video, audio or file from LINE, stored under MEDIA_DIR with its checksum."""

    __tablename__ = "media_files"
    __table_args__ = (Index("ix_media_files_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    line_message_id: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    file_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[MediaStatus] = mapped_column(enum_column(MediaStatus), default=MediaStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    path: Mapped[str | None] = mapped_column(String(400))
    shown_path: Mapped[str | None] = mapped_column(String(400))
    sha256: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    stored_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportLink(Base):
    """Two reports near each other in place and time: possibly the same news."""

    __tablename__ = "report_links"
    __table_args__ = (UniqueConstraint("report_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("news_reports.id"))
    other_id: Mapped[int] = mapped_column(ForeignKey("news_reports.id"))
    distance_m: Mapped[float | None] = mapped_column(Float)
    minutes_apart: Mapped[float | None] = mapped_column(Float)


class Counter(Base):
    """A named running number per year (reference numbers, letter numbers)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class GroupRegistrationCode(Base):
    """A one-time code the secretariat creates in the admin web and types in a group to register it."""

    __tablename__ = "group_registration_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(20))
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupations.code"))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id"))


class Invitation(Base):
    """The one private invitation to register sent to someone who joined a network group."""

    __tablename__ = "invitations"

    line_user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int | None] = mapped_column(ForeignKey("chats.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[str | None] = mapped_column(Text)
