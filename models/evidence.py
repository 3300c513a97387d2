"""Evidence packs: one ZIP per fiscal year or quarter with everything the seeds list as evidence.

The web queues a pack, the clock claims it (compare-and-set on the status, so two processes never build
the same pack), builds the ZIP under the instance folder and records its size and checksum. A builder
that dies leaves its pack ``building`` with an old heartbeat: the next claimer puts it back in the queue.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column
from models.timeutil import utcnow


class PackStatus(enum.StrEnum):
    """Where a pack stands."""

    QUEUED = "queued"
    BUILDING = "building"
    DONE = "done"
    FAILED = "failed"


class EvidencePack(Base):
    """One requested evidence pack and, once built, its ZIP (a path relative to the instance folder)."""

    __tablename__ = "evidence_packs"
    __table_args__ = (Index("ix_evidence_packs_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]  # Buddhist Era, e.g. 2564
    quarter: Mapped[int | None]  # 1-4, or None for the whole fiscal year
    status: Mapped[PackStatus] = mapped_column(enum_column(PackStatus, 12), default=PackStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    file_path: Mapped[str | None] = mapped_column(String(400))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(300))  # Thai, for the page; never personal data
    claimed_by: Mapped[str | None] = mapped_column(String(80))  # the building process (host:pid)
    heartbeat_at: Mapped[datetime | None]  # the builder's last sign of life
    attempts: Mapped[int] = mapped_column(default=0)
