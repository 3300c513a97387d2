"""retention: rejected bodies are kept once, by the sha256 of their bytes

Revision ID: 0008_retention
Revises: 0007_worker_heartbeats
Create Date: 2026-11-22 06:00:00.000000

Written by hand. The retention periods themselves are settings (models/settings.py, the settings
table), so the PDPA retention job needs no schema of its own; this revision only adds
rejected_bodies.body_hash. Existing rows are hashed from their stored text as UTF-8 (the raw bytes are
not kept; a body that was not valid UTF-8 was stored with replacement characters), and exact duplicates
are dropped, the oldest row of each body kept, before the unique constraint is added.
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_retention"
down_revision: str | None = "0007_worker_heartbeats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("rejected_bodies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_hash", sa.String(length=64), nullable=True))

    connection = op.get_bind()
    seen: set[str] = set()
    duplicates: list[int] = []
    last_id = 0
    while True:
        rows = connection.execute(
            sa.text("SELECT id, body FROM rejected_bodies WHERE id > :last ORDER BY id LIMIT :batch"),
            {"last": last_id, "batch": BATCH},
        ).all()
        if not rows:
            break
        for row_id, body in rows:
            digest = hashlib.sha256((body or "").encode("utf-8")).hexdigest()
            if digest in seen:
                duplicates.append(row_id)
                continue
            seen.add(digest)
            connection.execute(
                sa.text("UPDATE rejected_bodies SET body_hash = :digest WHERE id = :id"), {"digest": digest, "id": row_id}
            )
        last_id = rows[-1][0]
    for start in range(0, len(duplicates), BATCH):
        connection.execute(
            sa.text("DELETE FROM rejected_bodies WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": duplicates[start : start + BATCH]},
        )

    with op.batch_alter_table("rejected_bodies", schema=None) as batch_op:
        batch_op.alter_column("body_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_rejected_bodies_body_hash"), ["body_hash"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("rejected_bodies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_rejected_bodies_body_hash"), type_="unique")
        batch_op.drop_column("body_hash")
