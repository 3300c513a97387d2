"""Demo data for a newcomer's first minute (demo mode only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from models import RiskPoint, Role, StaffUser

DEMO_PASSWORD = "fieldline-demo"  # noqa: S105 - printed to the newcomer; demo mode only
DEMO_STAFF = (
    ("admin", "ผู้ดูแลระบบ (ทดลอง)", Role.ADMIN),
    ("secretariat", "ฝ่ายเลขานุการ (ทดลอง)", Role.SECRETARIAT),
)


# Three risk points around the emulator's default location (Bangkok's centre), so the patrol
# persona can check in straight away.
DEMO_POINTS = (
    {
        "code": "RP-0001",
        "name": "ซอยเปลี่ยว หลังตลาด",
        "district": "พระนคร",
        "latitude": 13.7563,
        "longitude": 100.5018,
        "kind": "alley",
        "cameras": "CAM-0001: สำนักการจราจรและขนส่ง",
    },
    {
        "code": "RP-0002",
        "name": "ป้ายรถเมล์ไฟดับ",
        "district": "พระนคร",
        "latitude": 13.7568,
        "longitude": 100.5022,
        "kind": "bus_stop",
    },
    {
        "code": "RP-0003",
        "name": "อาคารร้าง ริมคลอง",
        "district": "พระนคร",
        "latitude": 13.7610,
        "longitude": 100.5090,
        "kind": "abandoned_building",
    },
)


def load(session: Session) -> list[str]:
    """Create what the demo is missing (staff, units, risk points, FY 2564 network); return what was made."""
    from bot import seed_fy2564
    from services.riskpoints.registry import save_point
    from services.riskpoints.units import ensure_default_units

    created = _staff(session)
    created += [unit.code for unit in ensure_default_units(session)]
    for values in DEMO_POINTS:
        if session.scalar(select(RiskPoint).where(RiskPoint.code == values["code"])) is None:
            save_point(session, values)
            created.append(values["code"])
    created += seed_fy2564.demo_load(session)
    return created


def _staff(session: Session) -> list[str]:
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
