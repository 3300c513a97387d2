"""pdpa: when a member was erased or anonymised, and when a news report's content was removed

Revision ID: 0009_pdpa
Revises: 0008_retention
Create Date: 2026-12-04 12:00:00.000000

Written by hand. A person's rights (bot/personal_data/) and the longer retention periods
(services/privacy/retention.py) keep the rows the KPIs count and only blank their personal content; these two
nullable timestamps say when that happened. Media files gain the status "removed" (a non-native enum,
no schema change).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0009_pdpa"
down_revision: str | None = "0008_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", models.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("news_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_removed_at", models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("news_reports", schema=None) as batch_op:
        batch_op.drop_column("content_removed_at")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
