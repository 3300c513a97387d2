"""The quarterly KPI reports' narrative drafts: what the secretariat wrote before finalising, per KPI and quarter.

One row per (KPI, fiscal year, quarter) holds the edited narrative sections (texts/kpi_reports.py FIELDS) as
JSON; what is not stored comes from the KPI's configuration. Finalised reports are ReportVersion rows of kind
``kpi-network`` or ``kpi-riskpoints`` and period ``2564-Q4`` (services/kpi_reports.py): numbered, hashed and
never changed, so a draft may go on being edited after a version was sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.timeutil import utcnow


class KpiReportDraft(Base):
    """The edited narrative of one KPI report (network or riskpoints) for a fiscal year's quarter."""

    __tablename__ = "kpi_report_drafts"
    __table_args__ = (UniqueConstraint("kpi", "fiscal_year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kpi: Mapped[str] = mapped_column(String(20))  # network | riskpoints
    fiscal_year: Mapped[int]  # Buddhist Era, e.g. 2564
    quarter: Mapped[int]  # 1-4
    sections: Mapped[dict] = mapped_column(JSON, default=dict)  # narrative key -> text
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80))
