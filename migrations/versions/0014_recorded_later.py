"""evidence recorded later with its real date

Revision ID: 0014_recorded_later
Revises: 0013_kpi_reports
Create Date: 2026-12-04 19:00:00.000000

Written by hand. An office that starts using FieldLine part-way through a year records what happened
before with its real date (services/earlier_evidence.py): LINE groups with their start and member count
(``chats``), reports received (``news_reports``) and forwards to agencies (``wg_forwards``). Each such row
is marked ``recorded_later`` (false for every existing row), with when it was entered (``recorded_at``,
distinct from the real date) and by whom (``recorded_by``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0014_recorded_later"
down_revision: str | None = "0013_kpi_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("chats", "news_reports", "wg_forwards")


def upgrade() -> None:
    """Apply this revision."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("recorded_later", sa.Boolean(), server_default=sa.false(), nullable=False))
            batch_op.add_column(sa.Column("recorded_at", UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column("recorded_by", sa.String(length=80), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("recorded_by")
            batch_op.drop_column("recorded_at")
            batch_op.drop_column("recorded_later")
