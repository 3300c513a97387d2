"""Demo data for a newcomer's first minute (demo mode only)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from bot.emulator import ids, personas
from models import Chat, Member, RiskPoint, RiskUnit, Role, RosterStatus, StaffUser, UnitKind, UnitMembership
from models.timeutil import to_bangkok, utcnow
from models.workgroup import StaffLineLink

DEMO_PASSWORD = "fieldline-demo"  # noqa: S105 - printed to the newcomer; demo mode only
DEMO_STAFF = (
    ("admin", "ผู้ดูแลระบบ (ทดลอง)", Role.ADMIN),
    ("secretariat", "ฝ่ายเลขานุการ (ทดลอง)", Role.SECRETARIAT),
)
DEMO_DISTRICT = "พระนคร"
BY = "demo"
# The patrol unit of the demo's district, bound to the emulator's patrol group; it patrols the demo points.
PATROL_UNIT = {"code": "patrol-phranakhon", "name": "สายตรวจเขตพระนคร", "kind": UnitKind.PATROL}
# unit code -> the demo group (bot/emulator/personas.py GROUPS) it is bound to
UNIT_GROUPS = {PATROL_UNIT["code"]: "patrol", "public_works": "works"}
# persona key -> the unit whose roster they are on (accepted)
ROSTER = {"patrol": PATROL_UNIT["code"], "clerk": "public_works"}
SECRETARIAT_PERSONA = ("secretariat", "secretariat")  # (persona key, demo staff username) linked in LINE


# The office profile every letter and report prints (services/office.py; /admin/office to change it).
DEMO_OFFICE = {
    "district": "บางรัก",
    "office_name": "สำนักงานเขตบางรัก",
    "address": "เลขที่ 2 ถนนนเรศ แขวงสี่พระยา\nเขตบางรัก กรุงเทพมหานคร 10500",
    "phone": "0 2236 1395",
    "letter_prefix": "กท ๕๓๐๑",
    "signatory_name": "นายสมชาย ใจดี",
    "signatory_position": "ผู้อำนวยการเขตบางรัก",
    "secretariat_unit": "ฝ่ายปกครอง",
    "thai_digits": True,
}

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
    created += _office(session)
    created += [unit.code for unit in ensure_default_units(session)]
    # In service since yesterday: a check-in after midnight belongs to yesterday's night round.
    since = to_bangkok(utcnow()).date() - timedelta(days=1)
    for values in DEMO_POINTS:
        if session.scalar(select(RiskPoint).where(RiskPoint.code == values["code"])) is None:
            save_point(session, {"active_from": since, **values})
            created.append(values["code"])
    created += _programme(session)
    created += seed_fy2564.demo_load(session)
    return created


def _office(session: Session) -> list[str]:
    """Fill the office profile when the office has not set it (audited as the demo's)."""
    from services.office import OfficeProfile, office_profile, save_office_profile

    if office_profile(session).is_complete:
        return []
    save_office_profile(session, OfficeProfile(**DEMO_OFFICE), BY)
    return [DEMO_OFFICE["office_name"]]


def _programme(session: Session) -> list[str]:
    """The patrol programme as the emulator's personas live it: groups, the patrol unit, rosters, LINE links."""
    from services.riskpoints.units import create_unit

    created = []
    chats = {plan.key: _group(session, plan, created) for plan in personas.GROUPS}
    if session.scalar(select(RiskUnit).where(RiskUnit.code == PATROL_UNIT["code"])) is None:
        create_unit(session, district=DEMO_DISTRICT, **PATROL_UNIT)
        created.append(PATROL_UNIT["code"])
    units = {unit.code: unit for unit in session.scalars(select(RiskUnit).where(RiskUnit.code.in_(UNIT_GROUPS)))}
    for code, group in UNIT_GROUPS.items():
        if units[code].chat_id is None:
            units[code].chat_id = chats[group].id
            created.append(f"{code} → {group}")
    for point in session.scalars(select(RiskPoint).where(RiskPoint.code.in_([p["code"] for p in DEMO_POINTS]))):
        point.patrol_unit_id = point.patrol_unit_id or units[PATROL_UNIT["code"]].id
    members = {person.key: _member(session, person, created) for person in personas.PERSONAS if person.friend}
    for key, code in ROSTER.items():
        _on_roster(session, units[code], members[key], created)
    _link_staff(session, members[SECRETARIAT_PERSONA[0]], SECRETARIAT_PERSONA[1], created)
    _refresh_menus(session, members.values())
    return created


def _group(session: Session, plan: personas.GroupPlan, created: list[str]) -> Chat:
    """The demo group as the bot knows it after joining and its registration (created when missing)."""
    line_chat_id = ids.group_id(plan.name)
    chat = session.scalar(select(Chat).where(Chat.line_chat_id == line_chat_id))
    if chat is None:
        chat = Chat(line_chat_id=line_chat_id, chat_type="group", is_member=True)
        session.add(chat)
    if not chat.is_registered:
        chat.name, chat.purpose, chat.member_count = plan.name, plan.purpose, personas.member_count(plan.key)
        chat.registered_at, chat.registered_by, chat.is_member = utcnow(), BY, True
        created.append(f"group:{plan.key}")
    session.flush()
    return chat


def _member(session: Session, person: personas.Persona, created: list[str]) -> Member:
    """The persona as a LINE friend of the bot (created when missing)."""
    line_user_id = ids.user_id(person.name)
    member = session.scalar(select(Member).where(Member.line_user_id == line_user_id))
    if member is None:
        member = Member(line_user_id=line_user_id, display_name=person.name, is_friend=True)
        session.add(member)
        session.flush()
        created.append(f"member:{person.key}")
    return member


def _on_roster(session: Session, unit: RiskUnit, member: Member, created: list[str]) -> None:
    """Put a member on a unit's roster, accepted (nothing when they are on it in any state)."""
    found = session.scalar(
        select(UnitMembership).where(UnitMembership.unit_id == unit.id, UnitMembership.member_id == member.id)
    )
    if found is None:
        now = utcnow()
        session.add(
            UnitMembership(
                unit_id=unit.id,
                member_id=member.id,
                status=RosterStatus.ACTIVE,
                invited_at=now,
                invited_by=BY,
                answered_at=now,
            )
        )
        session.flush()
        created.append(f"roster:{unit.code}")


def _link_staff(session: Session, member: Member, username: str, created: list[str]) -> None:
    """Link the demo staff account to the persona's LINE account, unless either is linked already."""
    staff = session.scalar(select(StaffUser).where(StaffUser.username == username))
    taken = session.scalar(select(StaffLineLink).where(StaffLineLink.line_user_id == member.line_user_id))
    if staff is None or taken is not None or session.get(StaffLineLink, staff.id) is not None:
        return
    session.add(StaffLineLink(staff_user_id=staff.id, line_user_id=member.line_user_id, linked_at=utcnow()))
    session.flush()
    created.append(f"line link:{username}")


def _refresh_menus(session: Session, members) -> None:
    """Decide each persona's rich menu from their roles (the worker links it in LINE)."""
    from services.roles import refresh_menu

    for member in members:
        refresh_menu(session, member)


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
