"""Staff accounts of the admin web, their API tokens and the audit log."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, enum_column
from models.timeutil import utcnow


class Role(enum.StrEnum):
    """What a staff account may see and do."""

    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    DISTRICT_OFFICER = "district_officer"
    VIEWER = "viewer"


class StaffUser(Base):
    """A person who signs in to the admin web."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    districts: Mapped[list] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    # Flask-Login's user protocol, without importing Flask into the models.
    @property
    def is_authenticated(self) -> bool:
        """A loaded staff account is a signed-in one (Flask-Login)."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """A staff account is never the anonymous user (Flask-Login)."""
        return False

    def get_id(self) -> str:
        """The id kept in the session cookie, bound to the password so changing it signs out other sessions."""
        return f"{self.id}:{self.password_fingerprint()}"

    def password_fingerprint(self) -> str:
        """A short digest of the password hash (never the hash itself) for session ids."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]


class ApiToken(Base):
    """A bearer token for the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[StaffUser] = relationship(back_populates="tokens")


class AuditEntry(Base):
    """Who did or viewed what, and when; never the content of personal data itself."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_action_at", "actor", "action", "at"),
        Index("ix_audit_log_ip_action_at", "ip", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))
