"""Settings the secretariat can change in the admin web, with their defaults in code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.timeutil import utcnow

DEFAULTS: dict[str, Any] = {
    "network.burst_minutes": 10,
    "network.new_report_tags": ["#ข่าว", "แจ้งข่าว"],
    "network.auto_approve_members": False,
    "network.duplicate_radius_m": 500,
    "network.duplicate_hours": 24,
    "network.level1_min_occupations": 3,
    "network.consent_version": "2569-1",
}


class Setting(Base):
    """One setting's value, when it differs from the default."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(80))


def get_setting(session: Session, key: str) -> Any:
    """A setting's value, or its default."""
    row = session.get(Setting, key)
    return DEFAULTS[key] if row is None else row.value


def set_setting(session: Session, key: str, value: Any, by: str) -> None:
    """Change a setting (in the caller's transaction)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_by=by))
    else:
        row.value, row.updated_by = value, by
