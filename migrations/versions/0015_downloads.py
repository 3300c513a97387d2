"""evidence packs and signed downloads

Revision ID: 0015_downloads
Revises: 0014_recorded_later
Create Date: 2026-12-04 19:00:00.000000

Written by hand. Evidence packs (evidence_packs): a ZIP per fiscal year or quarter, queued from the
admin web, claimed and built by the clock, downloaded through a signed, expiring link (/d/<token>).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0015_downloads"
down_revision: str | None = "0014_recorded_later"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "building", "done", "failed")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "evidence_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=True),
        sa.Column("status", sa.Enum(*STATUSES, name="packstatus", native_enum=False, length=12), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("file_path", sa.String(length=400), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_packs")),
    )
    op.create_index("ix_evidence_packs_status", "evidence_packs", ["status", "id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_evidence_packs_status", table_name="evidence_packs")
    op.drop_table("evidence_packs")
