"""outbox push tries: pushes are counted apart from the retries of a reply of unknown outcome

Revision ID: 0010_outbox_push_tries
Revises: 0009_pdpa
Create Date: 2026-12-04 12:00:00.000000

Written by hand. A reply that got a 5xx or a timeout is now sent again with its token while the
token is fresh (runtime/delivery.py); those retries must not use up the pushes a row gets before it is
parked, so outgoing_messages gains push_tries (0 for every existing row). Existing rows marked
"reply-unconfirmed" keep that method: the admin web lists them as of unknown outcome.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_outbox_push_tries"
down_revision: str | None = "0009_pdpa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("push_tries", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("outgoing_messages", schema=None) as batch_op:
        batch_op.drop_column("push_tries")
