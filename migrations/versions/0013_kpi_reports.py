"""quarterly KPI report narratives and finalised versions

Revision ID: 0013_kpi_reports
Revises: 0012_office_letters
Create Date: 2026-12-04 19:00:00.000000

Written by hand. The narrative a secretariat edits before finalising a quarterly KPI report in the seeds'
form (``kpi_report_drafts``: one row per KPI, fiscal year and quarter, its sections as JSON). Finalised
reports need no table of their own: they are ``report_versions`` rows of kind ``kpi-network`` or
``kpi-riskpoints`` (numbered, hashed, never changed).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0013_kpi_reports"
down_revision: str | None = "0012_office_letters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "kpi_report_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kpi", sa.String(length=20), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_report_drafts")),
        sa.UniqueConstraint("kpi", "fiscal_year", "quarter", name=op.f("uq_kpi_report_drafts_kpi_fiscal_year_quarter")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("kpi_report_drafts")
