"""LINE users the bot knows and the group chats it is in."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column
from models.timeutil import utcnow


class MemberStatus(enum.StrEnum):
    """Where a person stands with the network."""

    UNREGISTERED = "unregistered"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


def new_reporter_code() -> str:
    """A pseudonym shown instead of an informant's identity, e.g. R-7KQ2M9."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "R-" + "".join(secrets.choice(alphabet) for _ in range(6))


class Member(Base):
    """A LINE user who has talked to the bot or befriended it, and their network registration."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    is_friend: Mapped[bool] = mapped_column(default=False)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    reporter_code: Mapped[str] = mapped_column(String(12), unique=True, default=new_reporter_code)
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus, 16),
        default=MemberStatus.UNREGISTERED,
    )
    full_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupations.code"))
    district: Mapped[str | None] = mapped_column(String(60))
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None]
    registered_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(80))
    # PDPA (bot/personal_data/): when the person's identity and content were erased or anonymised; the
    # row stays with its status, occupation, district and dates so that the KPI counts do not change.
    erased_at: Mapped[datetime | None]
    # The rich menu this user should see (services/roles.py decides) and the one last linked in LINE;
    # the worker links the wanted one whenever they differ (runtime/rich_menus.py).
    menu_wanted: Mapped[str | None] = mapped_column(String(20))
    menu_linked: Mapped[str | None] = mapped_column(String(20))
    menu_tried_at: Mapped[datetime | None]


class Chat(Base):
    """A LINE group or multi-person chat (room) the bot has been in."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_chat_id: Mapped[str] = mapped_column(String(64), unique=True)
    chat_type: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(200))
    is_member: Mapped[bool] = mapped_column(default=True)
    member_count: Mapped[int | None]
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]
    purpose: Mapped[str | None] = mapped_column(String(20))  # network | patrol | department | agency
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupations.code"))
    registered_at: Mapped[datetime | None]
    registered_by: Mapped[str | None] = mapped_column(String(80))
    # A group that existed before FieldLine, entered afterwards with its real start (registered_at) and member
    # count (services/earlier_evidence.py): the bot is not in it (is_member False), so nothing is ever sent to it.
    recorded_later: Mapped[bool] = mapped_column(default=False, server_default=false())
    recorded_at: Mapped[datetime | None]  # when it was entered; registered_at is the group's real start
    recorded_by: Mapped[str | None] = mapped_column(String(80))

    @property
    def is_registered(self) -> bool:
        """Whether the secretariat registered this group (unregistered groups are never logged)."""
        return self.registered_at is not None and self.purpose is not None


class Conversation(Base):
    """The state of a guided dialogue with one user, kept across restarts."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    flow: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
