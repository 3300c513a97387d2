"""Demo data for a newcomer's first minute (demo mode only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from models import Role, StaffUser

DEMO_PASSWORD = "fieldline-demo"  # noqa: S105 - printed to the newcomer; demo mode only
DEMO_STAFF = (
    ("admin", "ผู้ดูแลระบบ (ทดลอง)", Role.ADMIN),
    ("secretariat", "ฝ่ายเลขานุการ (ทดลอง)", Role.SECRETARIAT),
)


def load(session: Session) -> list[str]:
    """Create the demo staff accounts that are missing; return the usernames created."""
    created = []
    for username, full_name, role in DEMO_STAFF:
        if session.scalar(select(StaffUser).where(StaffUser.username == username)) is None:
            session.add(
                StaffUser(
                    username=username,
                    full_name=full_name,
                    role=role,
                    password_hash=generate_password_hash(DEMO_PASSWORD),
                )
            )
            created.append(username)
    return created
