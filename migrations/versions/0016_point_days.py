"""each risk point's day of checks, for the KPI at city scale

Revision ID: 0016_point_days
Revises: 0015_downloads
Create Date: 2026-12-05 09:00:00.000000

Written by hand. rp_point_days holds, per Bangkok day and point with any check, the distinct patrol rounds
visited (round_no > 0) and the distinct cameras of the point checked that day while in service
(models/point_days.py keeps it in step with every write). The key is (day, point_id): the KPI reads ranges
of days. Backfilled here from the raw checks with one INSERT ... SELECT.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_point_days"
down_revision: str | None = "0015_downloads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
INSERT INTO rp_point_days (day, point_id, rounds, cameras)
SELECT day, point_id, SUM(rounds), SUM(cameras) FROM (
    SELECT patrol_day AS day, point_id, COUNT(DISTINCT round_no) AS rounds, 0 AS cameras
    FROM rp_patrol_checks WHERE round_no > 0
    GROUP BY patrol_day, point_id
  UNION ALL
    SELECT k.check_day AS day, c.point_id AS point_id, 0 AS rounds, COUNT(DISTINCT k.camera_id) AS cameras
    FROM rp_camera_checks k JOIN rp_cameras c ON c.id = k.camera_id
    WHERE c.active_from <= k.check_day AND (c.retired_on IS NULL OR k.check_day < c.retired_on)
    GROUP BY k.check_day, c.point_id
) AS checks
GROUP BY day, point_id
"""


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "rp_point_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("rounds", sa.SmallInteger(), nullable=False),
        sa.Column("cameras", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(["point_id"], ["rp_points.id"], name=op.f("fk_rp_point_days_point_id_rp_points")),
        sa.PrimaryKeyConstraint("day", "point_id", name=op.f("pk_rp_point_days")),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("rp_point_days")
