"""Heartbeats of the dedicated event workers, so web processes know whether to process events themselves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.timeutil import utcnow


class WorkerHeartbeat(Base):
    """One running `flask --app bot worker run` process and when it last said it was alive."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)  # host:pid
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)
