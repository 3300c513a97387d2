"""unit rosters and rich menus per role

Revision ID: 0011_unit_rosters
Revises: 0010_outbox_push_tries
Create Date: 2026-12-04 16:00:00.000000

Written by hand. Units gain a roster of LINE users (rp_unit_members: invited from the admin web,
accepted in LINE); only people on a unit's roster act for it. Members gain the rich menu they should
see (menu_wanted, decided by their roles) and the one last linked (menu_linked); the worker links the
wanted menu whenever the two differ.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.base import UTCDateTime

revision: str = "0011_unit_rosters"
down_revision: str | None = "0010_outbox_push_tries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("invited", "active", "declined", "removed")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "rp_unit_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="rosterstatus", native_enum=False, length=12), nullable=False),
        sa.Column("invited_at", UTCDateTime(), nullable=False),
        sa.Column("invited_by", sa.String(length=80), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.Column("removed_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["rp_units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "member_id"),
    )
    with op.batch_alter_table("rp_unit_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rp_unit_members_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rp_unit_members_unit_id"), ["unit_id"], unique=False)
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("menu_wanted", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("menu_linked", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("menu_tried_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("menu_tried_at")
        batch_op.drop_column("menu_linked")
        batch_op.drop_column("menu_wanted")
    with op.batch_alter_table("rp_unit_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rp_unit_members_unit_id"))
        batch_op.drop_index(batch_op.f("ix_rp_unit_members_member_id"))
    op.drop_table("rp_unit_members")
