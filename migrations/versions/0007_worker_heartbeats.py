"""worker heartbeats (dedicated event workers announce themselves) and the inbox/outbox queue indexes

Revision ID: 0007_worker_heartbeats
Revises: 0006_scheduler
Create Date: 2026-11-22 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0007_worker_heartbeats"
down_revision: str | None = "0006_scheduler"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "worker_heartbeats",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("started_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_heartbeats")),
    )
    due = sa.text("status IN ('pending', 'failed')")
    op.create_index(
        "ix_inbox_events_queue", "inbox_events", ["event_at", "id"], postgresql_where=due, sqlite_where=due
    )
    pending = sa.text("status = 'pending'")
    op.create_index(
        "ix_outgoing_messages_queue", "outgoing_messages", ["id"], postgresql_where=pending, sqlite_where=pending
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_outgoing_messages_queue", table_name="outgoing_messages")
    op.drop_index("ix_inbox_events_queue", table_name="inbox_events")
    op.drop_table("worker_heartbeats")
