"""The clock's records: job-run claims, per-recipient sends, frozen report versions and the push quota."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, enum_column
from models.timeutil import utcnow


class RunStatus(enum.StrEnum):
    """Where one claimed (job, period) stands."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobRun(Base):
    """One claimed run of a job for a period, unique on its key (e.g. monthly-reminder:2569-03:day5)."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    job: Mapped[str] = mapped_column(String(40), index=True)
    period: Mapped[str] = mapped_column(String(40))
    status: Mapped[RunStatus] = mapped_column(
        enum_column(RunStatus, 16),
        default=RunStatus.RUNNING,
    )
    late: Mapped[bool] = mapped_column(default=False)
    by_hand: Mapped[bool] = mapped_column(default=False)
    due_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=1)
    owner: Mapped[str] = mapped_column(String(80))
    sent: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)


class JobSend(Base):
    """What one run sent to one recipient: written with the outbox row, so a resumed run never resends."""

    __tablename__ = "job_sends"
    __table_args__ = (UniqueConstraint("run_id", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("job_runs.id"))
    recipient: Mapped[str] = mapped_column(String(64))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_messages.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportVersion(Base):
    """A frozen, numbered version of a compiled report; rows are only ever added, never changed."""

    __tablename__ = "report_versions"
    __table_args__ = (
        UniqueConstraint("kind", "period", "version"),
        Index("ix_report_versions_kind_period", "kind", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # riskpoint-month | quarterly
    period: Mapped[str] = mapped_column(String(40))  # 2569-03 | 2569-Q2
    version: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    run_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))


class QuotaSnapshot(Base):
    """LINE's push quota and consumption for a month, as last read (a cache shared by every process)."""

    __tablename__ = "quota_snapshots"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2026-03 (Bangkok calendar month)
    quota_limit: Mapped[int | None]  # None: unlimited or unknown
    used: Mapped[int] = mapped_column(default=0)
    known: Mapped[bool] = mapped_column(default=False)  # False when LINE could not be asked
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)  # when LINE last answered
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)  # when LINE was last asked
